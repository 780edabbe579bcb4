import type { RollbackInput, RollbackResult } from '../rollback-contract';
import { buildStep, installStep, quickSteps, serviceSteps } from './step-proxies';
import { applyGitChange, runRollback, saveBackup } from './run-rollback';

/** The part of the repository the MCP revert touches unless the input names another. */
export const DEFAULT_MCP_PATH = 'platforms/mcp/';

/**
 * The guide's MCP Server Rollback: 1 stop the server (by its recorded PID, never `pkill -f`),
 * 2 check out the known-good version (mode checkout/reset) or revert only `platforms/mcp/`'s part
 * of the bad commit (mode revert: the guide's `git revert HEAD -- platforms/mcp/`), 3 `pnpm
 * install`, 4 restart the server and wait for its health check, 5 `pnpm test:mcp-contract`.
 *
 * Undo, newest first: stop the new server, restore the backup ref, restart the previous server.
 * Workflow ID: `rollbackWorkflowId('mcp', incidentId)`.
 */
export async function mcpRollback(input: RollbackInput): Promise<RollbackResult> {
  return runRollback('mcp', input, async (ctx) => {
    const { saga, repo } = ctx;
    const service = input.services?.[0] ?? 'mcp';
    const path = input.path ?? DEFAULT_MCP_PATH;
    const recent = await saga.step(
      'identify-recent-changes',
      () => quickSteps.recentCommits({ ...repo, limit: 5, path }),
      {
        detail: (commits) => commits.map((c) => `${c.sha.slice(0, 7)} ${c.subject}`).join('\n'),
      },
    );
    const backup = await saveBackup(ctx);
    await saga.step('stop-server', () => serviceSteps.stopService({ ...repo, service }), {
      undo: () => serviceSteps.startService({ ...repo, service }),
      detail: (s) => `${s.action}${s.pid ? ` pid ${s.pid}` : ''}`,
    });
    await applyGitChange(
      ctx,
      backup,
      input.mode === 'revert' ? { defaultBadCommit: recent[0]?.sha, path } : {},
    );
    await saga.step('install', () =>
      installStep.runRunbookCommand({
        incidentId: input.incidentId,
        step: 'install',
        command: 'install',
        ...repo,
      }),
    );
    await saga.step('start-server', () => serviceSteps.startService({ ...repo, service }), {
      undo: () => serviceSteps.stopService({ ...repo, service }),
      detail: (s) => `${s.action} pid ${s.pid ?? '?'} healthy at ${s.healthUrl}`,
    });
    await saga.step('verify-contract', () =>
      buildStep.runRunbookCommand({
        incidentId: input.incidentId,
        step: 'verify-contract',
        command: 'contractTest',
        ...repo,
      }),
    );
  });
}
