/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities/deps';
import { isRunning } from '../../src/activities/support/process-tree';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { mcpRollback } from '../../src/workflows/rollback';
import { rollbackWorkflowId } from '../../src/contracts/rollback';
import { createExampleRepo, freePort } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

describe('a worker killed after starting a service, before recording it', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let deps: ActivityDeps | undefined;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('service-adoption-')]);
  });
  after(async () => {
    if (deps) await quietActivityEnv().run(createServiceActivities(deps).stopService, { service: 'mcp' });
    await env?.teardown();
    await dir?.cleanup();
  });

  it('adopts the server on the retry, says so, and a later stop stops exactly that process', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-start' }, 'target');
    const port = await freePort();
    // The server takes 2 s to come up, so the worker can be killed while it starts.
    const mcp = { port, start: ['sh', '-c', 'sleep 2 && exec pnpm mcp:start'], startTimeoutMs: 20_000 };
    deps = runbookDeps(dir.path, repo.path, port, { services: { mcp } });
    const taskQueue = uniqueTaskQueue('adopt');
    const configJson = JSON.stringify({
      incidentsDir: deps.incidentsDir,
      target: { repoPath: repo.path, services: { mcp } },
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
    const handle = await env.client.workflow.start(mcpRollback, {
      taskQueue,
      workflowId: rollbackWorkflowId('mcp', 'INC-A1'),
      args: [{ incidentId: 'INC-A1', procedure: 'mcp', mode: 'revert', repoPath: repo.path }],
    });
    const pidFile = join(repo.path, '.git', 'incident-engine', 'services', 'mcp.pid');
    let spawned: number | undefined;
    for (let i = 0; i < 300 && spawned === undefined; i++) {
      await sleep(50);
      const record = await readFile(pidFile, 'utf8').then(
        (text) => JSON.parse(text) as { pid?: number; owner?: string },
        () => undefined,
      );
      if (record?.pid !== undefined) {
        assert.equal(record.owner, rollbackWorkflowId('mcp', 'INC-A1'), 'owned by the rollback');
        spawned = record.pid;
      }
    }
    assert.ok(spawned !== undefined, 'the server was spawned');
    child.kill('SIGKILL');
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      const result = await handle.result();
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      const start = result.steps.find((s) => s.step === 'start-server');
      assert.equal(
        start?.note,
        `adopted the server started by an earlier attempt (pid ${spawned}); it is stopped by the next rollback's stop step`,
      );
      assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`));
      const stopped = await quietActivityEnv().run(createServiceActivities(deps).stopService, {
        service: 'mcp',
      });
      assert.deepEqual([stopped.action, stopped.pid], ['stopped', spawned]);
      assert.equal(await isRunning(spawned), false);
    } finally {
      await stop();
    }
  });
});
