import { patched } from '@temporalio/workflow';
import type { MitigationStep } from '../../domain/scenarios';
import type { PendingApproval } from '../../contracts/messages';
import { type Decision, type IncidentContext, nowIso, record } from './context';
import { approvalProgress } from '../../domain/four-eyes';
import { delegateApproval, requiredNow } from './delegation';
import { waitWithEscalation } from './waits';

/**
 * What an option waits for: an `approval` (a destructive option, shown as `pendingApproval`) or
 * the outcome of an `action` a human carries out (`pendingAction`); a reject answers either.
 */
export type Awaiting = 'approval' | 'action';

/** Patch: a new proposal is also sent as an approval-request notification (Slack buttons). */
export const APPROVAL_REQUEST_PATCH = 'approval-request-notification';

/** How the wait ended: a decision, a workaround that superseded it, or a safe point to continue as new. */
export type DecisionWaitEnd = Decision | 'workaround' | 'continue-as-new';

/** ", 1 of 2 approvals (@alice)" when the option needs more than one; empty otherwise (as before four-eyes). */
function approvalsShort(ctx: IncidentContext): string {
  const pending = ctx.state.pendingApproval;
  const required = requiredNow(ctx);
  return pending && required > 1 ? ` (${approvalProgress(pending.approvals ?? [], required)})` : '';
}

/**
 * Shows the option as pending, waits for a decision on it (or a workaround), escalating past the
 * deadline and again at the escalation interval, and returns the decision consumed once. A run
 * continued-as-new resumes the same pending option and its clock, and is not proposed again.
 * `plan` (approvals only) is run before the option shows as pending, so nobody sees or approves
 * it without its steps.
 */
export async function awaitDecision(
  ctx: IncidentContext,
  step: MitigationStep,
  awaiting: Awaiting,
  plan?: () => Promise<string[] | undefined>,
): Promise<DecisionWaitEnd> {
  const { state, policy } = ctx;
  const pending = () => (awaiting === 'approval' ? state.pendingApproval : state.pendingAction);
  const carriedApproval = awaiting === 'approval' && state.pendingApproval?.option === step.option;
  const carriedAction = awaiting === 'action' && state.pendingAction?.option === step.option;
  const carried = carriedApproval || carriedAction ? pending() : undefined;
  const since = carried?.since ?? nowIso();
  const deadline = new Date(Date.parse(since) + policy.approvalDeadline).toISOString();
  if (awaiting === 'approval') {
    const steps = carried ? undefined : await plan?.();
    const shown: PendingApproval = carriedApproval
      ? state.pendingApproval!
      : {
          option: step.option,
          risk: step.risk,
          since,
          deadline,
          ...(step.procedure ? { procedure: step.procedure } : {}),
          ...(steps ? { plan: steps } : {}),
        };
    state.pendingApproval = shown;
    // Shown in status before anyone approves ("0 of 2"); state only, no command.
    shown.required = requiredNow(ctx);
    ctx.clearDecision();
    if (!carried) {
      // A carried approval's attribute came with the run (the first upsert of every run has it).
      ctx.publishApproval();
      ctx.metrics.approvalRequested(state, step.option);
      record(
        ctx,
        'proposed',
        `${step.option} (${step.risk}) waits for approval: ${step.description}${steps ? `\n${steps.join('\n')}` : ''}`,
      );
      // Incidents recorded before approval requests were notified replay without the extra notify.
      if (patched(APPROVAL_REQUEST_PATCH))
        ctx.outbox.push({
          kind: 'approval-request',
          text: `APPROVAL NEEDED: ${state.incidentId} ${state.severity}: ${step.option} (${step.risk}): ${step.description}`,
          proposal: {
            option: step.option,
            risk: step.risk,
            description: step.description,
            ...(steps ? { plan: steps } : {}),
          },
        });
    }
  } else {
    state.pendingAction = carriedAction
      ? state.pendingAction
      : {
          option: step.option,
          description: step.description,
          since,
          deadline,
        };
    ctx.clearDecision();
    if (!carried)
      record(
        ctx,
        'proposed',
        `${step.option} is for a human to carry out: ${step.description}; record the outcome with \`incident outcome\``,
      );
  }
  const end = await waitWithEscalation(
    ctx,
    () => ctx.decision !== undefined || ctx.workaround !== undefined,
    {
      deadline: awaiting,
      firstDeadline: () => Date.parse(pending()?.since ?? since) + policy.approvalDeadline,
      reason: () =>
        awaiting === 'approval'
          ? `${step.option} has waited for approval past its deadline${approvalsShort(ctx)}`
          : `nobody has recorded the outcome of ${step.option}`,
      ...(awaiting === 'approval' ? { escalated: (round: number) => delegateApproval(ctx, round) } : {}),
      summary:
        awaiting === 'approval'
          ? `Wait for approval of ${step.option}`
          : `Wait for the outcome of ${step.option}`,
    },
  );
  if (end === 'continue-as-new') return end;
  if (awaiting === 'approval') {
    delete state.pendingApproval;
    ctx.publishApproval();
  } else delete state.pendingAction;
  const decision = ctx.takeDecision() ?? 'workaround';
  if (awaiting === 'approval')
    ctx.metrics.approvalEnded(step.option, decision === 'workaround' ? decision : decision.kind, since);
  return decision;
}
