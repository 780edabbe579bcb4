import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildProject } from '../../scripts/build/build-project';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { groupAlive, spawnGroup, waitFor } from '../helpers/processes';

const run = promisify(execFile);

/**
 * `npm run build` as the Docker image uses it: the build goes into a folder laid out like the
 * image (dist/, bin/, examples/; no src/, no tsx loader, nothing to bundle at start) and the
 * compiled CLI and worker run from it on plain node. The folder is inside the project so that
 * the compiled modules find node_modules/ the way the image's do.
 */
describe('compiled build', () => {
  const root = join(PROJECT_ROOT, '.cache', `compiled-build-${process.pid}`);
  const cleanups: (() => Promise<void>)[] = [];
  let env: TestWorkflowEnvironment;

  before(async () => {
    await rm(root, { recursive: true, force: true });
    const [result, server] = await Promise.all([buildProject(join(root, 'dist')), startDevServerEnv()]);
    env = server;
    cleanups.push(() => env.teardown());
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    assert.ok(result.modules > 100, `${result.modules} modules compiled`);
    await cp(join(PROJECT_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    await symlink(join(PROJECT_ROOT, 'examples'), join(root, 'examples'));
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('writes both workflow bundles with the source key of the sources they were built from', async () => {
    const files = await readdir(join(root, 'dist'));
    for (const file of ['workflow-bundle.js', 'workflow-bundle.traced.js', 'workflow-bundle.json'])
      assert.ok(files.includes(file), `dist/${file} exists`);
  });

  it('runs `incident --help` from dist/ on plain node', async () => {
    // There is no src/ beside this bin/, so a fallback to tsx would fail: success means dist/.
    const { stdout } = await run(process.execPath, [join(root, 'bin', 'incident.js'), '--help']);
    assert.match(stdout, /^Usage: incident \[options\] \[command\]/);
    assert.match(stdout, /drill/);
    const { stdout: drill } = await run(process.execPath, [
      join(root, 'bin', 'incident.js'),
      'drill',
      '--help',
    ]);
    assert.match(drill, /Usage: incident drill/);
  });

  it('starts a compiled worker from the prebuilt bundle and runs an incident on a real dev server', async () => {
    const dir = await tempDir('incident-compiled-');
    cleanups.push(dir.cleanup);
    const configPath = join(dir.path, 'incident.config.json');
    await writeFile(configPath, JSON.stringify({ incidentsDir: join(dir.path, 'incidents') }));
    const childEnv = {
      ...process.env,
      NODE_TEST_CONTEXT: undefined,
      NO_COLOR: '1',
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('compiled'),
      INCIDENT_CONFIG: configPath,
    };
    const worker = spawnGroup(process.execPath, [join(root, 'dist', 'worker', 'main.js')], {
      cwd: dir.path,
      env: childEnv,
    });
    cleanups.push(async () => {
      if (groupAlive(worker.child.pid!)) process.kill(-worker.child.pid!, 'SIGKILL');
      await Promise.resolve();
    });
    await waitFor(
      () => `the compiled worker to poll; output so far:\n${worker.output()}`,
      () => Promise.resolve(worker.output().includes('polling task queue')),
      120_000,
    );
    const cli = async (...args: string[]) => {
      const { stdout } = await run(process.execPath, [join(root, 'bin', 'incident.js'), ...args], {
        cwd: dir.path,
        env: childEnv,
      });
      return JSON.parse(stdout) as Record<string, unknown>;
    };
    const opened = await cli(
      'start',
      '--severity',
      'SEV-3',
      '--service',
      'widgets',
      '--summary',
      'compiled',
      '--json',
    );
    // The status query is answered by the workflow code in the prebuilt bundle.
    const status = await cli('status', String(opened.workflowId), '--json');
    assert.equal(status.incidentId, opened.incidentId);
    assert.equal(typeof status.stage, 'string');
    assert.ok(!existsSync(join(root, '.cache')), 'the compiled worker bundled nothing and wrote no cache');
    process.kill(-worker.child.pid!, 'SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());
  });
});
