import type { RollbackInput, RollbackResult } from '../../contracts/rollback';
import { runProcedure } from './run-plan';

/**
 * The guide's Full Rollback: 1 stop all services (each by its recorded PID, never `pkill -f
 * "node"`), 2 check out the stable tag (the input's, else the newest known-good tag), 3 clean
 * install (`rm -rf node_modules`, `pnpm install`), 4 `pnpm build`, 5 start the services, 6 verify
 * with `pnpm test` and `pnpm test:mcp-contract`.
 *
 * Undo, newest first: stop the new services, restore the backup ref, restart the previous ones.
 * Workflow ID: `rollbackWorkflowId('full', incidentId)`.
 */
export async function fullRollback(input: RollbackInput): Promise<RollbackResult> {
  return runProcedure('full', input);
}
