/**
 * Where a rollback's time goes, read from its workflow history (bench/widget-rollback.ts): every
 * workflow task and activity with its queue time (scheduled → started) and run time (started →
 * completed), and the local activities each workflow task ran. Local activities leave only a
 * marker, so their time is inside the run time of the workflow task that recorded them.
 */
import type { Client } from '@temporalio/client';

// History event types (temporal.api.enums.v1.EventType).
const EVENT = {
  started: 1,
  completed: 2,
  wftScheduled: 5,
  wftStarted: 6,
  wftCompleted: 7,
  activityScheduled: 10,
  activityStarted: 11,
  activityCompleted: 12,
  marker: 25,
} as const;

const toMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

export interface TimelineEntry {
  /** `workflow task`, or the activity type. */
  name: string;
  kind: 'workflow-task' | 'activity';
  /** Scheduled → started: time in the task queue (for a workflow task, the worker's poll). */
  queueMs: number;
  /** Started → completed. */
  runMs: number;
  /** Local activities this workflow task ran (their time is in runMs). */
  localActivities?: string[];
  /** ms from the workflow's start to this entry's scheduling. */
  at: number;
}

export interface RollbackTimeline {
  /** WorkflowExecutionStarted → WorkflowExecutionCompleted. */
  workflowMs: number;
  entries: TimelineEntry[];
  workflowTasks: number;
  /** Sums over the workflow tasks: queue (poll) and run (workflow code + local activities). */
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  /** Sums over the activities: queue, and run split into runbook commands and the rest. */
  activityQueueMs: number;
  commandRunMs: number;
  bookkeepingActivityRunMs: number;
}

/** The local activity type recorded in a `core_local_activity` marker. */
function markerActivityType(details: unknown): string | undefined {
  const payload = (details as Record<string, { payloads?: { data?: Uint8Array }[] }> | undefined)?.data
    ?.payloads?.[0]?.data;
  if (!payload) return undefined;
  try {
    return (JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type?: string }).activity_type;
  } catch {
    return undefined;
  }
}

/** The timeline of one finished rollback workflow. */
export async function rollbackTimeline(client: Client, workflowId: string): Promise<RollbackTimeline> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const t0 = toMs(events[0]?.eventTime);
  const byId = new Map<number, TimelineEntry & { startedAt?: number }>();
  const entries: TimelineEntry[] = [];
  let lastWft: TimelineEntry | undefined;
  let workflowMs = NaN;
  for (const event of events) {
    const at = toMs(event.eventTime) - t0;
    const id = Number(event.eventId);
    switch (Number(event.eventType)) {
      case EVENT.wftScheduled:
      case EVENT.activityScheduled: {
        const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
        const entry = {
          name: activity ?? 'workflow task',
          kind: activity ? ('activity' as const) : ('workflow-task' as const),
          queueMs: NaN,
          runMs: NaN,
          at,
        };
        byId.set(id, entry);
        entries.push(entry);
        break;
      }
      case EVENT.wftStarted:
      case EVENT.activityStarted: {
        const scheduledId =
          event.workflowTaskStartedEventAttributes?.scheduledEventId ??
          event.activityTaskStartedEventAttributes?.scheduledEventId;
        const entry = byId.get(Number(scheduledId));
        if (entry) {
          entry.queueMs = at - entry.at;
          entry.startedAt = at;
        }
        break;
      }
      case EVENT.wftCompleted:
      case EVENT.activityCompleted: {
        const scheduledId =
          event.workflowTaskCompletedEventAttributes?.scheduledEventId ??
          event.activityTaskCompletedEventAttributes?.scheduledEventId;
        const entry = byId.get(Number(scheduledId));
        if (entry?.startedAt !== undefined) entry.runMs = at - entry.startedAt;
        if (entry?.kind === 'workflow-task') lastWft = entry;
        break;
      }
      case EVENT.marker: {
        const attributes = event.markerRecordedEventAttributes;
        if (attributes?.markerName !== 'core_local_activity' || !lastWft) break;
        (lastWft.localActivities ??= []).push(markerActivityType(attributes.details) ?? '?');
        break;
      }
      case EVENT.completed:
        workflowMs = at;
        break;
    }
  }
  const sum = (list: TimelineEntry[], key: 'queueMs' | 'runMs') =>
    list.reduce((total, e) => total + (Number.isFinite(e[key]) ? e[key] : 0), 0);
  const tasks = entries.filter((e) => e.kind === 'workflow-task');
  const activities = entries.filter((e) => e.kind === 'activity');
  const commands = activities.filter((e) => e.name === 'runRunbookCommand');
  const clean = entries.map(({ name, kind, queueMs, runMs, localActivities, at: when }) => ({
    name,
    kind,
    queueMs: round(queueMs),
    runMs: round(runMs),
    at: round(when),
    ...(localActivities && { localActivities }),
  }));
  return {
    workflowMs: round(workflowMs),
    entries: clean,
    workflowTasks: tasks.length,
    workflowTaskQueueMs: round(sum(tasks, 'queueMs')),
    workflowTaskRunMs: round(sum(tasks, 'runMs')),
    activityQueueMs: round(sum(activities, 'queueMs')),
    commandRunMs: round(sum(commands, 'runMs')),
    bookkeepingActivityRunMs: round(sum(activities, 'runMs') - sum(commands, 'runMs')),
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
