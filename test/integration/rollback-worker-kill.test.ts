import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { isRunning, MARKER_ENV } from '../../src/activities/support/process-tree';
import { widgetRollback } from '../../src/workflows/rollback';
import { rollbackWorkflowId } from '../../src/contracts/rollback';
import { createExampleRepo, revertsOf } from '../helpers/example-repo';
import { runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

/** Running processes whose marker belongs to `workflowId` (any of its activities). */
async function markedFor(workflowId: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'latin1').catch(() => '');
    if (
      environ.split('\0').some((v) => v.startsWith(`${MARKER_ENV}=${workflowId}/`)) &&
      (await isRunning(Number(name)))
    )
      pids.push(Number(name));
  }
  return pids;
}

describe('a worker SIGKILLed in the middle of a rollback step', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-kill-')]);
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it('resumes the build on a new worker within 10 s, kills the orphans and leaves one revert', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build', docsAfter: true });
    // A slow build, so the kill lands inside it.
    const target = {
      runbook: { buildWidgets: { argv: ['sh', '-c', 'sleep 4 && exec pnpm build:widgets'] } },
    };
    const deps = runbookDeps(dir.path, repo.path, 1, target);
    const taskQueue = uniqueTaskQueue('kill');
    const configJson = JSON.stringify({
      incidentsDir: deps.incidentsDir,
      target: { ...target, repoPath: repo.path },
    });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/rollback-worker-process.ts', env.address, taskQueue, configJson],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
    });
    const workflowId = rollbackWorkflowId('widget', 'INC-K1');
    const handle = await env.client.workflow.start(widgetRollback, {
      taskQueue,
      workflowId,
      args: [
        {
          incidentId: 'INC-K1',
          procedure: 'widget',
          mode: 'revert',
          badCommit: repo.badSha,
          repoPath: repo.path,
        },
      ],
    });
    let orphans: number[] = [];
    for (let i = 0; i < 200 && orphans.length === 0; i++) {
      await sleep(100);
      const log = await readFile(
        join(deps.incidentsDir, 'INC-K1', 'logs', 'build-widgets.log'),
        'utf8',
      ).catch(() => '');
      if (log.includes('sleep 4')) orphans = await markedFor(workflowId);
    }
    assert.ok(orphans.length > 0, 'the build is running');
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await sleep(300);
    assert.ok((await markedFor(workflowId)).length > 0, 'the killed worker left its build running');
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      let resumedAfter: number | undefined;
      for (let i = 0; i < 300 && resumedAfter === undefined; i++) {
        const log = await readFile(join(deps.incidentsDir, 'INC-K1', 'logs', 'build-widgets.log'), 'utf8');
        if ((log.match(/sleep 4/g) ?? []).length >= 2) resumedAfter = Date.now() - killedAt;
        else await sleep(100);
      }
      assert.ok(
        resumedAfter !== undefined && resumedAfter <= 10_000,
        `build resumed ${resumedAfter} ms after the kill`,
      );
      for (const pid of orphans)
        assert.equal(await isRunning(pid), false, `orphan ${pid} killed by the retry`);
      const result = await handle.result();
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      assert.equal((await revertsOf(repo.path, repo.badSha!)).length, 1);
      assert.deepEqual(await markedFor(workflowId), [], 'nothing left running');
      console.log(`# build resumed ${resumedAfter} ms after the worker was killed`);
    } finally {
      await stop();
    }
  });
});
