import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { refNameProblem } from '../domain/git-safety';
import { InvalidRequestError } from './errors';

/** A value as it may appear in a one-line error: printable, at most 60 characters, quoted. */
export function shown(value: string): string {
  const printable = [...value]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c))
    .join('');
  return JSON.stringify(printable.length > 60 ? `${printable.slice(0, 57)}...` : printable);
}

/** `HEAD~2`, `v1.0.0^`: a name git's ref rules accept, then only `~N` / `^N` steps. */
const ANCESTRY = /^(.*?)((?:[~^][0-9]{0,4})*)$/;

/**
 * Refuses a commit-ish that is not a SHA or ref name by git's own rules (`git check-ref-format`)
 * optionally followed by `~N` / `^N`, or that looks like an option. No git command runs for it.
 */
export function checkCommitIsh(value: string, field: string): string {
  if (value.length > 200) throw new InvalidRequestError(`${field}: longer than 200 characters`, field);
  if (value.startsWith('-'))
    throw new InvalidRequestError(`${field}: ${shown(value)} starts with "-" (looks like an option)`, field);
  const [, name = ''] = ANCESTRY.exec(value) ?? [];
  const problem = refNameProblem(name);
  if (problem) throw new InvalidRequestError(`${field}: ${shown(value)} ${problem}`, field);
  return value;
}

/**
 * The rollback's repository: only the configured `target.repoPath`. A `--repo` must be that same
 * folder (compared by realpath, so `../` tricks and symlinks resolve first). Drills pass their
 * clones to the rollback workflows themselves, never through here.
 */
export async function configuredRepo(
  configured: string | undefined,
  given: string | undefined,
): Promise<string> {
  if (!configured)
    throw new InvalidRequestError(
      'repoPath: no target repository: set target.repoPath in the config file',
      'repoPath',
    );
  const target = await realpath(resolve(configured)).catch(() => {
    throw new InvalidRequestError('repoPath: target.repoPath does not exist', 'repoPath');
  });
  if (given === undefined) return target;
  const real = await realpath(resolve(given)).catch(() => undefined);
  if (real !== target)
    throw new InvalidRequestError(
      'repoPath: --repo is not the configured target repository (target.repoPath)',
      'repoPath',
    );
  return target;
}

/**
 * The full SHA of `commitIsh` in `repo` (`git rev-parse --verify <x>^{commit}`, an argument
 * array after `--end-of-options`, the name checked first); an unknown one is bad input.
 */
export async function resolveCommit(repo: string, commitIsh: string, field: string): Promise<string> {
  checkCommitIsh(commitIsh, field);
  const sha = await new Promise<string | undefined>((done) =>
    execFile(
      'git',
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${commitIsh}^{commit}`],
      { cwd: repo, timeout: 10_000 },
      (error, stdout) => done(error ? undefined : stdout.trim()),
    ),
  );
  if (!sha || !/^[0-9a-f]{40}$/.test(sha))
    throw new InvalidRequestError(
      `${field}: ${shown(commitIsh)} is not a commit in the target repository`,
      field,
    );
  return sha;
}
