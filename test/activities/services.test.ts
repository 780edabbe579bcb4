/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findMarked, isRunning } from '../../src/activities/process-tree';
import { createServiceActivities, probeHealth } from '../../src/activities/services';
import { createExampleRepo, freePort } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-activities-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('services', () => {
  it('starts the MCP server detached with a PID file, is a no-op when healthy, and stops it by PID', async () => {
    const repo = await createExampleRepo(dir, {}, 'start-stop');
    const port = await freePort();
    const acts = createServiceActivities(runbookDeps(dir, repo.path, port));
    const env = quietActivityEnv();
    const started = await env.run(acts.startService, { service: 'mcp' });
    assert.equal(started.action, 'started');
    assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`));
    const again = await env.run(acts.startService, { service: 'mcp' });
    assert.equal(again.action, 'already-healthy');
    assert.equal(again.pid, started.pid);
    const marker = `service:${repo.path}#mcp`;
    const tree = await findMarked(marker);
    assert.ok(tree.length >= 2, 'pnpm and the node server');
    const stopped = await env.run(acts.stopService, { service: 'mcp' });
    assert.equal(stopped.action, 'stopped');
    assert.equal((await env.run(acts.stopService, { service: 'mcp' })).action, 'not-running');
    assert.equal(await probeHealth(`http://127.0.0.1:${port}/health`), false);
    for (const pid of tree) assert.equal(await isRunning(pid), false, `pid ${pid} stopped`);
  });

  it('fails ServiceUnhealthy with the log tail when the server cannot start, leaving no process', async () => {
    const repo = await createExampleRepo(dir, { breakKind: 'mcp-start' }, 'broken');
    const acts = createServiceActivities(runbookDeps(dir, repo.path, await freePort()));
    await assert.rejects(
      quietActivityEnv().run(acts.startService, { service: 'mcp' }),
      (error: Error & { type?: string }) =>
        error.type === 'ServiceUnhealthy' &&
        /contract tools without implementation: render_widget/.test(error.message),
    );
    assert.deepEqual(await findMarked(`service:${repo.path}#mcp`), []);
  });

  it('never kills a process it did not start: a stale PID file naming a foreign process is ignored', async () => {
    const repo = await createExampleRepo(dir, {}, 'foreign-pid');
    const foreign = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    foreign.unref();
    await mkdir(join(repo.path, '.incident'), { recursive: true });
    await writeFile(
      join(repo.path, '.incident', 'mcp.pid'),
      JSON.stringify({ pid: foreign.pid, marker: `service:${repo.path}#mcp`, startedAt: '' }),
    );
    const acts = createServiceActivities(runbookDeps(dir, repo.path, await freePort()));
    const result = await quietActivityEnv().run(acts.stopService, { service: 'mcp' });
    assert.equal(result.action, 'not-running');
    assert.equal(await isRunning(foreign.pid!), true, 'the foreign process lives');
    process.kill(foreign.pid!, 'SIGKILL');
  });

  it('refuses with PortInUse when a foreign process holds the port', async () => {
    const repo = await createExampleRepo(dir, {}, 'foreign-port');
    const server = createServer((_req, res) => res.writeHead(503).end());
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const acts = createServiceActivities(runbookDeps(dir, repo.path, port));
      await assert.rejects(quietActivityEnv().run(acts.stopService, { service: 'mcp' }), {
        type: 'PortInUse',
      });
      await assert.rejects(quietActivityEnv().run(acts.startService, { service: 'mcp' }), {
        type: 'PortInUse',
      });
    } finally {
      server.close();
    }
  });
});
