import { approvalProgress, groupDue, requiredApprovals } from '../../domain/four-eyes';
import { type IncidentContext, nowIso, record } from './context';

/**
 * Patch: delegating an approval to the next approver group queues a notification (a `notify`
 * activity). Only policies with `approvals.groups` delegate, and none recorded before this
 * change has them; the marker is written the first time a group is asked.
 */
export const APPROVAL_DELEGATION_PATCH = 'approval-delegation';

/** How many distinct approvals the pending option needs now (the severity may have changed). */
export function requiredNow(ctx: IncidentContext): number {
  const pending = ctx.state.pendingApproval;
  return pending ? requiredApprovals(ctx.policy.approvals, ctx.state.severity, pending.option) : 1;
}

/**
 * Called each time the approval deadline has passed (`round` = how many times): when the policy's
 * next group is due, asks it. From then its members may approve or reject the pending option
 * (message-rules' `authorize`); the timeline and `pendingApproval.asked` say who was asked when.
 */
export function delegateApproval(ctx: IncidentContext, round: number): void {
  const { state } = ctx;
  const pending = state.pendingApproval;
  if (!pending || ctx.decision) return;
  const group = groupDue(ctx.policy.approvals, round, pending.asked ?? []);
  if (!group || !ctx.patched(APPROVAL_DELEGATION_PATCH)) return;
  const members = group.members.join(', ');
  pending.asked = [
    ...(pending.asked ?? []),
    { group: group.name, members: [...group.members], at: nowIso() },
  ];
  const progress = approvalProgress(pending.approvals ?? [], requiredNow(ctx));
  record(
    ctx,
    'delegated',
    `approval of ${pending.option} delegated to group ${group.name} (${members}) after ${round} missed deadlines; ${progress}`,
  );
  // An approval request (not a plain escalation), so chat shows the plan and the buttons.
  ctx.outbox.push({
    kind: 'approval-request',
    text:
      `APPROVAL NEEDED from ${group.name} (${members}): ${state.incidentId} ${state.severity}: ` +
      `${pending.option} waits for approval (${progress}); answer with ` +
      `incident approve ${state.incidentId} --option ${pending.option} (or incident reject)`,
    proposal: {
      option: pending.option,
      risk: pending.risk,
      description: `asked of ${group.name} after ${round} missed approval deadlines; ${progress}`,
      ...(pending.plan ? { plan: pending.plan } : {}),
    },
  });
}
