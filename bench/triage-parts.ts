import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { type LatencyStats, stats, toMs } from './alert-ingest-stats';

// The package is CommonJS: its namespace comes through the default export under ESM.
const { EventType } = proto.temporal.api.enums.v1;

/**
 * Where one incident's request → triage time went, from its history (server timestamps) and the
 * request's send time (this machine's clock, the same one):
 * - `accepted`: request → the workflow started (API, signal-with-start);
 * - `pickup`: the first workflow task waiting in the server's queue for a poller;
 * - `worker`: workflow tasks running on the worker, poll to completion (local activities included);
 * - `queued`: later workflow tasks waiting for a poller (the ack's task, when it came late);
 * - `between`: the rest, when no workflow task was scheduled (the ack not there yet, the step's
 *   dispatch after the last task);
 * - `tasks`: workflow tasks until the step was scheduled (2 when the ack missed the first).
 */
export interface TriageParts {
  workflowId: string;
  /** The request's send time, epoch ms. */
  sentAt: number;
  total: number;
  accepted: number;
  pickup: number;
  worker: number;
  queued: number;
  between: number;
  tasks: number;
  /** Machine-wide CPU stall over the incident's window (bench/cpu-pressure.ts); NaN without PSI. */
  cpuWait: number;
}

const PART_NAMES = ['accepted', 'pickup', 'worker', 'queued', 'between'] as const;
/** Columns printed beside the parts; `cpuWait` overlaps them (a wait inside any part). */
const COLUMNS = [...PART_NAMES, 'cpuWait'] as const;

export async function triageParts(
  client: Client,
  workflowId: string,
  sentAt: number,
  step = 'snapshotRepository',
): Promise<TriageParts | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const parts: TriageParts = {
    workflowId,
    sentAt,
    total: 0,
    accepted: 0,
    pickup: 0,
    worker: 0,
    queued: 0,
    between: 0,
    tasks: 0,
    cpuWait: NaN,
  };
  let scheduledAt = NaN;
  let startedAt = NaN;
  let stepScheduledId: number | undefined;
  for (const event of history.events ?? []) {
    const at = toMs(event.eventTime);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        parts.accepted = at - sentAt;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        scheduledAt = at;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        startedAt = at;
        if (parts.tasks === 0) parts.pickup = at - scheduledAt;
        else parts.queued += at - scheduledAt;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        parts.worker += at - startedAt;
        parts.tasks++;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        if (event.activityTaskScheduledEventAttributes?.activityType?.name === step)
          stepScheduledId ??= Number(event.eventId);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        if (Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === stepScheduledId) {
          parts.total = at - sentAt;
          parts.between = parts.total - parts.accepted - parts.pickup - parts.worker - parts.queued;
          return parts;
        }
        break;
    }
  }
  return undefined;
}

export interface PartsSummary {
  /** p50 / p99 / max of each part over every incident. */
  parts: Record<(typeof COLUMNS)[number], LatencyStats>;
  /** Incidents whose ack missed the first workflow task (two tasks before the step). */
  secondTask: number;
  count: number;
  /** The slowest incidents, part by part: what their tail is made of. */
  slowest: TriageParts[];
}

export function summarizeParts(all: TriageParts[], slowest = 5): PartsSummary {
  return {
    parts: Object.fromEntries(
      COLUMNS.map((name) => [name, stats(all.map((p) => p[name]))]),
    ) as PartsSummary['parts'],
    secondTask: all.filter((p) => p.tasks >= 2).length,
    count: all.length,
    slowest: [...all].sort((a, b) => b.total - a.total).slice(0, slowest),
  };
}

/** The lines the benchmark prints: a table of the parts, then the slowest incidents. */
export function partsLines(summary: PartsSummary): string[] {
  const ms = (v: number) => `${v.toFixed(0)}`;
  const lines = [
    `where the time went, over ${summary.count} incidents (ms; ${summary.secondTask} needed a second workflow task for the ack;`,
    "  cpuWait: time some task on the machine waited for a CPU in the incident's window, /proc/pressure/cpu):",
    '',
    `| part | p50 | p99 | max |`,
    `|---|---|---|---|`,
    ...COLUMNS.map((name) => {
      const s = summary.parts[name];
      return `| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`;
    }),
    '',
    `| slowest | total | ${COLUMNS.join(' | ')} | tasks |`,
    `|---|---|${COLUMNS.map(() => '---').join('|')}|---|`,
    ...summary.slowest.map(
      (p) =>
        `| ${p.workflowId.replace(/^incident-am-[a-z0-9]+-/, '')} | ${ms(p.total)} | ${COLUMNS.map((n) => ms(p[n])).join(' | ')} | ${p.tasks} |`,
    ),
  ];
  return lines;
}
