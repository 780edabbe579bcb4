import {
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DrillClone } from '../activities/target/drill';
import { failureMessage } from '../domain/failure-message';
import { FAILURE } from '../domain/failure-types';
import { drillSummaryLine, renderDrillReport } from '../domain/drill-report';
import type { RollbackProcedure } from '../contracts/rollback';
import {
  DRILL_PROCEDURES,
  type DrillProcedureResult,
  type RollbackDrillInput,
  type RollbackDrillResult,
} from '../contracts/drill';
import {
  ROLLBACK_WORKFLOW_TYPES,
  type RollbackInput,
  type RollbackResult,
  rollbackWorkflowId,
} from '../contracts/rollback';

/** Clone, verify, report, clean up: local file and git work of seconds; NotConfigured is final. */
const drillSteps = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [FAILURE.notConfigured] },
});
/** Stopping a clone's service after the drill: best effort, a leftover server is reported. */
const cleanupSteps = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    maximumAttempts: 3,
    nonRetryableErrorTypes: [FAILURE.notConfigured, FAILURE.portInUse, FAILURE.unsafeInput],
  },
});
const notifySteps = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FAILURE.notificationRejected] },
});

/**
 * Run IDs from server 1.32 on are UUIDv7: their first 8 hex digits are a timestamp, shared by
 * every run of the same minute; the last 8 are random.
 */
export const DRILL_ID_RUN_TAIL_PATCH = 'drill-id-run-tail';

/**
 * Drill ID: `DRILL-YYYYMMDD-HHMMSS-<run>` from workflow time and 8 random hex digits of the run ID,
 * unique per run. `runTail` false keeps the first 8 digits that drills before the patch used.
 */
export function drillIdOf(startTime: Date, runId: string, runTail = true): string {
  const iso = startTime.toISOString();
  const hex = runId.replaceAll('-', '');
  const run = runTail ? hex.slice(-8) : runId.slice(0, 8);
  return `DRILL-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${run}`;
}

/** The rollback each procedure must perform on the clone: undo the synthetic commit or return to the tag. */
function rollbackInputFor(drillId: string, clone: DrillClone): RollbackInput {
  const base = { incidentId: drillId, procedure: clone.procedure, repoPath: clone.clonePath };
  switch (clone.procedure) {
    case 'widget':
      return { ...base, mode: 'revert', badCommit: clone.badCommit };
    case 'mcp':
      return {
        ...base,
        mode: 'checkout',
        knownGood: clone.knownGood.sha,
        services: clone.services.slice(0, 1),
      };
    case 'full':
      return { ...base, mode: 'checkout', knownGood: clone.knownGood.tag, services: clone.services };
  }
}

async function drillOne(drillId: string, procedure: RollbackProcedure, input: RollbackDrillInput) {
  const result: DrillProcedureResult = {
    procedure,
    ok: false,
    startedAt: new Date().toISOString(),
    endedAt: '',
    rollbackWorkflowId: rollbackWorkflowId(procedure, drillId),
    checks: [],
  };
  let clone: DrillClone | undefined;
  try {
    clone = await drillSteps.prepareDrillClone({
      drillId,
      procedure,
      ...(input.sourceRepoPath ? { sourceRepoPath: input.sourceRepoPath } : {}),
    });
    Object.assign(result, {
      clonePath: clone.clonePath,
      knownGood: clone.knownGood,
      badCommit: clone.badCommit,
    });
    const rollbackInput = rollbackInputFor(drillId, clone);
    result.mode = rollbackInput.mode === 'revert' ? 'revert' : 'checkout';
    setCurrentDetails(`**${drillId}**: running ${ROLLBACK_WORKFLOW_TYPES[procedure]} on ${clone.clonePath}`);
    result.rollback = await executeChild<(input: RollbackInput) => Promise<RollbackResult>>(
      ROLLBACK_WORKFLOW_TYPES[procedure],
      {
        workflowId: result.rollbackWorkflowId,
        args: [rollbackInput],
        workflowExecutionTimeout: '30 minutes',
        staticSummary: `${procedure} rollback drill ${drillId}`,
      },
    );
    result.checks.push({
      check: 'rollback-succeeded',
      ok: result.rollback.ok,
      detail: result.rollback.ok
        ? `${result.rollback.steps.length} steps, HEAD ${result.rollback.headAfter?.slice(0, 12) ?? '?'}`
        : `failed at ${result.rollback.failedStep ?? '?'}: ${result.rollback.error ?? ''}`,
    });
    result.checks.push(...(await drillSteps.verifyDrillClone({ clone, drillId })));
    result.ok = result.checks.every((c) => c.ok);
  } catch (error) {
    if (isCancellation(error)) throw error;
    result.error = failureMessage(error);
  } finally {
    if (clone) await cleanUp(clone, result, input.keepClones === true);
    result.endedAt = new Date().toISOString();
  }
  return { result, source: clone?.source.path };
}

