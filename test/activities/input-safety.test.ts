/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGitActivities } from '../../src/activities/target/git';
import { assertFullSha, assertRefName, assertRepoPath, UnsafeInputError } from '../../src/domain/git-safety';
import { parseEngineConfig } from '../../src/config/engine-config';
import { createExampleRepo } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

const HOSTILE = [
  '--upload-pack=touch /tmp/pwned',
  '-c',
  ';rm -rf /',
  'main;rm -rf ~',
  '$(reboot)',
  '`id`',
  'a b',
  'v1.0.0 && echo',
  '../../etc/passwd',
  'refs/heads/../../x',
  'HEAD@{1}',
  'main\nrm -rf /',
  'x|y',
  '',
];

describe('refs and paths are validated before any command runs', () => {
  for (const value of HOSTILE) {
    it(`refuses ${JSON.stringify(value)} as a ref, a path and a SHA`, () => {
      assert.throws(() => assertRefName(value), UnsafeInputError);
      assert.throws(() => assertRepoPath(value), UnsafeInputError);
      assert.throws(() => assertFullSha(value), UnsafeInputError);
    });
  }

  it('accepts plain tags, branches, SHAs and repository paths', () => {
    assert.equal(assertRefName('v1.2.3'), 'v1.2.3');
    assert.equal(
      assertRefName('fix/incident-INCIDENT-20261127-120000'),
      'fix/incident-INCIDENT-20261127-120000',
    );
    assert.equal(assertFullSha('a'.repeat(40)), 'a'.repeat(40));
    assert.equal(assertRepoPath('platforms/mcp/'), 'platforms/mcp/');
    assert.throws(
      () => assertFullSha('abc123'),
      UnsafeInputError,
      'short SHAs are refused for destructive steps',
    );
  });

  describe('with a git that records every call', () => {
    let dir: string;
    let calls: string;
    let repoPath: string;
    let savedPath: string | undefined;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'input-safety-'));
      repoPath = (await createExampleRepo(dir, { breakKind: 'ui-change' })).path;
      calls = join(dir, 'git-calls.log');
      await writeFile(join(dir, 'git'), `#!/bin/sh\necho "$@" >> ${calls}\nexit 1\n`);
      await chmod(join(dir, 'git'), 0o755);
      await writeFile(calls, '');
      savedPath = process.env.PATH;
      process.env.PATH = `${dir}:${process.env.PATH}`;
    });
    after(async () => {
      process.env.PATH = savedPath;
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses hostile input to every git activity with UnsafeInput and never starts git', async () => {
      const acts = createGitActivities(runbookDeps(dir, repoPath, 1));
      const env = quietActivityEnv();
      const attempts: [string, () => Promise<unknown>][] = [
        [
          'revertCommit',
          () => env.run(acts.revertCommit, { incidentId: 'I', sha: '--upload-pack=touch /tmp/pwned' }),
        ],
        [
          'revertPath sha',
          () => env.run(acts.revertPath, { incidentId: 'I', sha: ';rm -rf /', path: 'platforms/mcp/' }),
        ],
        [
          'revertPath path',
          () => env.run(acts.revertPath, { incidentId: 'I', sha: 'a'.repeat(40), path: '../../etc' }),
        ],
        ['resetToCommit', () => env.run(acts.resetToCommit, { incidentId: 'I', sha: 'HEAD~1' })],
        ['checkoutKnownGood', () => env.run(acts.checkoutKnownGood, { incidentId: 'I', ref: '--orphan=x' })],
        ['resolveRef', () => env.run(acts.resolveRef, { ref: 'v1;rm -rf ~' })],
        ['recentCommits', () => env.run(acts.recentCommits, { path: '--output=/tmp/x' })],
        ['tagRelease', () => env.run(acts.tagRelease, { tag: '-d', sha: 'a'.repeat(40) })],
        ['createFixBranch', () => env.run(acts.createFixBranch, { incidentId: 'I', from: '$(id)' })],
        ['restoreBackupRef', () => env.run(acts.restoreBackupRef, { incidentId: 'I', branch: '--force' })],
      ];
      for (const [name, attempt] of attempts)
        await assert.rejects(attempt(), { type: 'UnsafeInput' }, `${name} refused`);
      assert.equal(await readFile(calls, 'utf8'), '', 'git was never started');
    });
  });

  it('config errors name the field', () => {
    assert.throws(
      () =>
        parseEngineConfig({
          target: { runbook: { build: { argv: ['--exec=evil'] } }, services: { mcp: { port: 0 } } },
        }),
      /target\.services\.mcp\.port: .*target\.runbook\.build\.argv: the program must not start with "-"/,
    );
  });
});
