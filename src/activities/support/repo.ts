/**
 * Which working copy an activity acts on: the input's, else the configured target. It must be
 * an existing git work tree; paths inside it are validated and kept inside it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { assertRepoPath } from '../../domain/git-safety';
import { FAILURE } from '../../domain/failure-types';
import type { ActivityDeps } from '../deps';
import { failure, validated } from './activity-context';

export function resolveRepo(deps: ActivityDeps, repoPath?: string): string {
  const path = repoPath ?? deps.config.target.repoPath;
  if (!path) throw failure(FAILURE.notConfigured, 'no repository: set target.repoPath or pass repoPath');
  const absolute = resolve(path);
  if (!existsSync(join(absolute, '.git')))
    throw failure(FAILURE.notConfigured, `${absolute} is not a git working copy`);
  return absolute;
}

/** A validated relative path joined to the repository, refused if it would leave it. */
export function insideRepo(repo: string, path: string, field = 'path'): string {
  const safe = validated(() => assertRepoPath(path, field));
  const full = resolve(repo, safe);
  const rel = relative(repo, full);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw failure(FAILURE.unsafeInput, `${field} leaves the repository`);
  return full;
}
