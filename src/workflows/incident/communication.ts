import { condition, isCancellation, workflowInfo } from '@temporalio/workflow';
import { failureMessage } from '../../domain/failure-message';
import { formatDuration } from '../../contracts/duration';
import { run } from './activity-stubs';
import { escalate, type IncidentContext, record } from './context';
import { otherOpenSev2 } from './detection';

/**
 * Incidents of a severity that gets no status updates (SEV-3/4 by default) wait without a timer
 * until they are reassigned to one that does; before this, they woke at every interval to send
 * nothing: about 11 workflow tasks a second at 10,000 open, each a cache miss (docs/benchmarks.md).
 * Running incidents replay as recorded (fixture incident-quiet-status-updates.json).
 *
 * The workflow asks `patched()` once, in its first activation. Asked here, after the `loadPolicy`
 * local activity, it broke replay: when that activity's marker closed a workflow task whose
 * successor recorded the patch (seen on the cluster), a replay resolves the activity one task
 * earlier, reaches this code before the server's patch notice for the later task, and gets false
 * (`TMPRL1100 Non-deprecated patch marker encountered`; fixture incident-quiet-split-task.json).
 */
export const QUIET_STATUS_UPDATES_PATCH = 'status-updates-quiet-severities';

/**
 * The guide's "post timeline updates every 15 minutes (SEV-1/2)": a loop beside the stages that
 * ticks at the configured cadence until the incident is resolved, and sends a status update when
 * the current severity is one that gets them. An incident reassigned to such a severity gets its
 * first update one interval after the reassignment.
 */
export async function statusUpdates(ctx: IncidentContext, quietSeverities: boolean): Promise<void> {
  const { state, policy } = ctx;
  const stop = () => state.resolvedAt !== undefined || state.stage === 'closed' || ctx.stopping;
  const getsUpdates = () => policy.statusUpdates.severities.includes(state.severity);
  while (!stop()) {
    if (quietSeverities && !getsUpdates()) {
      delete state.deadlines.statusUpdate;
      await condition(() => stop() || getsUpdates());
      continue;
    }
    const next = state.deadlines.statusUpdate
      ? Date.parse(state.deadlines.statusUpdate)
      : Date.now() + policy.statusUpdates.interval;
    state.deadlines.statusUpdate = new Date(next).toISOString();
    const remaining = next - Date.now();
    if (
      remaining > 0 &&
      (await condition(stop, remaining, { summary: `Next status update at ${state.deadlines.statusUpdate}` }))
    )
      break;
    state.deadlines.statusUpdate = new Date(next + policy.statusUpdates.interval).toISOString();
    if (!getsUpdates()) continue;
    const last = state.timeline.filter((e) => e.kind !== 'status-update').at(-1);
    const text =
      `Status ${state.incidentId} ${state.severity}: stage ${state.stage}, open for ` +
      `${formatDuration(Date.now() - Date.parse(state.detectedAt))}` +
      `${state.acknowledgedBy ? `, acknowledged by ${state.acknowledgedBy}` : ', NOT acknowledged'}` +
      `${state.pendingApproval ? `, waiting for approval of ${state.pendingApproval.option}` : ''}` +
      `${last ? `; latest: ${last.message}` : ''}`;
    state.statusUpdatesSent = (state.statusUpdatesSent ?? 0) + 1;
    record(ctx, 'status-update', `status update ${state.statusUpdatesSent} sent`);
    ctx.outbox.push({ kind: 'status-update', text });
  }
  // A run that stops for continue-as-new keeps the next update time, so the cadence carries over.
  if (!ctx.stopping || state.resolvedAt !== undefined) delete state.deadlines.statusUpdate;
}

/**
 * Sends queued notifications one by one; after a severity reassignment, rewrites the incident
 * note and, for SEV-2, checks for other open SEV-2 incidents. Stage code and handlers only queue (they must not block on a webhook); a
 * notification that still fails after its retries is recorded, not lost silently.
 */
export async function sendNotifications(ctx: IncidentContext, finished: () => boolean): Promise<void> {
  const { state } = ctx;
  for (;;) {
    await condition(() => ctx.outbox.length > 0 || ctx.noteStale || ctx.recheckSev2 || finished());
    if (ctx.takeNoteStale()) {
      await rewriteNote(ctx);
      continue;
    }
    if (ctx.takeSev2Recheck()) {
      const reason = state.severity === 'SEV-2' ? await otherOpenSev2(ctx) : undefined;
      if (reason) escalate(ctx, `immediate escalation after reassignment: ${reason}`, 'severity-reassigned');
      continue;
    }
    const next = ctx.outbox[0];
    if (!next) return;
    try {
      await run('notify', `Notify (${next.kind}): ${next.text.slice(0, 80)}`, {
        incidentId: state.incidentId,
        severity: state.severity,
        kind: next.kind,
        text: next.text,
        workflowId: workflowInfo().workflowId,
        stage: state.stage,
        // Buttons act on the option waiting now; an approval request names its own.
        ...(next.proposal ? { proposal: next.proposal } : {}),
        ...(state.pendingApproval ? { pendingOption: state.pendingApproval.option } : {}),
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      record(ctx, 'notify-failed', `${next.kind} notification failed: ${failureMessage(error)}`);
    }
    ctx.outbox.shift();
  }
}

async function rewriteNote(ctx: IncidentContext): Promise<void> {
  const { state } = ctx;
  try {
    await run('writeIncidentNote', `Rewrite incident note: severity ${state.severity}`, {
      incidentId: state.incidentId,
      severity: state.severity,
      detectedAt: state.detectedAt,
      summary: state.summary,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    record(ctx, 'note', `incident note not rewritten: ${failureMessage(error)}`);
  }
}
