/**
 * Rollback drill activities: a disposable clone of the target at its known-good tag plus one
 * synthetic breaking commit, the checks after the rollback, the report file, and clean-up. The
 * target's own working copy is only ever read (HEAD, status, tags); every write goes to the clone,
 * which has no remote, so nothing can be pushed back.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import { SAFE_NAME } from '../../contracts/incident';
import type { RollbackProcedure } from '../../contracts/rollback';
import type { DrillCheck } from '../../contracts/drill';
import type { ActivityDeps } from '../deps';
import { FAILURE } from '../../domain/failure-types';

/** Lockfiles the procedures' install step may rewrite; reported by the clean check, not failed. */
const LOCKFILES = /(^|[\s/])(pnpm-lock\.yaml|package-lock\.json|yarn\.lock)$/;

/** Where clones live: outside the target and the project, removed after each drill. */
export const DRILL_CLONES_ROOT = join(tmpdir(), 'incident-drills');

export interface PrepareDrillCloneInput {
  drillId: string;
  procedure: RollbackProcedure;
  sourceRepoPath?: string;
}

/** What the source looked like before the drill, to prove afterwards that it was not touched. */
export interface SourceSnapshot {
  path: string;
  head: string;
  branch: string;
  status: string;
}

export interface DrillClone {
  procedure: RollbackProcedure;
  clonePath: string;
  source: SourceSnapshot;
  knownGood: { tag: string; sha: string };
  badCommit: string;
  /** The file the synthetic commit adds, relative to the clone. */
  breakagePath: string;
  /** Configured services, for the procedures that stop and start them. */
  services: string[];
}

const notConfigured = (message: string) =>
  ApplicationFailure.create({ type: FAILURE.notConfigured, nonRetryable: true, message });

async function git(repo: string, args: string[]): Promise<string> {
  const result = await execa('git', args, {
    cwd: repo,
    reject: false,
    env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
  });
  if (result.exitCode !== 0)
    throw new Error(`git ${args.join(' ')} failed (${result.exitCode}): ${String(result.stderr).trim()}`);
  return String(result.stdout).trim();
}

function sourcePath(deps: ActivityDeps, override?: string): string {
  const path = override ?? deps.config.target.repoPath;
  if (!path) throw notConfigured('no repository to drill: set target.repoPath or pass sourceRepoPath');
  const absolute = resolve(path);
  if (!existsSync(join(absolute, '.git'))) throw notConfigured(`${absolute} is not a git working copy`);
  return absolute;
}

export async function snapshotSource(path: string): Promise<SourceSnapshot> {
  return {
    path,
    head: await git(path, ['rev-parse', 'HEAD']),
    branch: await git(path, ['rev-parse', '--abbrev-ref', 'HEAD']),
    status: await git(path, ['status', '--porcelain=v1', '--untracked-files=no']),
  };
}

/** The clone folder of one procedure, refused unless the drill ID is a plain name. */
export function clonePathOf(drillId: string, procedure: RollbackProcedure): string {
  if (!SAFE_NAME.test(drillId)) throw notConfigured(`refused drill ID ${JSON.stringify(drillId)}`);
  return join(DRILL_CLONES_ROOT, drillId, procedure);
}

/** The synthetic change lives where the procedure looks: the MCP folder for mcp, the root otherwise. */
const breakagePathOf = (deps: ActivityDeps, procedure: RollbackProcedure) =>
  procedure === 'mcp' ? join(deps.config.target.paths.mcp, 'DRILL-BREAKAGE.md') : 'DRILL-BREAKAGE.md';

