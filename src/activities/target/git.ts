/**
 * The guide's git steps as activities, each safe to run twice. Destructive steps act only on an
 * explicit full SHA or tag recorded in workflow state (never "HEAD" on a retry), save HEAD to
 * `refs/incident-backup/<ID>` first, and check before acting whether their effect is already
 * there. Every ref and path is validated before git runs.
 */
import {
  assertFullSha,
  assertRefName,
  assertRepoPath,
  backupRefName,
  fixBranchName,
} from '../../domain/git-safety';
import { FAILURE } from '../../domain/failure-types';
import { failure, validated } from '../support/activity-context';
import { pruneBackupRefs, recordBackupCreated } from '../support/backup-refs';
import type { ActivityDeps } from '../deps';
import {
  currentBranch,
  git,
  gitCommitting,
  gitFailureDetails,
  head,
  isAncestor,
  revParse,
} from '../support/git-runner';
import { withPendingMarker } from '../support/git-state';
import { resolveRepo } from '../support/repo';

export interface RepoInput {
  repoPath?: string;
}
export interface IncidentRepoInput extends RepoInput {
  incidentId: string;
}
export interface CommitSummary {
  sha: string;
  subject: string;
}
export interface BackupResult {
  ref: string;
  sha: string;
  /** The branch HEAD was on, undefined when it was detached. */
  branch?: string;
}

const subjectsOf = (out: string): CommitSummary[] =>
  out
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ sha: line.slice(0, 40), subject: line.slice(41) }));

async function requireCommit(repo: string, ref: string, field: string): Promise<string> {
  const sha = await revParse(repo, ref);
  if (!sha) throw failure(FAILURE.notConfigured, `${field} ${ref} does not name a commit in ${repo}`);
  return sha;
}

/**
 * Saves HEAD to the backup ref unless one exists (a retry must not overwrite it with a later
 * HEAD), and records when it was made, for pruning.
 */
export async function saveBackup(repo: string, incidentId: string, now = new Date()): Promise<BackupResult> {
  const ref = validated(() => backupRefName(incidentId));
  // Three independent reads at once: every rollback waits for this step.
  const [branch, existing, sha] = await Promise.all([currentBranch(repo), revParse(repo, ref), head(repo)]);
  if (existing) return { ref, sha: existing, branch };
  await git(repo, ['update-ref', '-m', `incident ${incidentId} backup`, ref, sha, '']);
  await recordBackupCreated(repo, ref, now);
  return { ref, sha, branch };
}

