import type { RollbackInput, RollbackResult } from '../rollback-contract';
import { buildStep, installStep, quickSteps } from './step-proxies';
import { applyGitChange, runRollback, saveBackup } from './run-rollback';

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
  return runRollback('widget', input, async (ctx) => {
    const { saga, repo, input } = ctx;
    const step = (id: string) => ({ incidentId: input.incidentId, step: id, ...repo });
    await saga.step('identify-known-good', () => quickSteps.recentCommits({ ...repo, limit: 10 }), {
      detail: (commits) => commits.map((c) => `${c.sha.slice(0, 7)} ${c.subject}`).join('\n'),
    });
    const backup = await saveBackup(ctx);
    await applyGitChange(ctx, backup);
    await saga.step('install', () =>
      installStep.runRunbookCommand({ ...step('install'), command: 'install' }),
    );
    await saga.step('build-widgets', () =>
      buildStep.runRunbookCommand({ ...step('build-widgets'), command: 'buildWidgets' }),
    );
    await saga.step('verify-tests', () =>
      buildStep.runRunbookCommand({ ...step('verify-tests'), command: 'test' }),
    );
    await saga.step('verify-widgets', () => quickSteps.listBuiltWidgets(repo), {
      detail: (widgets) => widgets.map((w) => `${w.bytes} ${w.file}`).join('\n'),
    });
  });
}
