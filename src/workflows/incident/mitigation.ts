import { executeChild } from '@temporalio/workflow';
import { isAutoApproved } from '../../domain/approval';
import { type MitigationStep, scenarioSpec } from '../../domain/scenarios';
import type { ApproveInput, OptionAttempt } from '../messages';
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import {
  ROLLBACK_WORKFLOW_TYPES,
  type RollbackInput,
  type RollbackResult,
  rollbackWorkflowId,
  type VisualBaselinesInput,
  type VisualBaselinesResult,
  visualBaselinesWorkflowId,
} from '../rollback-contract';
import { run } from './activity-stubs';
import { type Decision, escalate, type IncidentContext, nowIso, record, showDetails } from './context';
import { waitWithEscalation } from './waits';

type Outcome = 'succeeded' | 'failed' | 'rejected' | 'workaround';

/**
 * The guide's mitigation: the scenario's options in order of preference. Destructive options wait
 * for an authorised approval (or the per-severity auto-approval policy); approved options with a
 * rollback procedure run as child workflows, the others are carried out by a human who records
 * the outcome. A `workaround` record ends mitigation at any point; when every option has failed
 * the workflow escalates and waits for one.
 */
export async function mitigate(ctx: IncidentContext): Promise<void> {
  const { state } = ctx;
  const round = (state.mitigationRound ??= 1);
  const steps = scenarioSpec(state.scenario).mitigations;
  const start = state.currentOption
    ? Math.max(
        0,
        steps.findIndex((s) => s.option === state.currentOption),
      )
    : 0;

  for (let i = start; i < steps.length && !ctx.workaround; i++) {
    const step = steps[i]!;
    state.currentOption = step.option;
    const outcome = await attempt(ctx, step, round);
    if (outcome === 'succeeded') return mitigated(ctx, step.option);
    if (outcome === 'workaround') break;
  }
  if (!ctx.workaround) {
    state.awaitingWorkaround = true;
    escalate(ctx, 'every mitigation option failed or was rejected: waiting for a workaround record');
    await waitWithEscalation(ctx, () => ctx.workaround !== undefined, {
      deadline: 'workaround',
      firstDeadline: () => Date.now(),
      reason: () => 'still no workaround recorded after every mitigation option failed',
      summary: 'Wait for a workaround record',
    });
  }
  const w = ctx.workaround!;
  pushAttempt(ctx, {
    option: 'workaround',
    outcome: 'succeeded',
    at: nowIso(),
    by: w.by,
    detail: w.description,
    round,
  });
  state.awaitingWorkaround = false;
  mitigated(ctx, 'workaround');
}

function mitigated(ctx: IncidentContext, option: string): void {
  const { state } = ctx;
  state.mitigatedAt = nowIso();
  delete state.currentOption;
  delete state.pendingApproval;
  delete state.pendingAction;
  ctx.workaround = undefined;
  record(ctx, 'mitigated', `service restored by ${option}`);
}

/** The decision a handler left, consumed once (a function so TypeScript does not narrow across awaits). */
function takeDecision(ctx: IncidentContext): Decision | undefined {
  const decision = ctx.decision;
  ctx.decision = undefined;
  return decision;
}

function pushAttempt(ctx: IncidentContext, attempt: OptionAttempt): void {
  ctx.state.optionsTried.push(attempt);
}

const approvedThisRound = (ctx: IncidentContext, option: string, round: number) =>
  ctx.state.optionsTried.find((a) => a.option === option && a.round === round && a.outcome === 'approved');