export function createGitActivities(deps: ActivityDeps) {
  return {
    /** `git log --oneline -N [-- path]`. Read-only. */
    async recentCommits(input: RepoInput & { limit?: number; path?: string }): Promise<CommitSummary[]> {
      const repo = resolveRepo(deps, input.repoPath);
      const limit = Math.min(Math.max(Math.trunc(input.limit ?? 10), 1), 200);
      const args = ['log', `--max-count=${limit}`, '--format=%H %s', 'HEAD'];
      if (input.path !== undefined)
        args.push(
          '--',
          validated(() => assertRepoPath(input.path, 'path')),
        );
      return subjectsOf((await git(repo, args)).stdout);
    },

    /** Resolves a branch, tag or SHA to a full commit SHA. Read-only. */
    async resolveRef(input: RepoInput & { ref: string }): Promise<string> {
      const ref = validated(() => assertRefName(input.ref, 'ref'));
      return requireCommit(resolveRepo(deps, input.repoPath), ref, 'ref');
    },

    /**
     * Saves HEAD to `refs/incident-backup/<ID>` before any destructive step. A second run keeps
     * the first backup, so the saga can always restore the state from before the incident's changes.
     * Then deletes other incidents' backup refs older than `target.backupRefMaxAgeDays` (every
     * rollback starts here, so they never pile up); deleting again finds nothing more to delete.
     */
    async saveBackupRef(input: IncidentRepoInput): Promise<BackupResult> {
      const repo = resolveRepo(deps, input.repoPath);
      const now = deps.now();
      const backup = await saveBackup(repo, input.incidentId, now);
      const pruned = await pruneBackupRefs(repo, {
        keep: backup.ref,
        maxAgeDays: deps.config.target.backupRefMaxAgeDays,
        now,
      });
      if (pruned.length > 0)
        deps.log(
          `[git] ${repo}: pruned ${pruned.length} backup ref(s) older than ${deps.config.target.backupRefMaxAgeDays} days: ${pruned.join(', ')}`,
          { incidentId: input.incidentId, step: 'save-backup-ref' },
        );
      return backup;
    },

    /**
     * Undo of every git step: back to the backup (the branch it was on, at the saved SHA). A
     * second run finds HEAD already there and changes nothing.
     */
    async restoreBackupRef(input: IncidentRepoInput & { branch?: string }): Promise<string> {
      const repo = resolveRepo(deps, input.repoPath);
      const ref = validated(() => backupRefName(input.incidentId));
      const branch =
        input.branch === undefined ? undefined : validated(() => assertRefName(input.branch, 'branch'));
      const sha = await requireCommit(repo, ref, 'backup');
      if (branch === undefined) {
        await git(repo, ['checkout', '--quiet', '--force', '--detach', sha]);
      } else {
        if ((await currentBranch(repo)) !== branch)
          await git(repo, ['checkout', '--quiet', '--force', branch, '--']);
        await git(repo, ['reset', '--quiet', '--hard', sha]);
      }
      return head(repo);
    },

    /**
     * `git revert <sha>` for one explicit SHA. No-op when a commit after it already says "This
     * reverts commit <sha>" (the first attempt's revert). A conflict aborts the revert and fails
     * with `MergeConflict` (non-retryable).
     */
    async revertCommit(
      input: IncidentRepoInput & { sha: string },
    ): Promise<{ revertSha: string; alreadyReverted: boolean }> {
      const sha = validated(() => assertFullSha(input.sha, 'sha'));
      const repo = resolveRepo(deps, input.repoPath);
      const revertsArgs = [
        'log',
        '--format=%H',
        '--fixed-strings',
        `--grep=This reverts commit ${sha}`,
        `${sha}..HEAD`,
      ];
      // Both reads at once; the revert search counts only once the SHA is known to be in
      // HEAD's history (one git call answers both "is it a commit" and "is it an ancestor").
      const [ancestor, search] = await Promise.all([
        isAncestor(repo, sha, 'HEAD'),
        git(repo, revertsArgs, { allowFail: true }),
      ]);
      if (!ancestor) throw failure(FAILURE.notAncestor, `${sha} is not a commit in HEAD's history`);
      const done = search.exitCode === 0 ? search : await git(repo, revertsArgs);
      const existing = done.stdout.split('\n').filter(Boolean)[0];
      if (existing) return { revertSha: existing, alreadyReverted: true };
      return withPendingMarker(repo, `revert-${sha}`, async () => {
        const result = await gitCommitting(repo, ['revert', '--no-edit', sha], { allowFail: true });
        if (result.exitCode !== 0) {
          await git(repo, ['revert', '--abort'], { allowFail: true });
          throw failure(
            FAILURE.mergeConflict,
            `git revert ${sha} does not apply cleanly: ${result.stderr.trim()}`,
            gitFailureDetails(FAILURE.mergeConflict, ['revert', '--no-edit', sha], result),
          );
        }
        return { revertSha: await head(repo), alreadyReverted: false };
      });
    },

    /**
     * Reverts only `path`'s part of a commit: git has no `revert -- <path>`, so the commit's diff
     * limited to the path is applied in reverse (`git apply -R --index`, all or nothing) and
     * committed with the trailer `Incident-Path-Revert: <sha> -- <path>`, which a second run finds.
     */
    async revertPath(
      input: IncidentRepoInput & { sha: string; path: string },
    ): Promise<{ revertSha?: string; alreadyReverted: boolean; touchedPath: boolean }> {
      const sha = validated(() => assertFullSha(input.sha, 'sha'));
      const path = validated(() => assertRepoPath(input.path, 'path'));
      const repo = resolveRepo(deps, input.repoPath);
      // One git call answers both "is it a commit" and "is it in HEAD's history".
      if (!(await isAncestor(repo, sha, 'HEAD')))
        throw failure(FAILURE.notAncestor, `${sha} is not a commit in HEAD's history`);
      const trailer = `Incident-Path-Revert: ${sha} -- ${path}`;
      const done = await git(repo, [
        'log',
        '--format=%H',
        '--fixed-strings',
        `--grep=${trailer}`,
        `${sha}..HEAD`,
      ]);
      const existing = done.stdout.split('\n').filter(Boolean)[0];
      if (existing) return { revertSha: existing, alreadyReverted: true, touchedPath: true };
      const patch = (
        await git(repo, ['diff-tree', '-p', '--binary', '--root', '--no-commit-id', sha, '--', path])
      ).stdout;
      if (patch.trim() === '') return { alreadyReverted: false, touchedPath: false };
      return withPendingMarker(repo, `path-revert-${sha}`, async () => {
        const applied = await git(repo, ['apply', '-R', '--index', '-'], {
          allowFail: true,
          input: `${patch}\n`,
        });
        if (applied.exitCode !== 0)
          throw failure(
            FAILURE.mergeConflict,
            `the ${path} part of ${sha} does not reverse cleanly: ${applied.stderr.trim()}`,
          );
        const subject = (await git(repo, ['log', '-1', '--format=%s', sha])).stdout.trim();
        const message = `Revert "${subject}" (${path} only)\n\nThis reverts the ${path} part of commit ${sha}.\n\nIncident: ${input.incidentId}\n${trailer}\n`;
        await gitCommitting(repo, ['commit', '--quiet', '--no-verify', '-F', '-'], { input: message });
        return { revertSha: await head(repo), alreadyReverted: false, touchedPath: true };
      });
    },

    /**
     * `git reset --hard <sha>` to an explicit SHA that is in HEAD's history, after saving the
     * backup ref. A second run finds HEAD already at the SHA and does nothing.
     */
    async resetToCommit(
      input: IncidentRepoInput & { sha: string },
    ): Promise<{ head: string; backup: BackupResult }> {
      const sha = validated(() => assertFullSha(input.sha, 'sha'));
      const repo = resolveRepo(deps, input.repoPath);
      await requireCommit(repo, sha, 'commit');
      const backup = await saveBackup(repo, input.incidentId);
      if ((await head(repo)) !== sha) {
        if (!(await isAncestor(repo, sha, 'HEAD')))
          throw failure(FAILURE.notAncestor, `${sha} is not in HEAD's history`);
        await git(repo, ['reset', '--quiet', '--hard', sha]);
      }
      return { head: await head(repo), backup };
    },

    /**
     * `git checkout <known-good>` (detached, as the guide's `git checkout v1.2.3`), after saving
     * the backup ref. A second run finds HEAD already there.
     */
    async checkoutKnownGood(
      input: IncidentRepoInput & { ref: string },
    ): Promise<{ head: string; backup: BackupResult }> {
      const ref = validated(() => assertRefName(input.ref, 'ref'));
      const repo = resolveRepo(deps, input.repoPath);
      const sha = await requireCommit(repo, ref, 'known-good ref');
      const backup = await saveBackup(repo, input.incidentId);
      if ((await head(repo)) !== sha || (await currentBranch(repo)) !== undefined)
        await git(repo, ['checkout', '--quiet', '--detach', sha]);
      return { head: await head(repo), backup };
    },

    /** Creates `fix/incident-<ID>` at `from` (default HEAD) without switching; exists → no-op. */
    async createFixBranch(
      input: IncidentRepoInput & { from?: string },
    ): Promise<{ branch: string; sha: string; created: boolean }> {
      const branch = validated(() => fixBranchName(input.incidentId));
      const fromRef = input.from === undefined ? 'HEAD' : validated(() => assertRefName(input.from, 'from'));
      const repo = resolveRepo(deps, input.repoPath);
      const existing = await revParse(repo, `refs/heads/${branch}`);
      if (existing) return { branch, sha: existing, created: false };
      const from = await requireCommit(repo, fromRef, 'from');
      await git(repo, ['branch', branch, from]);
      return { branch, sha: from, created: true };
    },

    /** `git tag <tag> <sha>`; no-op when the tag already points there, `TagExists` when elsewhere. */
    async tagRelease(
      input: RepoInput & { tag: string; sha: string },
    ): Promise<{ tag: string; sha: string; created: boolean }> {
      const tag = validated(() => assertRefName(input.tag, 'tag'));
      const sha = validated(() => assertFullSha(input.sha, 'sha'));
      const repo = resolveRepo(deps, input.repoPath);
      await requireCommit(repo, sha, 'commit');
      const existing = await revParse(repo, `refs/tags/${tag}`);
      if (existing === sha) return { tag, sha, created: false };
      if (existing) throw failure(FAILURE.tagExists, `tag ${tag} already points at ${existing}`);
      await git(repo, ['tag', tag, sha]);
      return { tag, sha, created: true };
    },
  };
}
