import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevServer } from '../../src/temporal/dev-server';
import { PROJECT_ROOT, requireBinary } from '../../src/temporal/binaries';
import { freePort, groupAlive, spawnGroup, type Spawned, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';

const TOKEN = 'stop-token-0123456789abcdef';
/** Far above a clean stop (about a second here); only a process that never exits reaches it. */
const EXIT_WITHIN_MS = 20_000;

/**
 * The API and the worker as production runs them end when told to, and when their start fails.
 * The API installs the SDK Runtime (logger, metrics) but opens no native connection, so nothing
 * shut the Runtime down: the API ignored SIGTERM after serving an alert and sat idle after a failed
 * listen, and `npm start`, benches and supervisors had to SIGKILL it.
 */
describe('engine processes stop', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: ChildProcess | undefined;
  let address: string;
  const spawned: Spawned[] = [];

  before(async () => {
    dir = await tempDir('process-stop-');
    const [port, uiPort] = [await freePort(), await freePort()];
    address = `127.0.0.1:${port}`;
    await writeFile(join(dir.path, 'incident.config.json'), JSON.stringify({ incidentsDir: 'incidents' }));
    server = await startDevServer({
      cliPath: requireBinary('cli'),
      dbFile: join(dir.path, 'temporal.db'),
      port,
      uiPort,
      stdio: 'ignore',
    });
  });
  after(async () => {
    for (const { child } of spawned)
      if (child.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    server?.kill('SIGKILL');
    await dir?.cleanup();
  });

  const start = (entry: string, extra: Record<string, string>): Spawned => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      INCIDENT_CONFIG: join(dir.path, 'incident.config.json'),
      API_HOST: '127.0.0.1',
      API_TOKEN: TOKEN,
      // The metrics Runtime is what kept the API alive; keep it on, on a port of the test's own.
      ...extra,
    };
    delete env.NODE_TEST_CONTEXT;
    const child = spawnGroup(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, entry)],
      {
        cwd: dir.path,
        env,
      },
    );
    spawned.push(child);
    return child;
  };
  const exitCode = async (process: Spawned): Promise<number | null> => {
    const timeout = new Promise<'running'>((done) =>
      setTimeout(() => done('running'), EXIT_WITHIN_MS).unref(),
    );
    const outcome = await Promise.race([process.exited, timeout]);
    assert.notEqual(outcome, 'running', `still running ${EXIT_WITHIN_MS} ms later:\n${process.output()}`);
    return outcome as number | null;
  };
  const ready = (process: Spawned, line: RegExp) =>
    waitFor(
      () => `${line} in:\n${process.output()}`,
      () => {
        if (process.child.exitCode !== null) throw new Error(`exited:\n${process.output()}`);
        return Promise.resolve(line.test(process.output()));
      },
    );

  it('the API stops on SIGTERM after serving an alert, with its metrics endpoint on', async () => {
    const apiPort = await freePort();
    const api = start('src/api/main.ts', {
      API_PORT: String(apiPort),
      API_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    await ready(api, /listening on http/);
    const answer = await fetch(`http://127.0.0.1:${apiPort}/webhooks/generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        dedup_key: 'stop-1',
        severity: 'SEV-4',
        summary: 'checkout down',
        source: 'test',
      }),
    });
    assert.equal(answer.status, 202, await answer.text());
    api.child.kill('SIGTERM');
    assert.equal(await exitCode(api), 0, api.output());
    assert.match(api.output(), /"msg":"stopped"/);
  });

  it('the API exits non-zero, naming the cause, when its port is taken', async () => {
    const holder: Server = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const { port } = holder.address() as { port: number };
    try {
      const api = start('src/api/main.ts', { API_PORT: String(port), API_METRICS_ADDRESS: 'off' });
      assert.equal(await exitCode(api), 1, api.output());
      assert.match(api.output(), /EADDRINUSE/);
    } finally {
      holder.close();
    }
  });

  it('the worker exits non-zero, naming the cause, when Temporal cannot be reached', async () => {
    const worker = start('src/worker/main.ts', {
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      WORKER_METRICS_ADDRESS: 'off',
    });
    assert.equal(await exitCode(worker), 1, worker.output());
    assert.match(worker.output(), /onnection refused|ConnectError|connect/i);
  });

  it('the worker stops on SIGTERM once polling', async () => {
    const worker = start('src/worker/main.ts', { WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` });
    await ready(worker, /polling task queue/);
    worker.child.kill('SIGTERM');
    assert.equal(await exitCode(worker), 0, worker.output());
    assert.match(worker.output(), /"msg":"stopped"/);
  });
});
