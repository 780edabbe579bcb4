/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findMarked, isRunning } from '../../src/activities/support/process-tree';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { createExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-activities-'));
});
/** Services a test started, stopped even when its assertions fail first. */
const running: ReturnType<typeof createServiceActivities>[] = [];
after(async () => {
  for (const acts of running) await quietActivityEnv().run(acts.stopService, { service: 'mcp' });
  await rm(dir, { recursive: true, force: true });
});

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
      (error: Error & { type?: string; details?: unknown[] }) => {
        const details = error.details?.[0] as { command?: string; lines?: string[]; logPath?: string };
        assert.equal(details?.command, 'pnpm mcp:start');
        assert.ok(details.lines?.some((line) => /contract tools without implementation/.test(line)));
        assert.match(details.logPath ?? '', /\.git\/incident-engine\/services\/mcp\.log$/);
        return (
          error.type === 'ServiceUnhealthy' &&
          /contract tools without implementation: render_widget/.test(error.message)
        );
      },
    );
    assert.deepEqual(await findMarked(`service:${repo.path}#mcp`), []);
  });

  it('never kills a process it did not start: a stale PID file naming a foreign process is ignored', async () => {
    const repo = await createExampleRepo(dir, {}, 'foreign-pid');
    const foreign = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    foreign.unref();
    const stateDir = join(repo.path, '.git', 'incident-engine', 'services');
    await mkdir(stateDir, { recursive: true });
    await writeFile(
      join(stateDir, 'mcp.pid'),
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

  it('a retry that finds the server it started healthy adopts it, and a later stop stops exactly that one', async () => {
    const repo = await createExampleRepo(dir, {}, 'adopt');
    const port = await freePort();
    const acts = createServiceActivities(runbookDeps(dir, repo.path, port));
    running.push(acts);
    const attempt = (n: number) =>
      quietActivityEnv({
        activityId: 'start-mcp',
        attempt: n,
        workflowExecution: { workflowId: 'rollback-mcp-INC-S5', runId: 'run-1' },
      });
    const started = await attempt(1).run(acts.startService, { service: 'mcp' });
    assert.equal(started.action, 'started');
    // The worker died before the result was recorded: the retry finds the server healthy.
    const adopted = await attempt(2).run(acts.startService, { service: 'mcp' });
    assert.deepEqual(
      { action: adopted.action, pid: adopted.pid, owned: adopted.owned },
      { action: 'adopted', pid: started.pid, owned: true },
    );
    assert.match(
      adopted.note ?? '',
      new RegExp(`adopted the server started by an earlier attempt \\(pid ${started.pid}\\)`),
    );
    // The worker died after spawning, before even the PID was written: the marker still finds it.
    const pidFile = join(repo.path, '.git', 'incident-engine', 'services', 'mcp.pid');
    const record = JSON.parse(await readFile(pidFile, 'utf8')) as { pid?: number };
    delete record.pid;
    await writeFile(pidFile, JSON.stringify(record));
    const again = await attempt(3).run(acts.startService, { service: 'mcp' });
    assert.deepEqual([again.action, again.pid], ['adopted', started.pid]);
    // Another incident's retry does not claim it.
    const other = await quietActivityEnv({ attempt: 2 }).run(acts.startService, {
      service: 'mcp',
      incidentId: 'INC-OTHER',
    });
    assert.equal(other.action, 'already-healthy');
    const tree = await findMarked(`service:${repo.path}#mcp`);
    const stopped = await quietActivityEnv().run(acts.stopService, { service: 'mcp' });
    assert.equal(stopped.action, 'stopped');
    assert.equal(stopped.pid, started.pid);
    for (const pid of tree) assert.equal(await isRunning(pid), false, `pid ${pid} stopped`);
    assert.equal(await probeHealth(`http://127.0.0.1:${port}/health`), false);
  });

  it('reports a healthy server someone else started as not owned, and leaves it alone', async () => {
    const repo = await createExampleRepo(dir, {}, 'not-owned');
    const server = createServer((_req, res) => res.writeHead(200).end('ok'));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const acts = createServiceActivities(runbookDeps(dir, repo.path, port));
      const result = await quietActivityEnv({ attempt: 2 }).run(acts.startService, { service: 'mcp' });
      assert.equal(result.action, 'already-healthy');
      assert.equal(result.owned, false);
      assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`));
    } finally {
      server.close();
    }
  });

  it('keeps its PID file and server log out of the work tree', async () => {
    const repo = await createExampleRepo(dir, {}, 'clean-tree');
    // A real target does not git-ignore the engine's files.
    await writeFile(join(repo.path, '.gitignore'), 'node_modules/\ndist/\n');
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Ignore only build output');
    const acts = createServiceActivities(runbookDeps(dir, repo.path, await freePort()));
    running.push(acts);
    const env = quietActivityEnv();
    await env.run(acts.startService, { service: 'mcp' });
    assert.equal(await gitIn(repo.path, 'status', '--porcelain'), '');
    await env.run(acts.stopService, { service: 'mcp' });
    assert.equal(await gitIn(repo.path, 'status', '--porcelain'), '');
  });

  it('honours a configured PID file inside the work tree and keeps it out of git status', async () => {
    const repo = await createExampleRepo(dir, {}, 'configured-pid');
    await writeFile(join(repo.path, '.gitignore'), 'node_modules/\ndist/\n');
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Ignore only build output');
    const port = await freePort();
    const acts = createServiceActivities(
      runbookDeps(dir, repo.path, port, { services: { mcp: { port, pidFile: 'run/mcp.pid' } } }),
    );
    running.push(acts);
    const env = quietActivityEnv();
    const started = await env.run(acts.startService, { service: 'mcp' });
    const record = JSON.parse(await readFile(join(repo.path, 'run', 'mcp.pid'), 'utf8')) as { pid: number };
    assert.equal(record.pid, started.pid);
    assert.equal(await gitIn(repo.path, 'status', '--porcelain'), '');
    await env.run(acts.startService, { service: 'mcp' });
    assert.equal(
      (await readFile(join(repo.path, '.git', 'info', 'exclude'), 'utf8')).match(/^\/run\/mcp\.pid$/gm)
        ?.length,
      1,
      'excluded once',
    );
    await env.run(acts.stopService, { service: 'mcp' });
    assert.equal(await gitIn(repo.path, 'status', '--porcelain'), '');
  });
});
