/**
 * Engine bookkeeping kept inside the repository's git directory (never in the work tree): the
 * repository lock and "pending" markers that say a commit-making step started but did not finish,
 * so a retry after a crash knows the half-done change in the work tree is its own.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FAILURE } from '../../domain/failure-types';
import { failure } from './activity-context';
import { dirtyFiles, git } from './git-runner';

/** The repository's git directory: `<repo>/.git` when it is one (no git spawn), else git's answer. */
export async function gitDirOf(repo: string): Promise<string> {
  const plain = join(repo, '.git');
  if ((await stat(plain).catch(() => undefined))?.isDirectory()) return plain;
  return (await git(repo, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
}

export async function engineStateDir(repo: string): Promise<string> {
  const dir = join(await gitDirOf(repo), 'incident-engine');
  await mkdir(dir, { recursive: true });
  return dir;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Runs a commit-making change with a pending marker around it. Before the change: if the work
 * tree is dirty and the marker of this same change is present, the dirt is a crashed attempt's
 * half-applied change and is discarded; dirt without the marker belongs to someone else and
 * stops the step (`DirtyWorkingTree`, non-retryable).
 */
export async function withPendingMarker<T>(repo: string, key: string, change: () => Promise<T>): Promise<T> {
  const marker = join(await engineStateDir(repo), `pending-${key}`);
  // A revert stopped mid-way (conflict or crash) leaves REVERT_HEAD; finish it off first.
  if (await exists(join(await gitDirOf(repo), 'REVERT_HEAD')))
    await git(repo, ['revert', '--abort'], { allowFail: true });
  const dirty = await dirtyFiles(repo);
  if (dirty.length > 0) {
    if (!(await exists(marker)))
      throw failure(
        FAILURE.dirtyWorkingTree,
        `uncommitted changes the engine did not make: ${dirty.slice(0, 5).join(', ')}`,
      );
    await git(repo, ['reset', '--quiet', '--hard', 'HEAD']);
  }
  await writeFile(marker, new Date().toISOString());
  const result = await change();
  await rm(marker, { force: true });
  return result;
}
