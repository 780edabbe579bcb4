import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rollbackWorkflowId, type RollbackInput } from '../../src/contracts/rollback';
import { widgetRollback } from '../../src/workflows/rollback';
import { createExampleRepo, gitIn, revertsOf } from '../helpers/example-repo';
import { runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { plannedStepIds } from '../helpers/plan';
import { recordHistory } from '../helpers/histories';

describe('widgetRollback on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-widget-')]);
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  async function rollback(
    repoPath: string,
    input: Omit<RollbackInput, 'procedure' | 'repoPath'>,
    workflowId?: string,
  ) {
    const taskQueue = uniqueTaskQueue('widget');
    const { stop } = await runWorker(
      env,
      { ...runbookDeps(dir.path, repoPath, 1), client: env.client },
      taskQueue,
    );
    try {
      return await env.client.workflow.execute(widgetRollback, {
        taskQueue,
        workflowId: workflowId ?? rollbackWorkflowId('widget', input.incidentId),
        args: [{ ...input, procedure: 'widget', repoPath }],
      });
    } finally {
      await stop();
    }
  }

  it('reverts the explicit bad commit, rebuilds and verifies; run again, it leaves exactly one revert', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build', docsAfter: true }, 'revert');
    const input = { incidentId: 'INC-W1', mode: 'revert' as const, badCommit: repo.badSha };
    const result = await rollback(repo.path, input);
    assert.equal(result.ok, true, JSON.stringify(result, null, 2));
    assert.deepEqual(
      result.steps.map((s) => s.step),
      plannedStepIds(runbookDeps(dir.path, repo.path, 1), {
        ...input,
        procedure: 'widget',
        repoPath: repo.path,
      }),
      'the run took exactly the planned steps',
    );
    // widget-rollback-revert.json (lock as activities, before rollback-lock-local) stays as recorded.
    await recordHistory(
      env.client.workflow.getHandle(rollbackWorkflowId('widget', 'INC-W1')),
      'widget-rollback-revert-local-lock',
    );
    assert.deepEqual(
      result.steps.map((s) => s.step),
      [
        'acquire-repo-lock',
        'identify-known-good',
        'save-backup',
        'revert-commit',
        'install',
        'build-widgets',
        'verify-tests',
        'verify-widgets',
        'release-repo-lock',
      ],
    );
    assert.deepEqual(await readdir(join(repo.path, 'dist', 'widgets')), ['changelog.html', 'status.html']);
    assert.equal(result.headAfter, result.revertCommit);
    assert.equal(result.backupRef, 'refs/incident-backup/INC-W1');
    const again = await rollback(repo.path, input, 'rollback-widget-INC-W1-again');
    assert.equal(again.ok, true);
    assert.match(again.steps.find((s) => s.step === 'revert-commit')!.detail!, /already there/);
    assert.deepEqual(await revertsOf(repo.path, repo.badSha!), [result.revertCommit]);
  });

  it('undoes the revert when the build still fails and reports the failed step', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build', docsAfter: true }, 'undo');
    // The wrong commit: the harmless docs commit, so the broken widget is still there.
    const result = await rollback(repo.path, {
      incidentId: 'INC-W2',
      mode: 'revert',
      badCommit: repo.headSha,
    });
    assert.equal(result.ok, false);
    assert.equal(result.failedStep, 'build-widgets');
    assert.match(result.error!, /CommandFailed.*over the 16384-byte budget/s);
    const byStep = Object.fromEntries(result.steps.map((s) => [s.step, s.status]));
    assert.equal(byStep['revert-commit'], 'undone');
    assert.equal(byStep['undo-revert-commit'], 'succeeded');
    assert.equal(byStep['release-repo-lock'], 'succeeded');
    assert.equal(result.headAfter, repo.headSha, 'HEAD restored from refs/incident-backup/INC-W2');
    assert.equal(await gitIn(repo.path, 'symbolic-ref', '--short', 'HEAD'), 'main');
    assert.equal(await gitIn(repo.path, 'status', '--porcelain', '--untracked-files=no'), '');
  });

  it('resets to the explicit known-good SHA when nothing must be kept', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build' }, 'reset');
    const input = { incidentId: 'INC-W3', mode: 'reset' as const, knownGood: 'v1.0.0' };
    const result = await rollback(repo.path, input);
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
    assert.deepEqual(
      result.steps.map((s) => s.step),
      plannedStepIds(runbookDeps(dir.path, repo.path, 1), {
        ...input,
        procedure: 'widget',
        repoPath: repo.path,
      }),
    );
    assert.equal(result.headAfter, repo.goodSha);
    assert.equal(await gitIn(repo.path, 'rev-parse', 'refs/incident-backup/INC-W3'), repo.badSha);
  });
});
