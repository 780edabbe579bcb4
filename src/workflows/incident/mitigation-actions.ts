import { executeChild, isCancellation } from '@temporalio/workflow';
import { failureMessage } from '../../domain/failure-message';
import type { MitigationStep } from '../../domain/scenarios';
import { failureLine, type StepFailure } from '../../contracts/step-failure';
import type { ApproveInput, OptionAttempt } from '../../contracts/messages';
import {
  ROLLBACK_WORKFLOW_TYPES,
  type RollbackInput,
  type RollbackResult,
  rollbackWorkflowId,
  type VisualBaselinesInput,
  type VisualBaselinesResult,
  visualBaselinesWorkflowId,
} from '../../contracts/rollback';
import { run } from './activity-stubs';
import { type IncidentContext, nowIso, record, showDetails } from './context';

/**
 * The engine's own ways of carrying out an approved option: a rollback child workflow (the
 * procedure's), the visual-baselines child, or the CI-cancel activity. A child that returns
 * ok=false, fails, or outlives `policy.rollbackTimeout` counts as a failed option.
 */
export type Outcome = 'succeeded' | 'failed' | 'rejected' | 'workaround' | 'continue-as-new';

export function pushAttempt(ctx: IncidentContext, attempt: OptionAttempt): void {
  ctx.state.optionsTried.push(attempt);
}

/** Records how an engine action for an option ended, in optionsTried and the timeline. */
function settle(
  ctx: IncidentContext,
  step: MitigationStep,
  round: number,
  ok: boolean,
  detail: string,
  successKind = 'mitigation-succeeded',
  failure?: StepFailure,
): Outcome {
  pushAttempt(ctx, {
    option: step.option,
    outcome: ok ? 'succeeded' : 'failed',
    at: nowIso(),
    detail,
    round,
    ...(failure && { failure }),
  });
  record(ctx, ok ? successKind : 'mitigation-failed', detail);
  return ok ? 'succeeded' : 'failed';
}

/**
 * Resolves the explicit SHA or tag a rollback acts on (never "HEAD") and passes the incident's
 * services: the child plans against the ones configured in target.services.
 */
export function rollbackInput(
  ctx: IncidentContext,
  step: MitigationStep,
  approval: ApproveInput | undefined,
): RollbackInput | string {
  const { state } = ctx;
  const procedure = step.procedure!;
  const base = { incidentId: state.incidentId, procedure, services: [...state.services] };
  if (step.option === 'revert-last-change') {
    const whole = step.revertWholeCommit ? { revertWholeCommit: true } : {};
    // The MCP procedure reverts only the MCP path's part of a commit, so HEAD (perhaps a docs
    // change) is the wrong default: the child takes the newest commit touching that path, in a
    // recorded step of its own, so its retries still act on one explicit SHA.
    if (procedure === 'mcp' && !step.revertWholeCommit && !approval?.target)
      return { ...base, mode: 'revert' };
    const badCommit = approval?.target ?? state.repository?.head;
    if (!badCommit) return 'no commit to revert: triage found no HEAD and the approval named no target';
    return { ...base, mode: 'revert', badCommit, ...whole };
  }
  const knownGood = approval?.target ?? state.repository?.knownGood?.tag;
  if (!knownGood) return 'no known-good version: triage found no tag and the approval named no target';
  return { ...base, mode: 'checkout', knownGood };
}

/** deploy-known-good left HEAD detached at the tag while the branch stays broken: say so. */
function noteDetachedHead(ctx: IncidentContext, step: MitigationStep, result: RollbackResult): void {
  if (!result.ok || !result.detachedAt) return;
  const branch = result.branchToRestore;
  ctx.state.detachedHead = { at: result.detachedAt, option: step.option, ...(branch ? { branch } : {}) };
  record(
    ctx,
    'detached-head',
    `HEAD is detached at ${result.detachedAt}${branch ? `; branch ${branch} still points at the broken commit: land the fix on ${branch} and check it out again` : ''}`,
  );
}

