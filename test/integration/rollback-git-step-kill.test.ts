import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { widgetRollback } from '../../src/workflows/rollback';
import { rollbackWorkflowId } from '../../src/contracts/rollback';
import { createExampleRepo } from '../helpers/example-repo';
import { runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

describe('a worker SIGKILLed inside a git step', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-git-kill-')]);
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it('resumes the checkout on a new worker within the heartbeat timeout, not the 1-minute start-to-close', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build' }, 'git-kill');
    // A post-checkout hook that is slow the first time only, so the kill lands inside the git
    // step; the retry finds HEAD already at the tag and returns at once.
    const hook = join(repo.path, '.git', 'hooks', 'post-checkout');
    await writeFile(hook, '#!/bin/sh\nif [ ! -e .git/slow-once ]; then touch .git/slow-once; sleep 20; fi\n');
    await chmod(hook, 0o755);
    const deps = runbookDeps(dir.path, repo.path, 1);
    const taskQueue = uniqueTaskQueue('git-kill');
    const configJson = JSON.stringify({ incidentsDir: deps.incidentsDir, target: { repoPath: repo.path } });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/rollback-worker-process.ts', env.address, taskQueue, configJson],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
    });
    const handle = await env.client.workflow.start(widgetRollback, {
      taskQueue,
      workflowId: rollbackWorkflowId('widget', 'INC-GK1'),
      args: [
        {
          incidentId: 'INC-GK1',
          procedure: 'widget',
          mode: 'checkout',
          knownGood: 'v1.0.0',
          repoPath: repo.path,
        },
      ],
    });
    for (let i = 0; i < 300 && !existsSync(join(repo.path, '.git', 'slow-once')); i++) await sleep(100);
    assert.ok(existsSync(join(repo.path, '.git', 'slow-once')), 'the checkout is in its hook');
    child.kill('SIGKILL');
    const killedAt = Date.now();
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      const result = await handle.result();
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      // The activity's own completion, from history: the workflow step's end also waits for the
      // dead worker's sticky workflow task to time out, which is not the git step's doing.
      const { events } = await handle.fetchHistory();
      const scheduled = events!.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkoutKnownGood',
      )!;
      const completed = events!.find(
        (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
      )!;
      const completedAt =
        Number(completed.eventTime!.seconds) * 1000 + Math.floor((completed.eventTime!.nanos ?? 0) / 1e6);
      const resumedAfter = completedAt - killedAt;
      console.log(`# checkoutKnownGood completed ${resumedAfter} ms after the worker was killed`);
      assert.ok(resumedAfter <= 9_000, `checkout resumed ${resumedAfter} ms after the kill`);
    } finally {
      await stop();
    }
  });
});
