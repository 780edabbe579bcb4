import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { loadEngineConfig } from '../../src/config/engine-config';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { createExampleRepo, createNpmExampleRepo, gitIn } from '../helpers/example-repo';

const BIN = join(PROJECT_ROOT, 'bin/incident.js');

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doctor-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The real CLI as an operator runs it; Temporal is pointed at a closed port (doctor needs none). */
const doctor = (...args: string[]) =>
  execa(process.execPath, [BIN, 'doctor', ...args], {
    reject: false,
    env: { TEMPORAL_ADDRESS: '127.0.0.1:1', NO_COLOR: '1' },
    timeout: 180_000,
  });

const PROOF_STEPS = [
  'worktree',
  'install',
  'build',
  'build-widgets',
  'widgets-built',
  'test',
  'start-server',
  'contract-test',
  'stop-server',
];

async function assertProofPassed(stdout: string, repo: string): Promise<void> {
  for (const step of PROOF_STEPS) assert.match(stdout, new RegExp(`^  ok   ${step} `, 'm'), `step ${step}`);
  assert.match(stdout, /rollbacks +widget can run; mcp can run; full can run/);
  assert.doesNotMatch(stdout, /FAIL|missing:/);
  // The scratch worktree is gone again.
  assert.equal((await gitIn(repo, 'worktree', 'list')).split('\n').length, 1);
}

