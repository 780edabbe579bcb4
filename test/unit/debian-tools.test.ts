import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { aptInstall, locateTool, packagesFor, requireTool } from '../../scripts/debian-tools';
import { PROJECT_ROOT, requireBinary } from '../../src/temporal/binaries';
import { tempDir } from '../helpers/temporal';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

async function fakeExecutable(path: string, body = 'echo fake'): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('finding and installing the Debian tools', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('incident-debian-tools-');
  });
  after(() => dir.cleanup());

  it('prefers the environment override, then PATH, and knows chromium by both names', async () => {
    const fromEnv = await fakeExecutable(join(dir.path, 'env', 'prometheus'));
    const pathDir = join(dir.path, 'pathdir');
    await fakeExecutable(join(pathDir, 'prometheus'));
    await fakeExecutable(join(pathDir, 'chromium-browser'));

    assert.deepEqual(locateTool('prometheus', { PROMETHEUS_BIN: fromEnv, PATH: pathDir }).found, {
      path: fromEnv,
      route: 'PROMETHEUS_BIN',
    });
    assert.deepEqual(locateTool('prometheus', { PATH: pathDir }).found, {
      path: join(pathDir, 'prometheus'),
      route: 'PATH',
    });
    assert.deepEqual(locateTool('chromium', { PATH: pathDir }).found, {
      path: join(pathDir, 'chromium-browser'),
      route: 'PATH',
    });
  });

  it('reports an override that points nowhere instead of silently using PATH', async () => {
    const pathDir = join(dir.path, 'pathdir2');
    await fakeExecutable(join(pathDir, 'promtool'));
    const { found, tried } = locateTool('promtool', { PROMTOOL_BIN: '/nowhere/promtool', PATH: pathDir });
    assert.equal(found, undefined);
    assert.deepEqual(tried, ['PROMTOOL_BIN=/nowhere/promtool (not an executable file)']);
    assert.throws(
      () => requireTool('promtool', { PATH: join(dir.path, 'empty') }),
      /promtool is not provisioned[\s\S]*PROMTOOL_BIN \(not set\)[\s\S]*apt-get install -y --no-install-recommends prometheus/,
    );
  });

  it('asks for each Debian package once', () => {
    assert.deepEqual(packagesFor(['promtool', 'chromium', 'prometheus']), ['chromium', 'prometheus']);
  });

  it('runs apt-get update only when the install failed for lack of package lists', async () => {
    const pathDir = join(dir.path, 'apt');
    const aptGet = await fakeExecutable(join(pathDir, 'apt-get'));
    const calls: string[][] = [];
    let installs = 0;
    const result = aptInstall(
      ['prometheus'],
      { PATH: pathDir },
      (command, args) => {
        calls.push([command, ...args]);
        if (args[0] === 'install' && installs++ === 0) {
          return { ok: false, output: 'E: Unable to locate package prometheus\n' };
        }
        return { ok: true, output: '' };
      },
      true,
    );
    assert.equal(result.ok, true);
    assert.deepEqual(
      calls.map((call) => call.slice(0, 2)),
      [
        [aptGet, 'install'],
        [aptGet, 'update'],
        [aptGet, 'install'],
      ],
    );
    assert.deepEqual(calls[0]!.slice(1), [
      'install',
      '-y',
      '--no-install-recommends',
      '-o',
      'DPkg::Lock::Timeout=300',
      'prometheus',
    ]);

    const other = aptInstall(
      ['prometheus'],
      { PATH: pathDir },
      () => ({ ok: false, output: 'E: Could not get lock /var/lib/dpkg/lock-frontend\n' }),
      true,
    );
    assert.equal(other.ok, false);
    assert.equal(other.tried.length, 1, 'a failure update cannot fix is not retried');
    assert.match(other.tried[0]!, /apt-get install .* prometheus \(E: Could not get lock/);

    assert.deepEqual(aptInstall(['prometheus'], { PATH: join(dir.path, 'empty') }).tried, [
      "'apt-get' on PATH (not found: not a Debian-like system)",
    ]);
  });

  it('strict provisioning fails naming each missing tool, every apt-get command tried and the fix', async () => {
    const pathDir = join(dir.path, 'strict');
    const log = join(dir.path, 'apt-calls.log');
    // A real child process running a fake apt-get: lists missing, update "works", install fails again.
    await fakeExecutable(
      join(pathDir, 'apt-get'),
      `echo "$@" >> ${log}\n[ "$1" = update ] && exit 0\necho "E: Unable to locate package prometheus" >&2\nexit 100`,
    );
    const env = {
      PATH: pathDir,
      TEMPORAL_CLI_PATH: requireBinary('cli'),
      TEMPORAL_TEST_SERVER_PATH: requireBinary('testServer'),
    };
    const script = ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'scripts/provision.ts')];
    const strict = await run(process.execPath, script, {
      env: { ...env, INCIDENT_PROVISION_STRICT: '1' },
    }).then(
      () => undefined,
      (failure: { code: number; stderr: string }) => failure,
    );
    assert.ok(strict, 'strict provisioning exits non-zero');
    assert.equal(strict.code, 1);
    for (const [tool, variable, pkg] of [
      ['prometheus', 'PROMETHEUS_BIN', 'prometheus'],
      ['promtool', 'PROMTOOL_BIN', 'prometheus'],
      ['chromium', 'CHROMIUM_BIN', 'chromium'],
      ['dockerCompose', 'DOCKER_COMPOSE_BIN', 'docker-compose'],
    ] as const) {
      assert.match(strict.stderr, new RegExp(`${tool}: no route worked`));
      assert.match(strict.stderr, new RegExp(`${variable} \\(not set\\)`));
      assert.match(strict.stderr, new RegExp(`Fix: sudo apt-get install -y --no-install-recommends ${pkg}`));
    }
    if (isRoot) {
      assert.match(
        strict.stderr,
        /apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 chromium docker-compose prometheus \(E: Unable to locate package/,
      );
      const calls = (await readFile(log, 'utf8')).trim().split('\n');
      assert.deepEqual(
        calls.map((line) => line.split(' ')[0]),
        ['install', 'update', 'install'],
      );
    }

    // Without strict mode the same miss is a printed hint, not a failed `npm install`.
    const lenient = await run(process.execPath, script, { env });
    assert.match(lenient.stderr, /chromium: no route worked/);
  });
});

describe('apt-get without root', () => {
  it('goes through `sudo -n` (never prompting) and carries DEBIAN_FRONTEND through it', async () => {
    const dir = await tempDir('incident-debian-sudo-');
    try {
      const aptGet = await fakeExecutable(join(dir.path, 'bin', 'apt-get'));
      const sudo = await fakeExecutable(join(dir.path, 'bin', 'sudo'));
      const calls: string[][] = [];
      const ok = aptInstall(
        ['chromium'],
        { PATH: join(dir.path, 'bin') },
        (command, args) => {
          calls.push([command, ...args]);
          return { ok: true, output: '' };
        },
        false,
      );
      assert.equal(ok.ok, true);
      assert.deepEqual(calls[0], [sudo, '-n', 'true']);
      assert.deepEqual(calls[1]!.slice(0, 5), [sudo, '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', aptGet]);
      assert.equal(calls[1]!.at(-1), 'chromium');

      const refused = aptInstall(
        ['chromium'],
        { PATH: join(dir.path, 'bin') },
        () => ({ ok: false, output: 'sudo: a password is required' }),
        false,
      );
      assert.deepEqual(refused, {
        ok: false,
        tried: ['apt-get needs root: not root, and no sudo without a password'],
      });
    } finally {
      await dir.cleanup();
    }
  });
});
