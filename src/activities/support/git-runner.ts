/**
 * git through execa with argument arrays (never a shell). Callers validate every ref and path
 * first (src/domain/git-safety.ts); this module only runs git and maps failures to typed ones.
 */
import { execa } from 'execa';
import { FAILURE } from '../../domain/failure-types';
import { meaningfulLines } from '../../domain/output-lines';
import { displayArgv, type StepFailure } from '../../contracts/step-failure';
import { failure, keepAlive } from './activity-context';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const IDENTITY = ['-c', 'user.name=incident-engine', '-c', 'user.email=incident-engine@localhost'];

/** Runs git in `repo`; throws `GitFailed` on a non-zero exit unless `allowFail`. */
export async function git(
  repo: string,
  args: string[],
  options: { allowFail?: boolean; input?: string } = {},
): Promise<GitResult> {
  // Heartbeats while git (and any hook it runs) works: the git steps' heartbeat timeout.
  const result = await keepAlive(
    execa('git', args, {
      cwd: repo,
      reject: false,
      input: options.input,
      stripFinalNewline: true,
      env: { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', LC_ALL: 'C' },
    }),
  );
  const out = {
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    exitCode: result.exitCode ?? -1,
  };
  if (out.exitCode !== 0 && !options.allowFail)
    throw failure(
      FAILURE.gitFailed,
      `git ${args.join(' ')} failed (${out.exitCode}): ${out.stderr.trim()}`,
      gitFailureDetails(FAILURE.gitFailed, args, out),
    );
  return out;
}

/** Details of a failed git command: the command, its exit code and what it printed (no log file). */
export function gitFailureDetails(type: string, args: string[], out: GitResult): StepFailure {
  return {
    type,
    // The fallback identity is noise to an operator.
    command: displayArgv([
      'git',
      ...(IDENTITY.every((a, i) => args[i] === a) ? args.slice(IDENTITY.length) : args),
    ]),
    exitCode: out.exitCode,
    lines: meaningfulLines(`${out.stdout}\n${out.stderr}`),
  };
}

/** git that commits, with a fallback identity when the repository has none configured. */
export async function gitCommitting(
  repo: string,
  args: string[],
  options: { allowFail?: boolean; input?: string } = {},
) {
  const configured =
    (await git(repo, ['config', '--get', 'user.email'], { allowFail: true })).stdout.trim() !== '';
  return git(repo, configured ? args : [...IDENTITY, ...args], options);
}

/** Full SHA of a validated ref, or undefined when it does not name a commit. */
export async function revParse(repo: string, ref: string): Promise<string | undefined> {
  const result = await git(
    repo,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    {
      allowFail: true,
    },
  );
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

export const head = async (repo: string): Promise<string> => (await revParse(repo, 'HEAD'))!;

/** The current branch's short name, or undefined on a detached HEAD. */
export async function currentBranch(repo: string): Promise<string | undefined> {
  const result = await git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

export async function isAncestor(repo: string, ancestor: string, of: string): Promise<boolean> {
  return (await git(repo, ['merge-base', '--is-ancestor', ancestor, of], { allowFail: true })).exitCode === 0;
}

/** Tracked files with uncommitted changes (untracked and ignored files do not count). */
export async function dirtyFiles(repo: string): Promise<string[]> {
  const out = (await git(repo, ['status', '--porcelain', '--untracked-files=no'])).stdout;
  return out.split('\n').filter(Boolean);
}

/** Commits after `since` on HEAD whose message contains `text` (fixed string). */
export async function commitsWithText(repo: string, since: string, text: string): Promise<string[]> {
  const out = (await git(repo, ['log', '--format=%H', '--fixed-strings', `--grep=${text}`, `${since}..HEAD`]))
    .stdout;
  return out.split('\n').filter(Boolean);
}