async function attempt(ctx: IncidentContext, step: MitigationStep, round: number): Promise<Outcome> {
  const { state, policy } = ctx;
  let approval: ApproveInput | undefined;
  if (step.risk === 'destructive') {
    const earlier = approvedThisRound(ctx, step.option, round);
    if (earlier) {
      approval = {
        option: step.option,
        approver: earlier.by ?? 'unknown',
        ...(earlier.detail ? { target: earlier.detail } : {}),
      };
    } else if (isAutoApproved(policy.autoApprove, state.severity, step.option)) {
      approval = { option: step.option, approver: 'policy:auto-approve' };
      record(ctx, 'approved', `${step.option} auto-approved by policy for ${state.severity}`);
      pushAttempt(ctx, {
        option: step.option,
        outcome: 'approved',
        at: nowIso(),
        by: approval.approver,
        round,
      });
    } else {
      const decided = await awaitApproval(ctx, step, round);
      if (decided === 'workaround' || decided === 'rejected') return decided;
      approval = decided;
    }
  }
  if (step.procedure) return runRollback(ctx, step, round, approval);
  if (step.action?.kind === 'workflow') return runBaselinesUpdate(ctx, step, round);
  if (step.action?.kind === 'activity') {
    const runId = ciRunId(ctx);
    if (runId) return cancelCiRun(ctx, step, round, runId);
    record(
      ctx,
      'note',
      `${step.option}: the alert carries no CI run ID (details.ciRunId), so a human cancels the job`,
    );
  }
  return awaitHumanOutcome(ctx, step, round);
}

async function awaitApproval(
  ctx: IncidentContext,
  step: MitigationStep,
  round: number,
): Promise<ApproveInput | 'rejected' | 'workaround'> {
  const { state, policy } = ctx;
  const since = nowIso();
  state.pendingApproval = {
    option: step.option,
    risk: step.risk,
    since,
    deadline: new Date(Date.parse(since) + policy.approvalDeadline).toISOString(),
  };
  ctx.decision = undefined;
  record(ctx, 'proposed', `${step.option} (${step.risk}) waits for approval: ${step.description}`);
  await waitWithEscalation(ctx, () => ctx.decision !== undefined || ctx.workaround !== undefined, {
    deadline: 'approval',
    firstDeadline: () => Date.parse(state.pendingApproval?.since ?? since) + policy.approvalDeadline,
    reason: () => `${step.option} has waited for approval past its deadline`,
    summary: `Wait for approval of ${step.option}`,
  });
  delete state.pendingApproval;
  const decision = takeDecision(ctx);
  if (!decision) return 'workaround';
  if (decision.kind === 'rejected') {
    pushAttempt(ctx, {
      option: step.option,
      outcome: 'rejected',
      at: nowIso(),
      by: decision.input.approver,
      round,
      ...(decision.input.reason ? { detail: decision.input.reason } : {}),
    });
    return 'rejected';
  }
  if (decision.kind !== 'approved') return 'rejected';
  pushAttempt(ctx, {
    option: step.option,
    outcome: 'approved',
    at: nowIso(),
    by: decision.input.approver,
    round,
    ...(decision.input.target ? { detail: decision.input.target } : {}),
  });
  return decision.input;
}

async function awaitHumanOutcome(
  ctx: IncidentContext,
  step: MitigationStep,
  round: number,
): Promise<Outcome> {
  const { state, policy } = ctx;
  const since = nowIso();
  state.pendingAction = {
    option: step.option,
    description: step.description,
    since,
    deadline: new Date(Date.parse(since) + policy.approvalDeadline).toISOString(),
  };
  ctx.decision = undefined;
  record(
    ctx,
    'proposed',
    `${step.option} is for a human to carry out: ${step.description}; record the outcome with recordMitigation`,
  );
  await waitWithEscalation(ctx, () => ctx.decision !== undefined || ctx.workaround !== undefined, {
    deadline: 'action',
    firstDeadline: () => Date.parse(state.pendingAction?.since ?? since) + policy.approvalDeadline,
    reason: () => `nobody has recorded the outcome of ${step.option}`,
    summary: `Wait for the outcome of ${step.option}`,
  });
  delete state.pendingAction;
  const decision = takeDecision(ctx);
  if (!decision) {
    // A workaround is recorded; the human step is superseded by it.
    if (step.option === 'workaround') return 'workaround';
    pushAttempt(ctx, {
      option: step.option,
      outcome: 'skipped',
      at: nowIso(),
      detail: 'superseded by a workaround',
      round,
    });
    return 'workaround';
  }
  if (decision.kind === 'rejected') {
    pushAttempt(ctx, {
      option: step.option,
      outcome: 'rejected',
      at: nowIso(),
      by: decision.input.approver,
      round,
      ...(decision.input.reason ? { detail: decision.input.reason } : {}),
    });
    return 'rejected';
  }
  if (decision.kind !== 'outcome') return 'rejected';
  const { input } = decision;
  pushAttempt(ctx, {
    option: step.option,
    outcome: input.outcome,
    at: nowIso(),
    by: input.by,
    round,
    ...(input.detail ? { detail: input.detail } : {}),
  });
  return input.outcome;
}

