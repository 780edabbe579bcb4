import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startDevServer } from '../../src/temporal/dev-server';
import { PROJECT_ROOT, requireBinary } from '../../src/temporal/binaries';
import { tempDir } from '../helpers/temporal';
import { freePort, groupAlive, spawnGroup, waitFor, type Spawned } from '../helpers/processes';

const run = promisify(execFile);

/**
 * What an operator does on a fresh clone: `npm start`, open an incident from the CLI, stop with
 * Ctrl+C, start again, and find the incident still open. Runs src/start.ts exactly as the npm
 * script does, on free ports and a temp data folder so it never collides with a running engine.
 */
describe('npm start', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('brings up server, Web UI, worker and API, stops cleanly on Ctrl+C, and keeps open incidents across restarts', async () => {
    const dir = await tempDir('incident-start-');
    cleanups.push(dir.cleanup);
    const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: undefined,
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      API_PORT: String(apiPort),
      INCIDENT_DATA_DIR: join(dir.path, '.data'),
    };
    const start = (): Spawned => {
      const spawned = spawnGroup(
        process.execPath,
        ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/start.ts')],
        {
          cwd: dir.path,
          env,
        },
      );
      cleanups.push(async () => {
        if (groupAlive(spawned.child.pid!)) process.kill(-spawned.child.pid!, 'SIGKILL');
        await Promise.resolve();
      });
      return spawned;
    };
    const ready = async (engine: Spawned) => {
      await waitFor(
        () => `API on ${apiPort}; output so far:\n${engine.output()}`,
        async () => (await fetch(`http://127.0.0.1:${apiPort}/healthz`)).ok,
        90_000,
      );
    };
    const ctrlC = async (engine: Spawned) => {
      process.kill(-engine.child.pid!, 'SIGINT'); // a terminal's Ctrl+C signals the whole group
      const code = await engine.exited;
      await waitFor(
        () => 'every child to exit',
        () => Promise.resolve(!groupAlive(engine.child.pid!)),
        30_000,
      );
      return code;
    };
    const cli = async (...args: string[]) => {
      const { stdout } = await run(process.execPath, [join(PROJECT_ROOT, 'bin/incident.js'), ...args], {
        cwd: dir.path,
        env: { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` },
      });
      return JSON.parse(stdout) as Record<string, unknown>;
    };

    const first = start();
    await ready(first);
    assert.match(
      first.output(),
      new RegExp(`Web UI: http://localhost:${uiPort}/namespaces/default/workflows`),
    );
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    assert.equal(ui.status, 200, 'the Web UI answers');
    const opened = await cli(
      'start',
      '--severity',
      'SEV-3',
      '--service',
      'widgets',
      '--summary',
      'restart test',
      '--json',
    );
    assert.match(String(opened.incidentId), /^INCIDENT-\d{8}-\d{6}/);
    assert.equal(await ctrlC(first), 0, `first run exits 0 on Ctrl+C; output:\n${first.output()}`);

    const second = start();
    await ready(second);
    const status = await cli('status', String(opened.workflowId), '--json');
    assert.equal(status.incidentId, opened.incidentId);
    assert.notEqual(status.stage, 'closed');
    assert.equal(await ctrlC(second), 0);
  });

  it('says which server, version and namespace it reuses when one already answers on TEMPORAL_PORT', async () => {
    const dir = await tempDir('incident-reuse-');
    cleanups.push(dir.cleanup);
    const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const server = await startDevServer({
      cliPath: requireBinary('cli'),
      dbFile: join(dir.path, 'other.db'),
      port: temporalPort,
      uiPort,
      stdio: 'ignore',
    });
    cleanups.push(async () => {
      server.kill('SIGKILL');
      await Promise.resolve();
    });
    const engine = spawnGroup(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/start.ts')],
      {
        cwd: dir.path,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: undefined,
          TEMPORAL_PORT: String(temporalPort),
          TEMPORAL_UI_PORT: String(uiPort),
          API_PORT: String(apiPort),
          INCIDENT_DATA_DIR: join(dir.path, '.data'),
        },
      },
    );
    cleanups.push(async () => {
      if (groupAlive(engine.child.pid!)) process.kill(-engine.child.pid!, 'SIGKILL');
      await Promise.resolve();
    });
    // Piped, start.ts writes JSON lines: the message is the `msg` of its line named "start".
    const reuseLine = () =>
      engine
        .output()
        .split('\n')
        .filter((text) => text.startsWith('{') && text.endsWith('}')) // whole lines only
        .map((text) => JSON.parse(text) as { name?: string; msg?: string })
        .find((entry) => entry.name === 'start' && entry.msg?.startsWith('reusing'))?.msg;
    await waitFor(
      () => `the reuse line; output so far:\n${engine.output()}`,
      () => Promise.resolve(reuseLine() !== undefined),
      60_000,
    );
    const line = reuseLine()!;
    assert.match(line, new RegExp(`127\\.0\\.0\\.1:${temporalPort}`));
    assert.match(line, /Temporal \d+\.\d+\.\d+/, line);
    assert.match(line, /namespace "default" found/, line);
    process.kill(-engine.child.pid!, 'SIGINT');
    await engine.exited;
  });
});
