import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { loadConfigOrSandbox, sandboxNotice } from '../../src/config/default-target';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'default-target-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const git = async (repo: string, ...args: string[]) =>
  (await execa('git', args, { cwd: repo })).stdout.trim();

describe('the embedded default target', () => {
  it('points the worker at a sandbox copy of the example under .data/sandbox/, a git repository tagged v1.0.0, when there is no config', async () => {
    const cwd = join(dir, 'no-config');
    await execa('mkdir', ['-p', cwd]);
    const { config, sandbox } = await loadConfigOrSandbox(undefined, '.data', cwd);
    const expected = join(cwd, '.data', 'sandbox', 'mcp-widgets-service');
    assert.equal(config.target.repoPath, expected);
    assert.deepEqual(sandbox, { path: expected, created: true });
    assert.equal(await git(expected, 'status', '--porcelain'), '');
    assert.equal(
      await git(expected, 'rev-parse', 'v1.0.0^{commit}'),
      await git(expected, 'rev-parse', 'HEAD'),
    );
    assert.match(
      sandboxNotice(sandbox),
      /NO CONFIG FILE[\s\S]*SANDBOX[\s\S]*\.data\/sandbox\/mcp-widgets-service/,
    );
    // A second start reuses the same copy (open incidents keep acting on it).
    const again = await loadConfigOrSandbox(undefined, '.data', cwd);
    assert.deepEqual(again.sandbox, { path: expected, created: false });
  });

  it('uses the config file instead whenever there is one', async () => {
    const cwd = join(dir, 'with-config');
    await execa('mkdir', ['-p', cwd]);
    await writeFile(
      join(cwd, 'incident.config.json'),
      JSON.stringify({ target: { repoPath: '/srv/service' } }),
    );
    const loaded = await loadConfigOrSandbox(undefined, '.data', cwd);
    assert.equal(loaded.config.target.repoPath, '/srv/service');
    assert.equal(loaded.sandbox, undefined);
    const named = await loadConfigOrSandbox(
      join(cwd, 'incident.config.json'),
      '.data',
      join(dir, 'no-config'),
    );
    assert.equal(named.sandbox, undefined);
  });
});
