import type { RollbackInput, RollbackResult } from '../rollback-contract';
import { buildStep, gitSteps, installStep, quickSteps, serviceSteps } from './step-proxies';
import { applyGitChange, runRollback, saveBackup } from './run-rollback';

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
  return runRollback('full', input, async (ctx) => {
    const { saga, repo } = ctx;
    const services = input.services ?? ['mcp'];
    const cmd = (step: string, command: Parameters<typeof buildStep.runRunbookCommand>[0]['command']) => ({
      incidentId: input.incidentId,
      step,
      command,
      ...repo,
    });
    const snapshot = await saga.step(
      'identify-stable-tag',
      () => quickSteps.snapshotRepository({ ...repo, incidentId: input.incidentId }),
      {
        detail: (s) =>
          `HEAD ${s.head}; known-good ${s.knownGood?.tag ?? 'none'}; ${s.commitsSinceKnownGood.length} commits since`,
      },
    );
    const backup = await saveBackup(ctx);
    for (const service of services)
      await saga.step(`stop-${service}`, () => serviceSteps.stopService({ ...repo, service }), {
        undo: () => serviceSteps.startService({ ...repo, service }),
        detail: (s) => s.action,
      });
    await applyGitChange(ctx, backup, { defaultKnownGood: snapshot.knownGood?.tag });
    await saga.step('remove-node-modules', () => gitSteps.removeNodeModules(repo));
    await saga.step('install', () => installStep.runRunbookCommand(cmd('install', 'install')));
    await saga.step('build', () => buildStep.runRunbookCommand(cmd('build', 'build')));
    for (const service of services)
      await saga.step(`start-${service}`, () => serviceSteps.startService({ ...repo, service }), {
        undo: () => serviceSteps.stopService({ ...repo, service }),
        detail: (s) => `${s.action} pid ${s.pid ?? '?'}`,
      });
    await saga.step('verify-tests', () => buildStep.runRunbookCommand(cmd('verify-tests', 'test')));
    await saga.step('verify-contract', () =>
      buildStep.runRunbookCommand(cmd('verify-contract', 'contractTest')),
    );
  });
}
