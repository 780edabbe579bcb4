/**
 * Runs a procedure's step list (src/domain/procedures.ts) as saga steps: the same list
 * `incident plan` prints. Each action maps to the activity the hand-written procedures called,
 * with the same step IDs, so histories recorded before the plan existed still replay.
 */
import { patched } from '@temporalio/workflow';
import { buildProcedure, type ProcedurePlan, type ProcedureStep } from '../../domain/procedures';
import type { RollbackProcedure } from '../../contracts/rollback';
import type { RollbackInput, RollbackResult } from '../../contracts/rollback';
import { buildStep, gitSteps, installStep, quickSteps, serviceSteps } from './step-proxies';
import { LOCAL_LOCK_PATCH, type ProcedureContext, runRollback, saveBackup } from './run-rollback';
import { reasonOf, RollbackStepFailed } from './saga';

/** Patch: the plan comes from the worker's config (planRollback) instead of hard-coded defaults. */
export const PLAN_FROM_CONFIG_PATCH = 'rollback-plan-from-config';
/** Patch: stop-service registers its undo only when it stopped something. */
export const UNDO_ONLY_EFFECTS_PATCH = 'undo-only-effects';

/** What histories recorded before the plan existed ran: service `mcp`, path `platforms/mcp/`. */
function legacyPlan(input: RollbackInput): ProcedurePlan {
  const services = Object.fromEntries((input.services ?? ['mcp']).map((s) => [s, { start: [], port: 0 }]));
  const runbook = Object.fromEntries(
    ['install', 'build', 'buildWidgets', 'test', 'contractTest'].map((name) => [name, { argv: [name] }]),
  );
  return buildProcedure(input, { paths: { mcp: 'platforms/mcp/' }, services, runbook });
}

/** Values resolved by earlier steps, in history. */
interface Resolved {
  badCommit?: string;
  knownGood?: string;
  knownGoodSha?: string;
  backupBranch?: string;
  checkedOut?: boolean;
}

/** Runs `procedure` for `input`: plans it (from config, in a recorded step), then runs every step. */
export function runProcedure(procedure: RollbackProcedure, input: RollbackInput): Promise<RollbackResult> {
  // With the lock as a local activity, the plan patch is asked here, in the first activation:
  // asked after that activity, a replay can reach it one workflow task earlier than the recorded
  // run did and read false (TMPRL1100; docs/lifecycle.md, status updates). Histories with the
  // lock as a normal activity ask it after the lock, as they were recorded.
  const planFromConfig = patched(LOCAL_LOCK_PATCH) ? patched(PLAN_FROM_CONFIG_PATCH) : undefined;
  return runRollback(procedure, input, async (ctx) => {
    const plan =
      (planFromConfig ?? patched(PLAN_FROM_CONFIG_PATCH))
        ? await quickSteps.planRollback({ ...input, procedure }).catch((error: unknown) => {
            throw new RollbackStepFailed('plan', reasonOf(error));
          })
        : legacyPlan({ ...input, procedure });
    await runPlan(ctx, plan);
  });
}

/** Runs the plan's steps in order; lock steps are runLocked's. */
export async function runPlan(ctx: ProcedureContext, plan: ProcedurePlan): Promise<void> {
  const { input, result } = ctx;
  const resolved: Resolved = { badCommit: input.badCommit, knownGood: input.knownGood };
  for (const step of plan.steps) await runStep(ctx, step, resolved);
  if (resolved.checkedOut) {
    // The guide's checkout leaves HEAD detached at the tag while the branch stays broken.
    result.detachedAt = resolved.knownGood;
    if (resolved.backupBranch) result.branchToRestore = resolved.backupBranch;
  }
}

