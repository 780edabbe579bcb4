import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { lockPathOf } from '../../src/activities/target/repo-lock';
import { widgetRollback } from '../../src/workflows/rollback';
import { rollbackWorkflowId, type RollbackResult } from '../../src/contracts/rollback';
import { createExampleRepo, revertsOf } from '../helpers/example-repo';
import { runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

/** From the first step after taking the lock to the last step before releasing it. */
function workWindow(result: RollbackResult): { from: number; to: number } {
  const work = result.steps.filter((s) => !s.step.endsWith('repo-lock'));
  return { from: Date.parse(work[0]!.startedAt), to: Date.parse(work.at(-1)!.endedAt) };
}

describe('two incidents on one repository', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-lock-')]);
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it('serialises two rollbacks started at the same moment; the second finds the first revert', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build', docsAfter: true });
    const taskQueue = uniqueTaskQueue('lock');
    const { stop } = await runWorker(
      env,
      { ...runbookDeps(dir.path, repo.path, 1), client: env.client },
      taskQueue,
    );
    try {
      const start = (incidentId: string) =>
        env.client.workflow.execute(widgetRollback, {
          taskQueue,
          workflowId: rollbackWorkflowId('widget', incidentId),
          args: [
            { incidentId, procedure: 'widget', mode: 'revert', badCommit: repo.badSha, repoPath: repo.path },
          ],
        });
      const [a, b] = await Promise.all([start('INC-L1'), start('INC-L2')]);
      assert.equal(a.ok, true, JSON.stringify(a.steps, null, 2));
      assert.equal(b.ok, true, JSON.stringify(b.steps, null, 2));
      const [first, second] = [workWindow(a), workWindow(b)].sort((x, y) => x.from - y.from);
      assert.ok(first!.to <= second!.from, `windows overlap: ${JSON.stringify([first, second])}`);
      assert.equal((await revertsOf(repo.path, repo.badSha!)).length, 1, 'exactly one revert commit');
      const details = [a, b].map((r) => r.steps.find((s) => s.step === 'revert-commit')!.detail!);
      assert.equal(details.filter((d) => d.includes('already there')).length, 1);
      // rollback-lock-local: both try the lock locally; the one that finds it held falls back to
      // the acquireRepoLock activity, whose retries wait for the release. The other never schedules it.
      const scheduledLocks = await Promise.all(
        ['INC-L1', 'INC-L2'].map(async (incidentId) => {
          const history = await env.client.workflow
            .getHandle(rollbackWorkflowId('widget', incidentId))
            .fetchHistory();
          return (history.events ?? []).filter(
            (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'acquireRepoLock',
          ).length;
        }),
      );
      assert.deepEqual([...scheduledLocks].sort(), [0, 1]);
    } finally {
      await stop();
    }
  });

  it("takes over a lock whose owner workflow does not exist (a crashed engine's leftover)", async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build' }, 'stale');
    await writeFile(
      await lockPathOf(repo.path),
      JSON.stringify({
        workflowId: 'rollback-widget-GONE',
        runId: 'gone',
        incidentId: 'GONE',
        acquiredAt: new Date().toISOString(),
        host: 'x',
      }),
    );
    const taskQueue = uniqueTaskQueue('stale');
    const lines: string[] = [];
    const deps = { ...runbookDeps(dir.path, repo.path, 1, {}, lines), client: env.client };
    const { stop } = await runWorker(env, deps, taskQueue);
    try {
      const result = await env.client.workflow.execute(widgetRollback, {
        taskQueue,
        workflowId: rollbackWorkflowId('widget', 'INC-L3'),
        args: [
          {
            incidentId: 'INC-L3',
            procedure: 'widget',
            mode: 'revert',
            badCommit: repo.badSha,
            repoPath: repo.path,
          },
        ],
      });
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      assert.match(lines.join('\n'), /rollback-widget-GONE .* is stale/);
    } finally {
      await stop();
    }
  });
});
