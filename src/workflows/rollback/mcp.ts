import type { RollbackInput, RollbackResult } from '../../contracts/rollback';
import { runProcedure } from './run-plan';

/**
 * The guide's MCP Server Rollback: 1 stop the server (by its recorded PID, never `pkill -f`),
 * 2 check out the known-good version (mode checkout/reset) or revert only the MCP path's part of
 * the bad commit (mode revert: the guide's `git revert HEAD -- platforms/mcp/`), 3 `pnpm install`,
 * 4 restart the server and wait for its health check, 5 `pnpm test:mcp-contract`. The service key
 * and the path come from the input or the config (`target.services`, `target.paths.mcp`), the
 * steps from `buildProcedure` (src/domain/procedures.ts), the same list `incident plan` prints.
 *
 * Undo, newest first: stop the new server, restore the backup ref, restart the previous server.
 * Workflow ID: `rollbackWorkflowId('mcp', incidentId)`.
 */
export async function mcpRollback(input: RollbackInput): Promise<RollbackResult> {
  return runProcedure('mcp', input);
}
