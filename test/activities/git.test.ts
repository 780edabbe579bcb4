/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGitActivities } from '../../src/activities/target/git';
import type { StepFailure } from '../../src/contracts/step-failure';
import { createExampleRepo, gitIn, revertsOf } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

const env = quietActivityEnv();
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'git-activities-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function setup(name: string, options: Parameters<typeof createExampleRepo>[1]) {
  const repo = await createExampleRepo(dir, options, name);
  const acts = createGitActivities(runbookDeps(dir, repo.path, 1));
  return { repo, acts };
}

describe('git activities', () => {
  it('reverts an explicit SHA once: the second run finds the revert and makes no commit', async () => {
    const { repo, acts } = await setup('revert-twice', { breakKind: 'widget-build', docsAfter: true });
    const first = await env.run(acts.revertCommit, { incidentId: 'INC-1', sha: repo.badSha! });
    const second = await env.run(acts.revertCommit, { incidentId: 'INC-1', sha: repo.badSha! });
    assert.equal(first.alreadyReverted, false);
    assert.equal(second.alreadyReverted, true);
    assert.equal(second.revertSha, first.revertSha);
    assert.deepEqual(await revertsOf(repo.path, repo.badSha!), [first.revertSha]);
    assert.equal(await gitIn(repo.path, 'rev-parse', 'HEAD'), first.revertSha);
    // The docs commit after the bad one is still there: the explicit SHA was reverted, not HEAD.
    assert.match(await gitIn(repo.path, 'log', '--format=%s', '-3'), /Add a changelog/);
  });

  it("reverts only platforms/mcp/'s part of a commit, once", async () => {
    const { repo, acts } = await setup('revert-path', { breakKind: 'mcp-start' });
    const input = { incidentId: 'INC-2', sha: repo.badSha!, path: 'platforms/mcp/' };
    const first = await env.run(acts.revertPath, input);
    const second = await env.run(acts.revertPath, input);
    assert.equal(first.touchedPath, true);
    assert.equal(second.alreadyReverted, true);
    assert.equal(second.revertSha, first.revertSha);
    assert.equal(await gitIn(repo.path, 'rev-list', '--count', `${repo.badSha!}..HEAD`), '1');
    assert.equal(await gitIn(repo.path, 'diff', repo.goodSha, 'HEAD', '--', 'platforms/mcp/'), '');
    assert.match(await gitIn(repo.path, 'diff', repo.goodSha, 'HEAD', '--stat'), /README\.md/);
  });

  it('resumes a path revert that a crash left half applied (pending marker), making one commit', async () => {
    const { repo, acts } = await setup('revert-path-crash', { breakKind: 'mcp-start' });
    // Simulate the crash: the reverse patch is staged, the pending marker written, no commit.
    const patch = await gitIn(
      repo.path,
      'diff-tree',
      '-p',
      '--no-commit-id',
      repo.badSha!,
      '--',
      'platforms/mcp/',
    );
    const { execa } = await import('execa');
    await execa('git', ['apply', '-R', '--index', '-'], { cwd: repo.path, input: `${patch}\n` });
    const stateDir = join(await gitIn(repo.path, 'rev-parse', '--absolute-git-dir'), 'incident-engine');
    await execa('mkdir', ['-p', stateDir]);
    await writeFile(join(stateDir, `pending-path-revert-${repo.badSha!}`), 'crashed');
    const result = await env.run(acts.revertPath, {
      incidentId: 'INC-3',
      sha: repo.badSha!,
      path: 'platforms/mcp/',
    });
    assert.equal(result.alreadyReverted, false);
    assert.equal(await gitIn(repo.path, 'rev-list', '--count', `${repo.badSha!}..HEAD`), '1');
    assert.equal(await gitIn(repo.path, 'status', '--porcelain', '--untracked-files=no'), '');
  });

  it('stops at a conflicting revert with MergeConflict and leaves a clean tree', async () => {
    const { repo, acts } = await setup('conflict', { breakKind: 'ui-change' });
    // A later commit edits the same line, so the bad commit no longer reverts cleanly.
    await writeFile(
      join(repo.path, 'packages/ui/src/theme.mjs'),
      (await gitIn(repo.path, 'show', 'HEAD:packages/ui/src/theme.mjs')).replace("'#d1242f'", "'#8250df'") +
        '\n',
    );
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Purple accent');
    const head = await gitIn(repo.path, 'rev-parse', 'HEAD');
    await assert.rejects(env.run(acts.revertCommit, { incidentId: 'INC-9', sha: repo.badSha! }), {
      type: 'MergeConflict',
      nonRetryable: true,
    });
    // The failure says which git command and what git printed.
    const conflict = await env.run(acts.revertCommit, { incidentId: 'INC-9', sha: repo.badSha! }).then(
      () => assert.fail('the revert should conflict'),
      (e: unknown) => (e as { details?: unknown[] }).details?.[0] as StepFailure,
    );
    assert.equal(conflict.command, `git revert --no-edit ${repo.badSha!}`);
    assert.equal(conflict.exitCode, 1);
    assert.ok(
      conflict.lines?.some((line) => /CONFLICT .*theme\.mjs/.test(line)),
      conflict.lines?.join('\n'),
    );
    assert.equal(await gitIn(repo.path, 'rev-parse', 'HEAD'), head);
    assert.equal(await gitIn(repo.path, 'status', '--porcelain', '--untracked-files=no'), '');
  });

  it('refuses to overwrite uncommitted changes it did not make', async () => {
    const { repo, acts } = await setup('dirty', { breakKind: 'widget-build' });
    await writeFile(join(repo.path, 'packages/ui/src/theme.mjs'), 'export const theme = {};\n');
    await assert.rejects(env.run(acts.revertCommit, { incidentId: 'INC-4', sha: repo.badSha! }), {
      type: 'DirtyWorkingTree',
    });
  });

  it('resets to an explicit SHA after saving the backup ref, twice, and the backup restores', async () => {
    const { repo, acts } = await setup('reset', { breakKind: 'ui-change' });
    const first = await env.run(acts.resetToCommit, { incidentId: 'INC-5', sha: repo.goodSha });
    const second = await env.run(acts.resetToCommit, { incidentId: 'INC-5', sha: repo.goodSha });
    assert.equal(first.head, repo.goodSha);
    assert.equal(second.backup.sha, repo.headSha, 'the second run keeps the first backup');
    assert.equal(await gitIn(repo.path, 'rev-parse', 'refs/incident-backup/INC-5'), repo.headSha);
    await env.run(acts.restoreBackupRef, { incidentId: 'INC-5', branch: first.backup.branch });
    await env.run(acts.restoreBackupRef, { incidentId: 'INC-5', branch: first.backup.branch });
    assert.equal(await gitIn(repo.path, 'rev-parse', 'HEAD'), repo.headSha);
    assert.equal(await gitIn(repo.path, 'symbolic-ref', '--short', 'HEAD'), 'main');
  });

  it('checks out the known-good tag, creates the fix branch and tags a release, each twice', async () => {
    const { repo, acts } = await setup('checkout', { breakKind: 'mcp-contract' });
    const a = await env.run(acts.checkoutKnownGood, { incidentId: 'INC-6', ref: 'v1.0.0' });
    const b = await env.run(acts.checkoutKnownGood, { incidentId: 'INC-6', ref: 'v1.0.0' });
    assert.equal(a.head, repo.goodSha);
    assert.equal(b.backup.branch, undefined, 'detached after the first run');
    assert.equal(a.backup.branch, 'main');
    const fix1 = await env.run(acts.createFixBranch, { incidentId: 'INC-6', from: 'main' });
    const fix2 = await env.run(acts.createFixBranch, { incidentId: 'INC-6', from: 'main' });
    assert.deepEqual([fix1.created, fix2.created, fix1.branch], [true, false, 'fix/incident-INC-6']);
    const tag1 = await env.run(acts.tagRelease, { tag: 'v1.0.1', sha: repo.goodSha });
    const tag2 = await env.run(acts.tagRelease, { tag: 'v1.0.1', sha: repo.goodSha });
    assert.deepEqual([tag1.created, tag2.created], [true, false]);
    await assert.rejects(env.run(acts.tagRelease, { tag: 'v1.0.1', sha: repo.badSha! }), {
      type: 'TagExists',
    });
    const recent = await env.run(acts.recentCommits, {
      limit: 5,
      path: 'platforms/mcp/',
      repoPath: repo.path,
    });
    assert.equal(recent.length, 1);
    assert.equal(await env.run(acts.resolveRef, { ref: 'v1.0.0' }), repo.goodSha);
  });

  it("prunes backup refs older than target.backupRefMaxAgeDays at the next backup, never the current incident's", async () => {
    const repo = await createExampleRepo(dir, {}, 'prune-backups');
    const DAY = 86_400_000;
    const at = (daysAgo: number) => {
      const deps = runbookDeps(dir, repo.path, 1, { backupRefMaxAgeDays: 30 });
      return createGitActivities({ ...deps, now: () => new Date(Date.now() - daysAgo * DAY) });
    };
    const backups = async () =>
      (await gitIn(repo.path, 'for-each-ref', '--format=%(refname)', 'refs/incident-backup/'))
        .split('\n')
        .filter(Boolean);
    // Newest first, so none of these saves prunes another yet.
    await env.run(at(10).saveBackupRef, { incidentId: 'INC-RECENT' });
    await env.run(at(35).saveBackupRef, { incidentId: 'INC-CURRENT' });
    await env.run(at(40).saveBackupRef, { incidentId: 'INC-OLD' });
    // Made by hand or by an older engine: its age is unknown, so it counts from first sight.
    await gitIn(repo.path, 'update-ref', 'refs/incident-backup/INC-LEGACY', repo.goodSha);
    assert.equal((await backups()).length, 4);
    // INC-CURRENT's rollback runs again today: its own old ref stays, INC-OLD goes.
    for (let i = 0; i < 2; i++) {
      const result = await env.run(at(0).saveBackupRef, { incidentId: 'INC-CURRENT' });
      assert.equal(result.ref, 'refs/incident-backup/INC-CURRENT');
      assert.deepEqual(await backups(), [
        'refs/incident-backup/INC-CURRENT',
        'refs/incident-backup/INC-LEGACY',
        'refs/incident-backup/INC-RECENT',
      ]);
    }
    // 31 days on, the legacy ref (first seen today) and INC-RECENT go too.
    await env.run(at(-31).saveBackupRef, { incidentId: 'INC-NEXT' });
    assert.deepEqual(await backups(), ['refs/incident-backup/INC-NEXT']);
    assert.equal(await gitIn(repo.path, 'status', '--porcelain'), '');
  });
});
