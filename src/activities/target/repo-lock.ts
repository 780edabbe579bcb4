/**
 * One incident at a time per repository. The lock is a file in the repository's git directory
 * (`.git/incident-engine/lock.json`) created with O_EXCL, naming its owner (workflow ID and run
 * ID). A rollback takes it as its first step and releases it last; another incident's acquire
 * fails `RepoLocked` (retryable), so its retry policy makes it wait its turn. A lock whose owner
 * workflow is no longer running (checked through the Temporal client when there is one) or that
 * is older than `target.lockStaleAfterMs` is stale and taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FAILURE } from '../../domain/failure-types';
import { failure } from '../support/activity-context';
import type { ActivityDeps } from '../deps';
import { engineStateDir } from '../support/git-state';
import { resolveRepo } from '../support/repo';

export interface LockOwner {
  workflowId: string;
  runId: string;
  incidentId: string;
}
export interface RepoLockInput {
  repoPath?: string;
  owner: LockOwner;
}
interface LockRecord extends LockOwner {
  acquiredAt: string;
  host: string;
}
export interface RepoLockResult {
  lockPath: string;
  acquiredAt: string;
  /** Set when a stale lock of another owner was taken over. */
  tookOverFrom?: LockOwner;
}

const sameOwner = (a: LockOwner, b: LockOwner) => a.workflowId === b.workflowId && a.runId === b.runId;

async function readLock(path: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

async function isStale(deps: ActivityDeps, lock: LockRecord): Promise<boolean> {
  if (deps.client) {
    try {
      // The latest run of the owner's workflow ID: the lock is live only if that very run still runs.
      const description = await deps.client.workflow.getHandle(lock.workflowId).describe();
      return description.runId !== lock.runId || description.status.name !== 'RUNNING';
    } catch (error) {
      if ((error as Error).name === 'WorkflowNotFoundError') return true;
      deps.log(`repo lock: cannot ask Temporal about ${lock.workflowId}: ${(error as Error).message}`, {
        step: 'repo-lock',
      });
    }
  }
  return Date.now() - Date.parse(lock.acquiredAt) > deps.config.target.lockStaleAfterMs;
}

export async function lockPathOf(repo: string): Promise<string> {
  return join(await engineStateDir(repo), 'lock.json');
}

export function createRepoLockActivities(deps: ActivityDeps) {
  return {
    /**
     * Takes the repository lock for `owner`. Already ours → no-op (a retry after a crash).
     * Held by a live incident → `RepoLocked`, retried by the caller's policy until it is free.
     */
    async acquireRepoLock(input: RepoLockInput): Promise<RepoLockResult> {
      const repo = resolveRepo(deps, input.repoPath);
      const lockPath = await lockPathOf(repo);
      let tookOverFrom: LockOwner | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        const record: LockRecord = { ...input.owner, acquiredAt: deps.now().toISOString(), host: hostname() };
        try {
          await writeFile(lockPath, JSON.stringify(record, null, 2), { flag: 'wx' });
          return { lockPath, acquiredAt: record.acquiredAt, tookOverFrom };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const held = await readLock(lockPath);
        if (!held) {
          // Unreadable: another writer is mid-write. Try again; the retry policy backs off.
          continue;
        }
        if (sameOwner(held, input.owner)) return { lockPath, acquiredAt: held.acquiredAt };
        if (!(await isStale(deps, held)))
          throw failure(
            FAILURE.repoLocked,
            `${repo} is locked by incident ${held.incidentId} (workflow ${held.workflowId}) since ${held.acquiredAt}`,
            held,
          );
        tookOverFrom = { workflowId: held.workflowId, runId: held.runId, incidentId: held.incidentId };
        deps.log(
          `repo lock of ${held.workflowId} on ${repo} is stale; taking it over for ${input.owner.workflowId}`,
          { incidentId: input.owner.incidentId, step: 'repo-lock' },
        );
        await rm(lockPath, { force: true });
      }
      throw failure(FAILURE.repoLocked, `${repo}: could not take the lock after 3 tries`);
    },

    /** Releases the lock if `owner` holds it; otherwise (already released, taken over) a no-op. */
    async releaseRepoLock(input: RepoLockInput): Promise<boolean> {
      const lockPath = await lockPathOf(resolveRepo(deps, input.repoPath));
      const held = await readLock(lockPath);
      if (!held || !sameOwner(held, input.owner)) return false;
      await rm(lockPath, { force: true });
      return true;
    },
  };
}
