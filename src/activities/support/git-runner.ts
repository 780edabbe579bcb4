/**
 * git through child_process.spawn with argument arrays (never a shell). Callers validate every ref
 * and path first (src/domain/git-safety.ts); this module only runs git and maps failures to typed
 * ones.
 */
import { spawn } from 'node:child_process';
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
  const out = await keepAlive(runGit(repo, args, options.input));
  if (out.exitCode !== 0 && !options.allowFail)
    throw failure(
      FAILURE.gitFailed,
      `git ${args.join(' ')} failed (${out.exitCode}): ${out.stderr.trim()}`,
      gitFailureDetails(FAILURE.gitFailed, args, out),
    );
  return out;
}

/**
 * One git process: argv array, no shell, stdin from `input`, output collected with the final
 * newline stripped; a git that cannot start or dies by a signal reports exit code -1. Plain
 * `child_process.spawn` rather than execa: a rollback makes a dozen git calls from the worker's
 * large process, and execa's own setup cost about 3 ms of each (docs/benchmarks.md, issue 15).
 */
function runGit(repo: string, args: string[], input: string | undefined): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd: repo,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', LC_ALL: 'C' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const text = (chunks: Buffer[]) =>
      Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
    child.on('error', (error) => resolve({ stdout: '', stderr: error.message, exitCode: -1 }));
    child.on('close', (code) =>
      resolve({ stdout: text(stdout), stderr: text(stderr), exitCode: code ?? -1 }),
    );
    if (input !== undefined) {
      // A git that exits before reading all of its input closes the pipe: its exit code says why.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    }
  });
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
