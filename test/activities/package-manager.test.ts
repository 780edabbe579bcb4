/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createCommandActivities } from '../../src/activities/target/commands';
import { PROJECT_ROOT } from '../../src/activities/support/activity-context';
import { gitIn } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

const BUNDLED_PNPM = (
  JSON.parse(await readFile(join(PROJECT_ROOT, 'node_modules', 'pnpm', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

let dir: string;
let registry: Server;
/** Every request a package manager sent to the registry (a download attempt). */
const requests: string[] = [];
const saved = { ...process.env };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'package-manager-'));
  // A registry that records and refuses: any request is a download attempt the test catches.
  registry = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => registry.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
  process.env.npm_config_registry = url;
  process.env.COREPACK_NPM_REGISTRY = url;
});
after(async () => {
  process.env = saved;
  await new Promise((done) => registry.close(done));
  await rm(dir, { recursive: true, force: true });
});

/** A git repository with a package.json whose `build` script prints which manager ran it. */
async function tinyRepo(
  name: string,
  packageJson: Record<string, unknown>,
  files: Record<string, string> = {},
) {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  await writeFile(
    join(path, 'package.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      private: true,
      scripts: { build: 'node -e "console.log(\'built by\', process.env.npm_config_user_agent)"' },
      ...packageJson,
    }),
  );
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text);
  await gitIn(path, 'init', '--quiet', '--initial-branch=main');
  await gitIn(path, '-c', 'user.name=T', '-c', 'user.email=t@example.test', 'add', '--all');
  await gitIn(
    path,
    '-c',
    'user.name=T',
    '-c',
    'user.email=t@example.test',
    'commit',
    '--quiet',
    '-m',
    'init',
  );
  return path;
}

const info = (activityId: string) => ({
  activityId,
  attempt: 1,
  workflowExecution: { workflowId: `package-manager-test-${process.pid}`, runId: 'run' },
});

describe('package manager of the target repository', () => {
  it('fails PackageManagerMissing, naming the pin and what was found, when the pinned pnpm is not installed, without touching the network', async () => {
    const repo = await tinyRepo('pinned-missing', { packageManager: 'pnpm@9.1.0' });
    const acts = createCommandActivities(runbookDeps(dir, repo, 1));
    const before = requests.length;
    const started = Date.now();
    const error = await quietActivityEnv(info('pinned-missing'))
      .run(acts.runRunbookCommand, { incidentId: 'INC-PM1', command: 'build', step: 'build' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
    assert.equal(error.type, 'PackageManagerMissing');
    assert.equal(error.nonRetryable, true);
    assert.match(
      error.message,
      new RegExp(
        `^repo pins pnpm@9\\.1\\.0 \\(package\\.json packageManager\\); found pnpm ${BUNDLED_PNPM.replaceAll('.', '\\.')} at \\S+/pnpm`,
      ),
    );
    assert.match(error.message, /never downloads a package manager/);
    assert.deepEqual(requests.slice(before), [], 'no request reached the registry');
    assert.ok(Date.now() - started < 20_000, 'fails at once, not after a download timeout');
  });

  it('runs a repository pinning the installed pnpm version with that pnpm, without touching the network', async () => {
    const repo = await tinyRepo('pinned-installed', { packageManager: `pnpm@${BUNDLED_PNPM}` });
    const acts = createCommandActivities(runbookDeps(dir, repo, 1));
    const before = requests.length;
    const result = await quietActivityEnv(info('pinned-installed')).run(acts.runRunbookCommand, {
      incidentId: 'INC-PM2',
      command: 'build',
      step: 'build',
    });
    assert.equal(result.exitCode, 0);
    assert.match(result.tail, new RegExp(`built by pnpm/${BUNDLED_PNPM.replaceAll('.', '\\.')} `));
    assert.match(
      await readFile(result.logPath, 'utf8'),
      new RegExp(
        `pnpm@${BUNDLED_PNPM.replaceAll('.', '\\.')} \\(package\\.json packageManager\\): pnpm ${BUNDLED_PNPM.replaceAll('.', '\\.')} at `,
      ),
    );
    assert.deepEqual(requests.slice(before), [], 'no request reached the registry');
  });

  it('runs the guide default commands of an npm repository (package-lock.json) with npm: npm ci, npm run build', async () => {
    const lock = JSON.stringify({
      name: 'npm-repo',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'npm-repo', version: '1.0.0' } },
    });
    const repo = await tinyRepo('npm-repo', {}, { 'package-lock.json': lock });
    const acts = createCommandActivities(runbookDeps(dir, repo, 1));
    const env = quietActivityEnv(info('npm-repo'));
    const before = requests.length;
    const install = await env.run(acts.runRunbookCommand, {
      incidentId: 'INC-PM3',
      command: 'install',
      step: 'install',
    });
    assert.equal(install.exitCode, 0);
    const build = await env.run(acts.runRunbookCommand, {
      incidentId: 'INC-PM3',
      command: 'build',
      step: 'build',
    });
    assert.match(build.tail, /built by npm\/\d+/);
    const installLog = await readFile(install.logPath, 'utf8');
    assert.match(installLog, /npm \(package-lock\.json\): npm \d+\.\d+\.\d+ at \S+\/npm/);
    assert.match(installLog, /\["[^"]*\/npm","ci"\]/);
    assert.match(await readFile(build.logPath, 'utf8'), /\["[^"]*\/npm","run","build"\]/);
    assert.equal(existsSync(join(repo, 'pnpm-lock.yaml')), false, 'pnpm never ran here');
    assert.deepEqual(requests.slice(before), [], 'no request reached the registry');
  });
});
