/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities/deps';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { fullRollback, visualBaselinesUpdate } from '../../src/workflows/rollback';
import { rollbackWorkflowId, visualBaselinesWorkflowId } from '../../src/contracts/rollback';
import { createExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';
import { plannedStepIds } from '../helpers/plan';

describe('fullRollback and visualBaselinesUpdate on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const services: ActivityDeps[] = [];
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-full-')]);
  });
  after(async () => {
    for (const deps of services)
      await quietActivityEnv().run(createServiceActivities(deps).stopService, { service: 'mcp' });
    await env?.teardown();
    await dir?.cleanup();
  });

  it('stops everything, checks out the newest known-good tag, clean-installs, builds, starts and verifies', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build', docsAfter: true }, 'full');
    const port = await freePort();
    const deps = runbookDeps(dir.path, repo.path, port);
    services.push(deps);
    const taskQueue = uniqueTaskQueue('full');
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      const result = await env.client.workflow.execute(fullRollback, {
        taskQueue,
        workflowId: rollbackWorkflowId('full', 'INC-F1'),
        args: [{ incidentId: 'INC-F1', procedure: 'full', mode: 'checkout', repoPath: repo.path }],
      });
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      assert.equal(result.headAfter, repo.goodSha, 'v1.0.0 found by the known-good tag pattern');
      assert.deepEqual(
        result.steps.map((s) => s.step),
        plannedStepIds(deps, {
          incidentId: 'INC-F1',
          procedure: 'full',
          mode: 'checkout',
          repoPath: repo.path,
        }),
        'the run took exactly the planned steps',
      );
      await recordHistory(
        env.client.workflow.getHandle(rollbackWorkflowId('full', 'INC-F1')),
        'full-rollback-checkout',
      );
      assert.match(
        result.steps.find((s) => s.step === 'identify-stable-tag')!.detail!,
        /known-good v1\.0\.0; 2 commits since/,
      );
      assert.deepEqual(await readdir(join(repo.path, 'dist', 'widgets')), ['changelog.html', 'status.html']);
      assert.ok(existsSync(join(repo.path, 'node_modules')));
      assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`));
      assert.deepEqual(
        result.steps.slice(-3).map((s) => s.step),
        ['verify-tests', 'verify-contract', 'release-repo-lock'],
      );
    } finally {
      await stop();
    }
  });

  it('commits new visual baselines when the change was intended, once even when run twice', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'ui-change' }, 'visual');
    const deps = runbookDeps(dir.path, repo.path, await freePort());
    const taskQueue = uniqueTaskQueue('visual');
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      const run = (workflowId: string) =>
        env.client.workflow.execute(visualBaselinesUpdate, {
          taskQueue,
          workflowId,
          args: [{ incidentId: 'INC-V1', repoPath: repo.path, reason: 'new accent colour' }],
        });
      const first = await run(visualBaselinesWorkflowId('INC-V1'));
      assert.equal(first.ok, true, JSON.stringify(first.steps, null, 2));
      await recordHistory(
        env.client.workflow.getHandle(visualBaselinesWorkflowId('INC-V1')),
        'visual-baselines-update',
      );
      assert.equal(
        await gitIn(repo.path, 'log', '-1', '--format=%s'),
        'Update visual baselines for new accent colour',
      );
      const second = await run(`${visualBaselinesWorkflowId('INC-V1')}-again`);
      assert.equal(second.ok, true);
      assert.equal(second.commit, first.commit);
      assert.equal(await gitIn(repo.path, 'rev-list', '--count', `${repo.badSha!}..HEAD`), '1');
    } finally {
      await stop();
    }
  });
});