export async function runRollback(
  ctx: IncidentContext,
  step: MitigationStep,
  round: number,
  approval: ApproveInput | undefined,
): Promise<Outcome> {
  const { state, policy } = ctx;
  const input = rollbackInput(ctx, step, approval);
  if (typeof input === 'string') {
    pushAttempt(ctx, { option: step.option, outcome: 'failed', at: nowIso(), detail: input, round });
    record(ctx, 'mitigation-failed', `${step.option} not run: ${input}`);
    return 'failed';
  }
  const workflowType = ROLLBACK_WORKFLOW_TYPES[input.procedure];
  // One ID per incident and procedure (the rollback contract's), so a retried start lands on the
  // same execution; a later option or round with the same procedure starts after it has closed.
  const workflowId = rollbackWorkflowId(input.procedure, state.incidentId);
  showDetails(ctx, `running ${workflowType} (${workflowId}) for ${step.option}`);
  record(ctx, 'rollback-started', `${workflowType} started as ${workflowId}`);
  try {
    const result = await executeChild<(input: RollbackInput) => Promise<RollbackResult>>(workflowType, {
      workflowId,
      args: [input],
      workflowExecutionTimeout: policy.rollbackTimeout,
      staticSummary: `${step.option} for ${state.incidentId}`,
    });
    const failure = result.steps.find((s) => s.step === result.failedStep && s.status === 'failed')?.failure;
    // Steps' notes (a server adopted from an earlier attempt ...) belong in the timeline too.
    const notes = result.steps.flatMap((s) => (s.note ? [`; ${s.step}: ${s.note}`] : [])).join('');
    const detail = result.ok
      ? `${workflowType} succeeded (HEAD ${result.headAfter ?? 'unknown'})${notes}`
      : `${workflowType} failed at step ${result.failedStep ?? 'unknown'}${failure ? `: ${failureLine({ ...failure, step: undefined })}` : ''}${notes}`;
    const outcome = settle(ctx, step, round, result.ok, detail, 'rollback-succeeded', failure);
    noteDetachedHead(ctx, step, result);
    return outcome;
  } catch (error) {
    if (isCancellation(error)) throw error;
    const detail = `${workflowType} failed: ${failureMessage(error)}`;
    return settle(ctx, step, round, false, detail);
  }
}

/** The CI run to cancel, when the alert carried one (`details.ciRunId` or `details.runId`). */
export function ciRunId(ctx: IncidentContext): string | undefined {
  const details = ctx.incident.details;
  return details?.ciRunId ?? details?.runId;
}

export async function cancelCiRun(
  ctx: IncidentContext,
  step: MitigationStep,
  round: number,
  runId: string,
): Promise<Outcome> {
  const { state } = ctx;
  showDetails(ctx, `cancelling CI run ${runId}`);
  try {
    const result = await run('cancelCiJob', `Cancel stuck CI run ${runId}`, {
      incidentId: state.incidentId,
      runId,
    });
    const detail = `CI run ${runId} cancelled${result.tail ? `: ${result.tail.split('\n').at(-1)}` : ''}`;
    return settle(ctx, step, round, true, detail);
  } catch (error) {
    if (isCancellation(error)) throw error;
    return settle(ctx, step, round, false, `cancelling CI run ${runId} failed: ${failureMessage(error)}`);
  }
}

export async function runBaselinesUpdate(
  ctx: IncidentContext,
  step: MitigationStep,
  round: number,
): Promise<Outcome> {
  const { state } = ctx;
  const workflowId = visualBaselinesWorkflowId(state.incidentId);
  showDetails(ctx, `running visualBaselinesUpdate (${workflowId})`);
  record(ctx, 'child-started', `visualBaselinesUpdate started as ${workflowId}`);
  try {
    const result = await executeChild<(input: VisualBaselinesInput) => Promise<VisualBaselinesResult>>(
      'visualBaselinesUpdate',
      {
        workflowId,
        args: [{ incidentId: state.incidentId, reason: state.summary.slice(0, 200) }],
        workflowExecutionTimeout: ctx.policy.rollbackTimeout,
        staticSummary: `${step.option} for ${state.incidentId}`,
      },
    );
    const detail = result.ok
      ? `visual baselines ${result.commit ? `committed ${result.commit}` : 'already up to date'}`
      : `visualBaselinesUpdate failed at step ${result.failedStep ?? 'unknown'}${result.error ? `: ${result.error}` : ''}`;
    return settle(ctx, step, round, result.ok, detail);
  } catch (error) {
    if (isCancellation(error)) throw error;
    return settle(ctx, step, round, false, `visualBaselinesUpdate failed: ${failureMessage(error)}`);
  }
}
