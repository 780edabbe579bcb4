/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities/deps';
import { createGitActivities } from '../../src/activities/target/git';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { fullRollback } from '../../src/workflows/rollback';
import { rollbackWorkflowId } from '../../src/contracts/rollback';
import { createExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

describe("a full rollback leaves the target's work tree clean", () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let deps: ActivityDeps | undefined;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-clean-')]);
  });
  after(async () => {
    if (deps) await quietActivityEnv().run(createServiceActivities(deps).stopService, { service: 'mcp' });
    await env?.teardown();
    await dir?.cleanup();
  });

  it('keeps PID file and logs out of the work tree and prunes old backup refs, keeping its own', async () => {
    const repo = await createExampleRepo(dir.path, {}, 'target');
    // A real target does not git-ignore the engine's files; v1.0.1 is the newest known-good tag.
    await writeFile(join(repo.path, '.gitignore'), 'node_modules/\ndist/\n');
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Ignore only build output');
    await gitIn(repo.path, 'tag', 'v1.0.1');
    const port = await freePort();
    deps = runbookDeps(dir.path, repo.path, port, { backupRefMaxAgeDays: 30 });
    // An earlier incident's backup, 40 days old.
    const longAgo = createGitActivities({ ...deps, now: () => new Date(Date.now() - 40 * 86_400_000) });
    await quietActivityEnv().run(longAgo.saveBackupRef, { incidentId: 'INC-ANCIENT' });

    const taskQueue = uniqueTaskQueue('clean');
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      const result = await env.client.workflow.execute(fullRollback, {
        taskQueue,
        workflowId: rollbackWorkflowId('full', 'INC-F2'),
        args: [{ incidentId: 'INC-F2', procedure: 'full', mode: 'checkout', repoPath: repo.path }],
      });
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`), 'the server runs');
      assert.equal(await gitIn(repo.path, 'status', '--porcelain', '--ignored=no'), '');
      assert.equal(
        await gitIn(repo.path, 'for-each-ref', '--format=%(refname)', 'refs/incident-backup/'),
        'refs/incident-backup/INC-F2',
      );
    } finally {
      await stop();
    }
  });
});