export function createDrillActivities(deps: ActivityDeps) {
  return {
    /**
     * Clones the target into a fresh folder under the system temp dir (any earlier attempt's
     * folder is removed first, so a retry starts clean), checks out the newest tag matching
     * `target.knownGoodTagPattern` on a `drill/<procedure>` branch, removes the clone's remote and
     * commits one synthetic breaking change. Reads the source only. Fails `NotConfigured` when
     * there is no target or no known-good tag.
     */
    async prepareDrillClone(input: PrepareDrillCloneInput): Promise<DrillClone> {
      const source = sourcePath(deps, input.sourceRepoPath);
      const clonePath = clonePathOf(input.drillId, input.procedure);
      const snapshot = await snapshotSource(source);
      const pattern = deps.config.target.knownGoodTagPattern;
      const tag = (await git(source, ['tag', '--list', '--sort=-v:refname', pattern])).split('\n')[0];
      if (!tag)
        throw notConfigured(`no tag matching ${pattern} in ${source}: a drill needs a known-good tag`);
      await rm(clonePath, { recursive: true, force: true });
      await mkdir(join(clonePath, '..'), { recursive: true });
      await git(join(clonePath, '..'), [
        'clone',
        '--quiet',
        '--no-hardlinks',
        '--no-checkout',
        source,
        clonePath,
      ]);
      await git(clonePath, ['remote', 'remove', 'origin']);
      await git(clonePath, ['config', 'user.name', 'incident-drill']);
      await git(clonePath, ['config', 'user.email', 'incident-drill@localhost']);
      await git(clonePath, ['config', 'commit.gpgsign', 'false']);
      const sha = await git(clonePath, ['rev-parse', '--verify', `refs/tags/${tag}^{commit}`]);
      await git(clonePath, ['checkout', '--quiet', '-B', `drill/${input.procedure}`, sha]);
      const breakagePath = breakagePathOf(deps, input.procedure);
      await mkdir(join(clonePath, breakagePath, '..'), { recursive: true });
      await writeFile(
        join(clonePath, breakagePath),
        `Synthetic breaking change of rollback drill ${input.drillId} (${input.procedure}); the rollback must remove it.\n`,
      );
      await git(clonePath, ['add', '--', breakagePath]);
      await git(clonePath, [
        'commit',
        '--quiet',
        '--no-verify',
        '-m',
        `Drill ${input.drillId}: synthetic breaking change for the ${input.procedure} rollback`,
      ]);
      return {
        procedure: input.procedure,
        clonePath,
        source: snapshot,
        knownGood: { tag, sha },
        badCommit: await git(clonePath, ['rev-parse', 'HEAD']),
        breakagePath,
        services: Object.keys(deps.config.target.services),
      };
    },

    /**
     * After the rollback: the clone's tracked tree equals the known-good tag's, the synthetic
     * change is gone, nothing tracked is left modified, and the source's HEAD, branch and status
     * are what they were before the drill. Read-only; returns failed checks rather than throwing.
     */
    async verifyDrillClone(input: { clone: DrillClone; drillId: string }): Promise<DrillCheck[]> {
      const { clone } = input;
      const checks: DrillCheck[] = [];
      const check = async (name: string, run: () => Promise<[boolean, string]>) => {
        try {
          const [ok, detail] = await run();
          checks.push({ check: name, ok, detail });
        } catch (error) {
          checks.push({ check: name, ok: false, detail: (error as Error).message.split('\n')[0]! });
        }
      };
      await check('known-good-tree', async () => {
        const diff = await git(clone.clonePath, ['diff', '--name-only', clone.knownGood.sha, 'HEAD']);
        return diff
          ? [false, `HEAD differs from ${clone.knownGood.tag} in: ${diff.split('\n').join(', ')}`]
          : [true, `HEAD's tree equals ${clone.knownGood.tag}`];
      });
      await check('breaking-change-gone', () =>
        Promise.resolve<[boolean, string]>(
          existsSync(join(clone.clonePath, clone.breakagePath))
            ? [false, `${clone.breakagePath} is still in the clone`]
            : [true, `${clone.breakagePath} removed`],
        ),
      );
      await check('clone-clean', async () => {
        const status = await git(clone.clonePath, ['status', '--porcelain=v1', '--untracked-files=no']);
        const modified = status.split('\n').filter(Boolean);
        const lockfiles = modified.filter((line) => LOCKFILES.test(line));
        const others = modified.filter((line) => !LOCKFILES.test(line));
        if (others.length) return [false, `modified: ${others.join(', ')}`];
        return [
          true,
          lockfiles.length
            ? `no tracked file modified except the lockfile the install step rewrote (${lockfiles.join(', ')}): commit the package manager's own lockfile format`
            : 'no tracked file modified',
        ];
      });
      await check('source-untouched', async () => {
        const now = await snapshotSource(clone.source.path);
        const backup = await git(clone.source.path, [
          'for-each-ref',
          '--format=%(refname)',
          `refs/incident-backup/${input.drillId}`,
        ]);
        const same =
          now.head === clone.source.head &&
          now.branch === clone.source.branch &&
          now.status === clone.source.status &&
          backup === '';
        return [
          same,
          same
            ? `${clone.source.path} still at ${now.head.slice(0, 12)} on ${now.branch}, status unchanged`
            : `${clone.source.path} changed: HEAD ${clone.source.head.slice(0, 12)} → ${now.head.slice(0, 12)}, branch ${clone.source.branch} → ${now.branch}${backup ? `, backup ref ${backup}` : ''}`,
        ];
      });
      return checks;
    },

    /** Writes the drill report to `<incidentsDir>/drills/<drillId>/report.md`; overwriting is harmless. */
    async writeDrillReport(input: { drillId: string; markdown: string }): Promise<string> {
      if (!SAFE_NAME.test(input.drillId))
        throw notConfigured(`refused drill ID ${JSON.stringify(input.drillId)}`);
      const dir = join(resolve(deps.incidentsDir), 'drills', input.drillId);
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'report.md');
      await writeFile(`${path}.tmp`, input.markdown);
      await rename(`${path}.tmp`, path);
      return path;
    },

    /** Removes a drill's clone folder; refuses anything outside the drill clones root. Idempotent. */
    async removeDrillClone(input: { clonePath: string }): Promise<void> {
      const rel = relative(DRILL_CLONES_ROOT, resolve(input.clonePath));
      if (!rel || rel.startsWith('..') || resolve(input.clonePath) === resolve(DRILL_CLONES_ROOT))
        throw notConfigured(`refused to remove ${input.clonePath}: not a drill clone`);
      await rm(input.clonePath, { recursive: true, force: true });
    },
  };
}
