import type { RollbackInput, RollbackResult } from '../../contracts/rollback';
import { runProcedure } from './run-plan';

/**
 * The guide's Widget Rollback: 1 identify the last known-good version (`git log --oneline -10`),
 * 2 revert the explicit bad commit or reset to the explicit known-good SHA, 3 `pnpm install` and
 * `pnpm build:widgets`, 4 verify with `pnpm test` and `ls dist/widgets/*.html`.
 *
 * Holds the repository lock throughout. A failed step restores `refs/incident-backup/<ID>` and
 * the result names the step. Every step is safe to run twice (see the activities), so a killed
 * worker's step resumes on another within about 5 s (heartbeat timeout) without a second revert.
 * Workflow ID: `rollbackWorkflowId('widget', incidentId)`.
 */
export async function widgetRollback(input: RollbackInput): Promise<RollbackResult> {
  return runProcedure('widget', input);
}
