import { isCancellation, workflowInfo } from '@temporalio/workflow';
import { failureMessage } from '../../domain/failure-message';
import { ackDeadline } from '../../domain/ack-deadline';
import { IMMEDIATE_ESCALATION_LABELS } from '../../contracts/incident';
import { runCheap } from './activity-stubs';
import { escalate, type IncidentContext, record, showDetails } from './context';
import { type StageEnd, waitWithEscalation } from './waits';

/**
 * The guide's detection: write the incident note, escalate at once where the guide says so, then
 * wait for an acknowledgement, escalating when the severity's response time passes and again at
 * the escalation interval until someone acknowledges.
 */
export async function detect(ctx: IncidentContext): Promise<StageEnd> {
  const { state } = ctx;
  if (!state.notePath) {
    showDetails(ctx, 'writing the incident note');
    state.notePath = await runCheap('writeIncidentNote', `Write incident note for ${state.incidentId}`, {
      incidentId: state.incidentId,
      severity: state.severity,
      detectedAt: state.detectedAt,
      summary: state.summary,
    });
    record(ctx, 'note', `incident note written: ${state.notePath}`);
    await escalateAtOnceIfNeeded(ctx);
  }
  return waitWithEscalation(ctx, () => state.acknowledgedBy !== undefined, {
    deadline: 'ack',
    firstDeadline: () =>
      ackDeadline(
        state.severity,
        new Date(state.detectedAt),
        ctx.policy.ackDeadlines,
        ctx.policy.businessHours,
      ).getTime(),
    reason: () =>
      `${state.severity} not acknowledged by its response-time deadline (${state.deadlines.ack ?? 'unknown'})`,
    summary: `Wait for acknowledgement of ${state.incidentId}`,
  });
}

/** SEV-1, a second open SEV-2, security and data-loss labels: the guide's "escalate immediately". */
async function escalateAtOnceIfNeeded(ctx: IncidentContext): Promise<void> {
  const { state } = ctx;
  const reasons: string[] = [];
  if (state.severity === 'SEV-1') reasons.push('SEV-1 incident');
  for (const label of IMMEDIATE_ESCALATION_LABELS) {
    if (state.labels.includes(label)) reasons.push(`${label} incident`);
  }
  if (state.severity === 'SEV-2') {
    const other = await otherOpenSev2(ctx);
    if (other) reasons.push(other);
  }
  if (reasons.length) escalate(ctx, `immediate escalation: ${reasons.join('; ')}`, 'immediate');
}

/**
 * "Multiple SEV-2 incidents simultaneously": asks visibility for other open SEV-2 incidents and
 * returns the escalation reason when there is one. Also run when an incident is reassigned to SEV-2.
 */
export async function otherOpenSev2(ctx: IncidentContext): Promise<string | undefined> {
  try {
    const open = await runCheap('countOpenIncidents', 'Count other open SEV-2 incidents', {
      severity: 'SEV-2',
      excludeWorkflowId: workflowInfo().workflowId,
    });
    if (open.count === undefined)
      record(ctx, 'check', `other open SEV-2 incidents not checked: ${open.detail}`);
    else if (open.count > 0) return `multiple SEV-2 incidents open (${open.detail})`;
    else record(ctx, 'check', 'no other open SEV-2 incident');
  } catch (error) {
    if (isCancellation(error)) throw error;
    record(ctx, 'check', `other open SEV-2 incidents not checked: ${failureMessage(error)}`);
  }
  return undefined;
}