async function runStep(ctx: ProcedureContext, step: ProcedureStep, resolved: Resolved): Promise<void> {
  const { saga, input, result, repo } = ctx;
  const incidentId = input.incidentId;
  const undoGit = () => gitSteps.restoreBackupRef({ ...repo, incidentId, branch: resolved.backupBranch });
  const a = step.action;
  switch (a.type) {
    case 'acquire-lock':
    case 'release-lock':
      return;
    case 'recent-commits': {
      const recent = await saga.step(
        step.id,
        () => quickSteps.recentCommits({ ...repo, limit: a.limit, ...(a.path ? { path: a.path } : {}) }),
        { detail: (commits) => commits.map((c) => `${c.sha.slice(0, 7)} ${c.subject}`).join('\n') },
      );
      if (a.path !== undefined && input.mode === 'revert') resolved.badCommit ??= recent[0]?.sha;
      return;
    }
    case 'snapshot': {
      const s = await saga.step(step.id, () => quickSteps.snapshotRepository({ ...repo, incidentId }), {
        detail: (s) =>
          `HEAD ${s.head}; known-good ${s.knownGood?.tag ?? 'none'}; ${s.commitsSinceKnownGood.length} commits since`,
      });
      resolved.knownGood ??= s.knownGood?.tag;
      return;
    }
    case 'save-backup':
      resolved.backupBranch = (await saveBackup(ctx)).branch;
      return;
    case 'stop-service': {
      const service = a.service;
      await saga.step(step.id, () => serviceSteps.stopService({ ...repo, service }), {
        undo: () => serviceSteps.startService({ ...repo, service }),
        // Compensation starts only what this step stopped (older histories: always).
        undoWhen: (s) => !patched(UNDO_ONLY_EFFECTS_PATCH) || s.action === 'stopped',
        detail: (s) => `${s.action}${s.pid ? ` pid ${s.pid}` : ''}`,
      });
      return;
    }
    case 'start-service': {
      const service = a.service;
      await saga.step(step.id, () => serviceSteps.startService({ ...repo, service }), {
        undo: () => serviceSteps.stopService({ ...repo, service }),
        detail: (s) => `${s.action} pid ${s.pid ?? '?'} healthy at ${s.healthUrl}`,
      });
      return;
    }
    case 'resolve-bad-commit':
      if (step.when && resolved.badCommit) return;
      resolved.badCommit = await saga.step(step.id, () => quickSteps.resolveRef({ ...repo, ref: 'HEAD' }), {
        detail: (s) => s,
      });
      return;
    case 'revert-path': {
      const sha = resolved.badCommit!;
      const path = a.path;
      const reverted = await saga.step(
        step.id,
        () => gitSteps.revertPath({ ...repo, incidentId, sha, path }),
        {
          undo: undoGit,
          detail: (r) =>
            r.touchedPath
              ? `${path} part of ${sha} reverted by ${r.revertSha}${r.alreadyReverted ? ' (already there)' : ''}`
              : `${sha} did not touch ${path}`,
        },
      );
      result.revertCommit = reverted.revertSha;
      return;
    }
    case 'revert-commit': {
      const sha = resolved.badCommit!;
      const reverted = await saga.step(step.id, () => gitSteps.revertCommit({ ...repo, incidentId, sha }), {
        undo: undoGit,
        detail: (r) => `${sha} reverted by ${r.revertSha}${r.alreadyReverted ? ' (already there)' : ''}`,
      });
      result.revertCommit = reverted.revertSha;
      return;
    }
    case 'find-known-good-tag':
      if (step.when && resolved.knownGood) return;
      resolved.knownGood = await saga.step(
        step.id,
        async () => {
          const snapshot = await quickSteps.snapshotRepository({ ...repo, incidentId });
          if (!snapshot.knownGood) throw new Error('no known-good tag matches the configured pattern');
          return snapshot.knownGood.tag;
        },
        { detail: (tag) => tag },
      );
      return;
    case 'resolve-known-good': {
      const ref = resolved.knownGood!;
      resolved.knownGoodSha = await saga.step(step.id, () => quickSteps.resolveRef({ ...repo, ref }), {
        detail: (s) => s,
      });
      return;
    }
    case 'reset-to-commit': {
      const sha = resolved.knownGoodSha!;
      await saga.step(step.id, () => gitSteps.resetToCommit({ ...repo, incidentId, sha }), {
        undo: undoGit,
        detail: (r) => `HEAD = ${r.head}`,
      });
      return;
    }
    case 'checkout-known-good': {
      const ref = resolved.knownGood!;
      await saga.step(step.id, () => gitSteps.checkoutKnownGood({ ...repo, incidentId, ref }), {
        undo: undoGit,
        detail: (r) =>
          `${ref} = ${r.head}; HEAD detached${resolved.backupBranch ? `, branch ${resolved.backupBranch} unchanged` : ''}`,
      });
      resolved.checkedOut = true;
      return;
    }
    case 'remove-node-modules':
      await saga.step(step.id, () => gitSteps.removeNodeModules(repo));
      return;
    case 'run-command': {
      const proxy = a.retries === 'install' ? installStep : buildStep;
      const command = a.command as Parameters<typeof proxy.runRunbookCommand>[0]['command'];
      await saga.step(step.id, () =>
        proxy.runRunbookCommand({ incidentId, step: step.id, command, ...repo }),
      );
      return;
    }
    case 'list-widgets':
      await saga.step(step.id, () => quickSteps.listBuiltWidgets(repo), {
        detail: (widgets) => widgets.map((w) => `${w.bytes} ${w.file}`).join('\n'),
      });
      return;
  }
}
