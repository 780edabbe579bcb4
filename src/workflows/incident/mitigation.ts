import { isCancellation, patched } from '@temporalio/workflow';
import { failureMessage } from '../../domain/failure-message';
import { isAutoApproved } from '../../domain/approval';
import { describeStep } from '../../domain/procedures';
import { type MitigationStep, scenarioSpec, UNKNOWN_LEAST_DESTRUCTIVE } from '../../domain/scenarios';
import type { ApproveInput } from '../../contracts/messages';
import { type Decision, escalate, type IncidentContext, nowIso, record } from './context';
import {
  cancelCiRun,
  ciRunId,
  type Outcome,
  pushAttempt,
  rollbackInput,
  runBaselinesUpdate,
  runRollback,
} from './mitigation-actions';
import { run } from './activity-stubs';
import { awaitDecision } from './awaiting-decision';
import { type StageEnd, waitWithEscalation } from './waits';

/**
 * The guide's mitigation: the scenario's options in order of preference. Destructive options wait
 * for an authorised approval (or the per-severity auto-approval policy); approved options with a
 * rollback procedure run as child workflows, the others are carried out by a human who records
 * the outcome. A `workaround` record ends mitigation at any point; when every option has failed
 * the workflow escalates and waits for one.
 */
export async function mitigate(ctx: IncidentContext): Promise<StageEnd> {
  const { state } = ctx;
  const round = (state.mitigationRound ??= 1);
  const steps = mitigationSteps(ctx);
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
    if (outcome === 'continue-as-new') return outcome;
    if (outcome === 'succeeded') return mitigated(ctx, step.option);
    if (outcome === 'workaround') break;
  }
  if (!ctx.workaround) {
    state.awaitingWorkaround = true;
    escalate(
      ctx,
      'every mitigation option failed or was rejected: waiting for a workaround record',
      'all-options-failed',
    );
    const end = await waitWithEscalation(ctx, () => ctx.workaround !== undefined, {
      deadline: 'workaround',
      firstDeadline: () => Date.now(),
      reason: () => 'still no workaround recorded after every mitigation option failed',
      summary: 'Wait for a workaround record',
    });
    if (end === 'continue-as-new') return end;
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
  return mitigated(ctx, 'workaround');
}

/** Patch: an unclassified incident gets the least destructive procedures (not the full rollback). */
export const UNKNOWN_LEAST_DESTRUCTIVE_PATCH = 'unknown-least-destructive';
/** Patch: a proposal carries the rollback's planned steps (the planRollback activity). */
export const PROPOSAL_PLAN_PATCH = 'proposal-shows-plan';

function mitigationSteps(ctx: IncidentContext): MitigationStep[] {
  const { scenario } = ctx.state;
  // Incidents recorded before the change ran the catalogue's full rollback: they replay as such.
  if (scenario === 'unknown' && patched(UNKNOWN_LEAST_DESTRUCTIVE_PATCH)) return UNKNOWN_LEAST_DESTRUCTIVE;
  return scenarioSpec(scenario).mitigations;
}

/** Every step the option's rollback would take, for the proposal; undefined when none can be planned. */
async function proposalPlan(ctx: IncidentContext, step: MitigationStep): Promise<string[] | undefined> {
  if (!step.procedure || !patched(PROPOSAL_PLAN_PATCH)) return undefined;
  const input = rollbackInput(ctx, step, undefined);
  if (typeof input === 'string') return [`not runnable yet: ${input}`];
  try {
    const plan = await run('planRollback', `Plan ${step.procedure} rollback for ${step.option}`, input);
    return [
      `${plan.procedure} rollback, mode ${plan.mode}, in ${plan.repoPath}; services: ${plan.services.join(', ') || 'none'}${plan.path ? `; path ${plan.path}` : ''}`,
      ...plan.notes.map((n) => `note: ${n}`),
      ...plan.steps.map(describeStep),
    ];
  } catch (error) {
    if (isCancellation(error)) throw error;
    return [`cannot be planned: ${failureMessage(error)}`];
  }
}

function mitigated(ctx: IncidentContext, option: string): 'done' {
  const { state } = ctx;
  state.mitigatedAt = nowIso();
  ctx.metrics.mitigated(state);
  delete state.currentOption;
  delete state.pendingApproval;
  delete state.pendingAction;
  ctx.clearWorkaround();
  record(ctx, 'mitigated', `service restored by ${option}`);
  return 'done';
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
      if (decided === 'workaround' || decided === 'rejected' || decided === 'continue-as-new') return decided;
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

/** A rejection of the option, in optionsTried. */
function rejected(ctx: IncidentContext, step: MitigationStep, round: number, decision: Decision): 'rejected' {
  if (decision.kind === 'rejected')
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

async function awaitApproval(
  ctx: IncidentContext,
  step: MitigationStep,
  round: number,
): Promise<ApproveInput | 'rejected' | 'workaround' | 'continue-as-new'> {
  const decision = await awaitDecision(ctx, step, 'approval', () => proposalPlan(ctx, step));
  if (decision === 'workaround' || decision === 'continue-as-new') return decision;
  if (decision.kind !== 'approved') return rejected(ctx, step, round, decision);
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
  const decision = await awaitDecision(ctx, step, 'action');
  if (decision === 'continue-as-new') return decision;
  if (decision === 'workaround') {
    // A workaround is recorded; the human step is superseded by it.
    if (step.option !== 'workaround')
      pushAttempt(ctx, {
        option: step.option,
        outcome: 'skipped',
        at: nowIso(),
        detail: 'superseded by a workaround',
        round,
      });
    return 'workaround';
  }
  if (decision.kind !== 'outcome') return rejected(ctx, step, round, decision);
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
