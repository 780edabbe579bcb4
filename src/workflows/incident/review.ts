import { isCancellation } from '@temporalio/workflow';
import { failureMessage } from '../../domain/failure-message';
import { renderReport } from '../../domain/report';
import type { RelatedIncident } from '../../domain/report';
import { run } from './activity-stubs';
import { type IncidentContext, record, showDetails } from './context';
import { waitUntil, waitWithEscalation } from './waits';

/**
 * The guide's post-incident review: write the report draft at once, remind before the 48-hour
 * deadline, escalate when it is missed (and keep escalating), until the `review` record. Returns
 * the related incidents for the final report, which the stage loop writes after closing.
 */
export async function reviewStage(ctx: IncidentContext): Promise<RelatedIncident[] | 'continue-as-new'> {
  const { state, policy } = ctx;
  const related = await findRelated(ctx);
  if (!state.reportPath) await writeReport(ctx, related, 'draft');

  const deadline = Date.parse(state.resolvedAt!) + policy.review.deadline;
  state.deadlines.review = new Date(deadline).toISOString();
  const reminders = [...policy.review.remindersBefore]
    .sort((a, b) => b - a)
    .map((before) => deadline - before);
  const reviewed = () => state.review !== undefined;
  for (let i = state.reviewRemindersSent ?? 0; i < reminders.length && !reviewed(); i++) {
    showDetails(
      ctx,
      `waiting for the post-incident review (reminder ${i + 1} of ${reminders.length} due ${new Date(reminders[i]!).toISOString()})`,
    );
    const end = await waitUntil(
      reviewed,
      reminders[i],
      `Wait for review; reminder ${i + 1} at deadline minus ${(deadline - reminders[i]!) / 3_600_000} h`,
    );
    if (end === 'continue-as-new') return end;
    if (end === 'done') break;
    state.reviewRemindersSent = i + 1;
    record(
      ctx,
      'review-reminder',
      `review reminder: the post-incident review is due ${state.deadlines.review}`,
    );
    ctx.outbox.push({
      kind: 'reminder',
      text: `Reminder: post-incident review of ${state.incidentId} is due ${state.deadlines.review} (report: ${state.reportPath ?? 'pending'})`,
    });
  }
  const end = await waitWithEscalation(ctx, reviewed, {
    deadline: 'review',
    firstDeadline: () => deadline,
    reason: () => `post-incident review missed its ${policy.review.deadline / 3_600_000}-hour deadline`,
    summary: 'Wait for the post-incident review',
  });
  return end === 'continue-as-new' ? end : related;
}

/** The review is in: the incident closes (the stage loop then moves to closed and writes the final report). */
export function markClosed(ctx: IncidentContext): void {
  const { state } = ctx;
  state.closedAt = new Date().toISOString();
  state.reviewedAt = state.review?.at;
  record(ctx, 'closed', `post-incident review by ${state.review?.by ?? 'unknown'}; incident closed`);
}

async function findRelated(ctx: IncidentContext): Promise<RelatedIncident[]> {
  const { state } = ctx;
  try {
    return await run('findRelatedIncidents', 'Find related incidents', {
      incidentId: state.incidentId,
      workflowId: state.workflowId,
      scenario: state.scenario,
      services: state.services,
      // The deepest "why" is the root cause; equal ones across incidents mark a recurring cause.
      ...(state.resolution?.whys.length ? { rootCause: state.resolution.whys.at(-1) } : {}),
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    record(ctx, 'related', `related incidents not found: ${failureMessage(error)}`);
    return [];
  }
}

/** The draft during review; the final one after the stage loop closed the incident (it shows that transition too). */
export async function writeReport(
  ctx: IncidentContext,
  related: RelatedIncident[],
  kind: 'draft' | 'final',
): Promise<void> {
  const { state } = ctx;
  const usersAffected = ctx.incident.details?.usersAffected;
  const markdown = renderReport({
    status: state,
    related,
    owner: state.acknowledgedBy ?? ctx.policy.escalationContact,
    renderedAt: new Date().toISOString(),
    ...(usersAffected ? { usersAffected } : {}),
  });
  state.reportPath = await run('writeReport', `Write ${kind} report for ${state.incidentId}`, {
    incidentId: state.incidentId,
    markdown,
  });
  if (kind === 'draft') record(ctx, 'report', `report draft written: ${state.reportPath}`);
}
