import type { VisualBaselinesInput, VisualBaselinesResult } from '../../contracts/rollback';
import { buildStep, gitSteps, quickSteps } from './step-proxies';
import { runLocked } from './run-rollback';
import { RollbackSaga } from './saga';

/**
 * The visual-regression scenario's answer "the change was intended": `pnpm test:visual:update`,
 * commit the new baselines (trailer `Incident-Baselines: <ID>`), then `pnpm test:visual:web` must
 * pass. Under the repository lock; a failure restores the backup ref. Safe to run twice (a second
 * update finds nothing to commit). Workflow ID: `visualBaselinesWorkflowId(incidentId)`.
 */
export async function visualBaselinesUpdate(input: VisualBaselinesInput): Promise<VisualBaselinesResult> {
  const saga = new RollbackSaga();
  const result: VisualBaselinesResult = { ok: false, steps: saga.steps };
  const repo = { repoPath: input.repoPath };
  return runLocked(input.incidentId, input.repoPath, result, saga, async () => {
    const backup = await saga.step('save-backup', () =>
      quickSteps.saveBackupRef({ ...repo, incidentId: input.incidentId }),
    );
    const update = await saga.step(
      'update-visual-baselines',
      () => buildStep.updateVisualBaselines({ ...repo, incidentId: input.incidentId, reason: input.reason }),
      {
        undo: () =>
          gitSteps.restoreBackupRef({ ...repo, incidentId: input.incidentId, branch: backup.branch }),
        detail: (r) => (r.changed ? `committed ${r.commit}` : 'baselines already up to date'),
      },
    );
    result.commit = update.commit;
    await saga.step('verify-visual', () =>
      buildStep.runRunbookCommand({
        incidentId: input.incidentId,
        step: 'verify-visual',
        command: 'visualTest',
        ...repo,
      }),
    );
  });
}