describe('incident doctor', () => {
  it('writes a config for the npm example (npm ci, PORT, /healthz, widgets in a workspace dist) that validates, and proves every rollback can run', async () => {
    const repo = await createNpmExampleRepo(dir, 'npm-service');
    const file = join(dir, 'npm-service.yaml');
    const run = await doctor('--repo', repo.path, '--write', file);
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /package manager +npm \(package-lock\.json\): npm \d+\.\d+\.\d+ at \S+\/npm/);
    assert.match(run.stdout, /workspaces +@npm-mcp\/widgets \(packages\/widgets\)/);
    assert.match(
      run.stdout,
      /mcp server +npm run start → services\/mcp-server\/server\.mjs; port from PORT \(default 3000\); health \/healthz/,
    );
    assert.match(run.stdout, /tags +v1\.0\.0; newest known-good v1\.0\.0/);
    await assertProofPassed(run.stdout, repo.path);
    const config = await loadEngineConfig(file);
    assert.equal(config.target.repoPath, repo.path);
    assert.deepEqual(config.target.runbook.install.argv, ['npm', 'ci']);
    assert.deepEqual(config.target.runbook.build.argv, ['npm', 'run', 'build']);
    assert.deepEqual(config.target.runbook.buildWidgets.argv, ['npm', 'run', 'widgets:build']);
    assert.deepEqual(config.target.runbook.contractTest.argv, ['npm', 'run', 'test:contract']);
    assert.deepEqual(config.target.services['mcp-server'], {
      ...config.target.services['mcp-server'],
      start: ['npm', 'run', 'start'],
      port: 3000,
      portEnv: 'PORT',
      healthUrl: 'http://127.0.0.1:3000/healthz',
    });
    assert.equal(config.target.paths.widgetsDist, 'packages/widgets/dist');
    assert.equal(config.target.paths.mcp, 'services/mcp-server/');
    assert.match(await readFile(file, 'utf8'), /^# Written by incident doctor/);
  });

  it('writes a config for the pnpm example that validates and proves every rollback can run', async () => {
    const repo = await createExampleRepo(dir, {}, 'pnpm-service');
    const file = join(dir, 'pnpm-service.json');
    const run = await doctor('--repo', repo.path, '--write', file);
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /package manager +pnpm \(pnpm-lock\.yaml\): pnpm \d+\.\d+\.\d+ at /);
    assert.match(
      run.stdout,
      /mcp server +pnpm mcp:start → platforms\/mcp\/server\.mjs; port from MCP_PORT \(default 8787\); health \/health$/m,
    );
    await assertProofPassed(run.stdout, repo.path);
    const config = await loadEngineConfig(file);
    assert.deepEqual(config.target.runbook.buildWidgets.argv, ['pnpm', 'build:widgets']);
    assert.equal(config.target.services['mcp-server']?.portEnv, 'MCP_PORT');
    assert.equal(config.target.services['mcp-server']?.healthUrl, undefined);
    assert.equal(config.target.paths.widgetsDist, 'dist/widgets');
  });

  it('writes the service under --service on --port with the --policy-file policy, so nobody edits the file afterwards', async () => {
    const repo = await createNpmExampleRepo(dir, 'flags');
    const policy = join(dir, 'flags-policy.yaml');
    await writeFile(
      policy,
      'policy:\n  healthCheck:\n    url: http://127.0.0.1:9123/healthz\n    duration: 2s\n',
    );
    const file = join(dir, 'flags.yaml');
    const run = await doctor(
      '--repo',
      repo.path,
      '--service',
      'checkout-api',
      '--port',
      '9123',
      '--policy-file',
      policy,
      '--no-prove',
      '--write',
      file,
    );
    assert.match(run.stdout, /config written to /, `${run.stdout}\n${run.stderr}`);
    const config = await loadEngineConfig(file);
    assert.deepEqual(Object.keys(config.target.services), ['checkout-api']);
    assert.equal(config.target.services['checkout-api']!.port, 9123);
    assert.equal(config.target.services['checkout-api']!.healthUrl, 'http://127.0.0.1:9123/healthz');
    assert.equal(config.policy.healthCheck.url, 'http://127.0.0.1:9123/healthz');
    assert.equal(config.policy.healthCheck.duration, 2_000);

    const badPort = await doctor('--repo', repo.path, '--port', '70000', '--no-prove');
    assert.notEqual(badPort.exitCode, 0);
    assert.match(badPort.stderr, /--port.*must be a TCP port between 1 and 65535/);
  });

  it('exits non-zero naming the missing build script when the repository has none', async () => {
    const repo = await createNpmExampleRepo(dir, 'no-build');
    const pkgPath = join(repo.path, 'package.json');
    const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { scripts: Record<string, string> };
    delete pkg.scripts.build;
    await writeFile(pkgPath, JSON.stringify(pkg, null, 2));
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Drop the build script');
    await gitIn(repo.path, 'tag', '--force', 'v1.0.0');
    const run = await doctor('--repo', repo.path, '--write', join(dir, 'no-build.yaml'));
    assert.equal(run.exitCode, 1, run.stdout);
    assert.match(run.stdout, /build +NOT FOUND/);
    assert.match(run.stdout, /FAIL build /);
    assert.match(run.stdout, /full CANNOT run \(build failed\)/);
    assert.match(
      run.stderr,
      /^error: not every rollback procedure could run: a build script \(package\.json scripts\.build\)/,
    );
    assert.equal(run.stderr.trim().split('\n').length, 1, 'one line on stderr');
  });

  it('exits non-zero naming the pinned package manager when that version is not installed, and never downloads it', async () => {
    const repo = await createExampleRepo(dir, {}, 'pinned');
    const pkgPath = join(repo.path, 'package.json');
    const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as Record<string, unknown>;
    await writeFile(pkgPath, JSON.stringify({ ...pkg, packageManager: 'pnpm@9.1.0' }, null, 2));
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Pin pnpm 9.1.0');
    await gitIn(repo.path, 'tag', '--force', 'v1.0.0');
    const run = await doctor('--repo', repo.path);
    assert.equal(run.exitCode, 1, run.stdout);
    assert.match(run.stdout, /FAIL install +repo pins pnpm@9\.1\.0/);
    assert.match(run.stdout, /package manager +pnpm@9\.1\.0 \(package\.json packageManager\): NOT INSTALLED/);
    assert.match(
      run.stderr,
      /repo pins pnpm@9\.1\.0 \(package\.json packageManager\); found pnpm \d+\.\d+\.\d+ at /,
    );
  });
});