/** Stops services the rollback started in the clone, then removes the clone (unless kept). */
async function cleanUp(clone: DrillClone, result: DrillProcedureResult, keep: boolean): Promise<void> {
  if (clone.procedure !== 'widget') {
    const services = clone.procedure === 'mcp' ? clone.services.slice(0, 1) : clone.services;
    for (const service of services) {
      try {
        await cleanupSteps.stopService({ repoPath: clone.clonePath, service });
      } catch (error) {
        if (isCancellation(error)) throw error;
        result.checks.push({
          check: `stop-${service}`,
          ok: false,
          detail: `could not stop the clone's ${service}: ${failureMessage(error)}`,
        });
        result.ok = false;
      }
    }
  }
  if (!keep)
    await drillSteps.removeDrillClone({ clonePath: clone.clonePath }).catch((error: unknown) => {
      if (isCancellation(error)) throw error;
    });
}

/**
 * The guide's "Verify: Rollback procedures work: test rollback quarterly". For each procedure
 * (widget, mcp, full by default), one after another: a disposable clone of the target at its
 * known-good tag plus a synthetic breaking commit (activity `prepareDrillClone`), the real
 * rollback child workflow on that clone (by type name, workflow ID `rollback-<procedure>-<drillId>`,
 * 30-minute limit), the drill's checks (known-good tree, change gone, source untouched), and
 * clean-up (the clone's services stopped, the clone removed). Then the report is written to
 * `incidents/drills/<drillId>/report.md` and a failed drill notifies (kind `escalation`).
 *
 * The target's working copy is never written: every procedure gets `repoPath` = its clone.
 * Started by the `rollback-drill-quarterly` Schedule or `incident drill run`.
 */
export async function rollbackDrill(input: RollbackDrillInput = {}): Promise<RollbackDrillResult> {
  const info = workflowInfo();
  // Two drills started in the same second shared an ID (and a report folder) before this patch.
  const drillId = drillIdOf(info.startTime, info.runId, patched(DRILL_ID_RUN_TAIL_PATCH));
  const startedAt = new Date().toISOString();
  const procedures = input.procedures?.length ? input.procedures : [...DRILL_PROCEDURES];
  const results: DrillProcedureResult[] = [];
  const sources: (string | undefined)[] = [];
  for (const procedure of procedures) {
    setCurrentDetails(`**${drillId}**: drilling the ${procedure} rollback`);
    const { result, source } = await drillOne(drillId, procedure, input);
    results.push(result);
    sources.push(source);
  }
  const result: RollbackDrillResult = {
    drillId,
    ok: results.every((r) => r.ok),
    startedAt,
    endedAt: new Date().toISOString(),
    sourceRepoPath: input.sourceRepoPath ?? sources.find(Boolean),
    procedures: results,
    notified: false,
  };
  result.reportPath = await drillSteps.writeDrillReport({ drillId, markdown: renderDrillReport(result) });
  const summary = drillSummaryLine(result);
  if (!result.ok) {
    await notifySteps.notify({
      incidentId: drillId,
      severity: 'drill',
      kind: 'escalation',
      text: `${summary}. Report: ${result.reportPath}`,
    });
    result.notified = true;
  }
  setCurrentDetails(`**${drillId}**: ${summary}`);
  return result;
}
