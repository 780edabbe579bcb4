/**
 * What every rollback procedure shares: the repository lock around it, the backup of HEAD, the
 * git change for the input's mode (each undone by restoring the backup), and the result.
 */
import { CancellationScope, workflowInfo } from '@temporalio/workflow';
import type { RollbackProcedure } from '../../domain/scenarios';
import type { RollbackInput, RollbackResult } from '../rollback-contract';
import { gitSteps, lock, quickSteps } from './step-proxies';
import { RollbackSaga, RollbackStepFailed } from './saga';

export interface ProcedureContext {
  saga: RollbackSaga;
  input: RollbackInput;
  result: RollbackResult;
  repo: { repoPath?: string };
}

/** Holds the repository lock for the whole body; undoes and reports a failed step. */
export async function runLocked<
  R extends {
    ok: boolean;
    steps: RollbackSaga['steps'];
    failedStep?: string;
    error?: string;
    headAfter?: string;
  },
>(
  incidentId: string,
  repoPath: string | undefined,
  result: R,
  saga: RollbackSaga,
  body: () => Promise<void>,
): Promise<R> {
  const { workflowId, runId } = workflowInfo();
  const lockInput = { repoPath, owner: { workflowId, runId, incidentId } };
  let locked = false;
  try {
    await saga.step('acquire-repo-lock', () => lock.acquireRepoLock(lockInput), {
      detail: (r) => r.lockPath,
    });
    locked = true;
    await body();
    result.ok = true;
  } catch (error) {
    await saga.compensate();
    if (!(error instanceof RollbackStepFailed)) throw error;
    result.failedStep = error.step;
    result.error = error.reason;
  } finally {
    await CancellationScope.nonCancellable(async () => {
      if (locked)
        await saga.step('release-repo-lock', () => lock.releaseRepoLock(lockInput)).catch(() => undefined);
      result.headAfter = await quickSteps.resolveRef({ repoPath, ref: 'HEAD' }).catch(() => undefined);
    });
  }
  return result;
}

export async function runRollback(
  procedure: RollbackProcedure,
  input: RollbackInput,
  body: (ctx: ProcedureContext) => Promise<void>,
): Promise<RollbackResult> {
  const saga = new RollbackSaga();
  const result: RollbackResult = { ok: false, procedure, steps: saga.steps };
  const repo = { repoPath: input.repoPath };
  return runLocked(input.incidentId, input.repoPath, result, saga, () => body({ saga, input, result, repo }));
}

/** Saves HEAD to refs/incident-backup/<ID>; the branch it returns is what the undo goes back to. */
export async function saveBackup({ saga, input, result, repo }: ProcedureContext) {
  const backup = await saga.step(
    'save-backup',
    () => quickSteps.saveBackupRef({ ...repo, incidentId: input.incidentId }),
    {
      detail: (b) => `${b.ref} = ${b.sha}${b.branch ? ` (${b.branch})` : ''}`,
    },
  );
  result.backupRef = backup.ref;
  return backup;
}

/**
 * The mode's git change: revert one explicit SHA (or only `path`'s part of it), reset to an
 * explicit SHA, or check out the known-good tag. Targets are resolved in their own recorded
 * steps first; the change is undone by restoring the backup.
 */
export async function applyGitChange(
  ctx: ProcedureContext,
  backup: { branch?: string },
  options: { defaultBadCommit?: string; path?: string; defaultKnownGood?: string } = {},
): Promise<void> {
  const { saga, input, result, repo } = ctx;
  const incidentId = input.incidentId;
  const undo = () => gitSteps.restoreBackupRef({ ...repo, incidentId, branch: backup.branch });
  if (input.mode === 'revert') {
    const sha =
      input.badCommit ??
      options.defaultBadCommit ??
      (await saga.step('resolve-bad-commit', () => quickSteps.resolveRef({ ...repo, ref: 'HEAD' }), {
        detail: (s) => s,
      }));
    if (options.path !== undefined) {
      const path = options.path;
      const reverted = await saga.step(
        'revert-path',
        () => gitSteps.revertPath({ ...repo, incidentId, sha, path }),
        {
          undo,
          detail: (r) =>
            r.touchedPath
              ? `${path} part of ${sha} reverted by ${r.revertSha}${r.alreadyReverted ? ' (already there)' : ''}`
              : `${sha} did not touch ${path}`,
        },
      );
      result.revertCommit = reverted.revertSha;
    } else {
      const reverted = await saga.step(
        'revert-commit',
        () => gitSteps.revertCommit({ ...repo, incidentId, sha }),
        {
          undo,
          detail: (r) => `${sha} reverted by ${r.revertSha}${r.alreadyReverted ? ' (already there)' : ''}`,
        },
      );
      result.revertCommit = reverted.revertSha;
    }
    return;
  }
  const knownGood =
    input.knownGood ??
    options.defaultKnownGood ??
    (await saga.step(
      'find-known-good-tag',
      async () => {
        const snapshot = await quickSteps.snapshotRepository({ ...repo, incidentId });
        if (!snapshot.knownGood) throw new Error('no known-good tag matches the configured pattern');
        return snapshot.knownGood.tag;
      },
      { detail: (tag) => tag },
    ));
  if (input.mode === 'reset') {
    const sha = await saga.step(
      'resolve-known-good',
      () => quickSteps.resolveRef({ ...repo, ref: knownGood }),
      { detail: (s) => s },
    );
    await saga.step('reset-to-commit', () => gitSteps.resetToCommit({ ...repo, incidentId, sha }), {
      undo,
      detail: (r) => `HEAD = ${r.head}`,
    });
  } else {
    await saga.step(
      'checkout-known-good',
      () => gitSteps.checkoutKnownGood({ ...repo, incidentId, ref: knownGood }),
      {
        undo,
        detail: (r) => `${knownGood} = ${r.head}`,
      },
    );
  }
}