/** Resolves the explicit SHA or tag a rollback acts on; never "HEAD". */
function rollbackInput(
  ctx: IncidentContext,
  step: MitigationStep,
  approval: ApproveInput | undefined,
): RollbackInput | string {
  const { state } = ctx;
  const procedure = step.procedure!;
  if (step.option === 'revert-last-change') {
    const badCommit = approval?.target ?? state.repository?.head;
    if (!badCommit) return 'no commit to revert: triage found no HEAD and the approval named no target';
    return { incidentId: state.incidentId, procedure, mode: 'revert', badCommit };
  }
  const knownGood = approval?.target ?? state.repository?.knownGood?.tag;
  if (!knownGood) return 'no known-good version: triage found no tag and the approval named no target';
  return { incidentId: state.incidentId, procedure, mode: 'checkout', knownGood };
}

async function runRollback(
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
    const detail = result.ok
      ? `${workflowType} succeeded (HEAD ${result.headAfter ?? 'unknown'})`
      : `${workflowType} failed at step ${result.failedStep ?? 'unknown'}`;
    pushAttempt(ctx, {
      option: step.option,
      outcome: result.ok ? 'succeeded' : 'failed',
      at: nowIso(),
      detail,
      round,
    });
    record(ctx, result.ok ? 'rollback-succeeded' : 'mitigation-failed', detail);
    return result.ok ? 'succeeded' : 'failed';
  } catch (error) {
    const detail = `${workflowType} failed: ${(error as Error).message}${(error as Error).cause ? ` (${((error as Error).cause as Error).message})` : ''}`;
    pushAttempt(ctx, { option: step.option, outcome: 'failed', at: nowIso(), detail, round });
    record(ctx, 'mitigation-failed', detail);
    return 'failed';
  }
}

/** The CI run to cancel, when the alert carried one (`details.ciRunId` or `details.runId`). */
function ciRunId(ctx: IncidentContext): string | undefined {
  const details = ctx.incident.details;
  return details?.ciRunId ?? details?.runId;
}

const failureText = (error: unknown): string => {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'error'}: ${cause.message}`;
  return (cause as Error).message;
};

async function cancelCiRun(
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
    pushAttempt(ctx, { option: step.option, outcome: 'succeeded', at: nowIso(), detail, round });
    record(ctx, 'mitigation-succeeded', detail);
    return 'succeeded';
  } catch (error) {
    const detail = `cancelling CI run ${runId} failed: ${failureText(error)}`;
    pushAttempt(ctx, { option: step.option, outcome: 'failed', at: nowIso(), detail, round });
    record(ctx, 'mitigation-failed', detail);
    return 'failed';
  }
}

async function runBaselinesUpdate(
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
    pushAttempt(ctx, {
      option: step.option,
      outcome: result.ok ? 'succeeded' : 'failed',
      at: nowIso(),
      detail,
      round,
    });
    record(ctx, result.ok ? 'mitigation-succeeded' : 'mitigation-failed', detail);
    return result.ok ? 'succeeded' : 'failed';
  } catch (error) {
    const detail = `visualBaselinesUpdate failed: ${(error as Error).message}`;
    pushAttempt(ctx, { option: step.option, outcome: 'failed', at: nowIso(), detail, round });
    record(ctx, 'mitigation-failed', detail);
    return 'failed';
  }
}
