/**
 * What every rollback procedure shares: the repository lock around it, the backup of HEAD and the
 * result. The steps themselves run from the procedure's plan (run-plan.ts).
 */
import { CancellationScope, isCancellation, metricMeter, patched, workflowInfo } from '@temporalio/workflow';
import { instrument } from '../../contracts/metrics';
import type { RollbackProcedure } from '../../contracts/rollback';
import type { RollbackInput, RollbackResult } from '../../contracts/rollback';
import { lock, quickLock, quickSteps } from './step-proxies';
import { RollbackSaga, RollbackStepFailed } from './saga';

/**
 * Patch: the repository lock is taken and released by local activities (quickLock), saving two
 * workflow-task round trips per rollback; a failed local try (the lock is held) falls back to the
 * activity that waits. Histories from before it schedule both as activities.
 */
export const LOCAL_LOCK_PATCH = 'rollback-lock-local';

/** Runs `step` locally first; on any failure but a cancellation, runs `fallback` as before. */
async function localFirst<T>(step: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isCancellation(error)) throw error;
    return fallback();
  }
}

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
  const localLock = patched(LOCAL_LOCK_PATCH);
  const acquire = () => lock.acquireRepoLock(lockInput);
  const release = () => lock.releaseRepoLock(lockInput);
  let locked = false;
  try {
    await saga.step(
      'acquire-repo-lock',
      () => (localLock ? localFirst(() => quickLock.acquireRepoLock(lockInput), acquire) : acquire()),
      { detail: (r) => r.lockPath },
    );
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
        await saga
          .step('release-repo-lock', () =>
            localLock ? localFirst(() => quickLock.releaseRepoLock(lockInput), release) : release(),
          )
          .catch(() => undefined);
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
  const started = Date.now();
  let outcome = 'error';
  try {
    await runLocked(input.incidentId, input.repoPath, result, saga, () =>
      body({ saga, input, result, repo }),
    );
    outcome = result.ok ? 'succeeded' : 'failed';
    return result;
  } catch (error) {
    if (isCancellation(error)) outcome = 'cancelled';
    throw error;
  } finally {
    recordRollback(procedure, outcome, started);
  }
}

/**
 * Rollbacks by procedure and outcome (succeeded, failed: a step failed and was undone, error,
 * cancelled) with their duration in workflow time, through the replay-safe workflow metricMeter.
 */
function recordRollback(procedure: RollbackProcedure, outcome: string, started: number): void {
  const tags = { procedure, outcome };
  instrument(metricMeter, 'rollbacks').add(1, tags);
  instrument(metricMeter, 'rollbackDuration').record(Math.max(0, (Date.now() - started) / 1_000), tags);
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
