/** Small statistics, process and history helpers for the alert-ingest benchmark. */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { PROJECT_ROOT } from '../src/temporal/binaries';

export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN, mean };
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Runs `task(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function pool(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

// History event types (temporal.api.enums.v1.EventType).
const SIGNALED = 26;
const ACTIVITY_SCHEDULED = 10;
const ACTIVITY_STARTED = 11;
const MARKER_RECORDED = 25;
const WORKFLOW_TASK_COMPLETED = 7;
const WORKFLOW_TASK_TIMED_OUT = 8;

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
// The package is CommonJS: its namespace comes through the default export under ESM.
const { EventType } = proto.temporal.api.enums.v1;

export const toMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

export interface HistoryFacts {
  signals: number;
  /**
   * Alerts carried by `alert` signals: one payload per alert. One signal carries one alert from a
   * single-alert sender and several from the API's coalescer (src/api/alert-coalescer.ts).
   */
  alerts: number;
  /** Workflow tasks completed, and timed out (a sticky task left too long moves to the shared queue). */
  workflowTasks: number;
  workflowTaskTimeouts: number;
  /**
   * Epoch ms when each activity type was first started (or scheduled, if no start event yet). A
   * local activity has no start event: its marker's completion time (a little after it started)
   * stands in, so the figure never flatters a local step.
   */
  firstActivityStart: Map<string, number>;
}

/** The activity type and completion time recorded in a local activity's marker, if it is one. */
function localActivity(event: HistoryEvent): { type: string; at: number } | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.['data']?.payloads?.[0]?.data;
  if (!data) return undefined;
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as {
    activity_type?: string;
    complete_time?: { seconds?: number; nanos?: number };
  };
  return { type: parsed.activity_type ?? '?', at: toMs(parsed.complete_time) };
}

/** Reads what the benchmark needs from a workflow's history. */
export async function historyFacts(client: Client, workflowId: string): Promise<HistoryFacts> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<number, { type: string; at: number }>();
  const facts: HistoryFacts = {
    signals: 0,
    alerts: 0,
    workflowTasks: 0,
    workflowTaskTimeouts: 0,
    firstActivityStart: new Map(),
  };
  for (const event of history.events ?? []) {
    const type = Number(event.eventType);
    if (type === SIGNALED) {
      facts.signals++;
      const signaled = event.workflowExecutionSignaledEventAttributes;
      if (signaled?.signalName === 'alert') facts.alerts += signaled.input?.payloads?.length ?? 0;
    }
    if (type === WORKFLOW_TASK_COMPLETED) facts.workflowTasks++;
    if (type === WORKFLOW_TASK_TIMED_OUT) facts.workflowTaskTimeouts++;
    if (type === ACTIVITY_SCHEDULED) {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      scheduled.set(Number(event.eventId), { type: name, at: toMs(event.eventTime) });
    }
    if (type === ACTIVITY_STARTED) {
      const ref = scheduled.get(Number(event.activityTaskStartedEventAttributes?.scheduledEventId));
      if (ref && !facts.firstActivityStart.has(ref.type))
        facts.firstActivityStart.set(ref.type, toMs(event.eventTime));
    }
    const local = type === MARKER_RECORDED ? localActivity(event) : undefined;
    if (local && !facts.firstActivityStart.has(local.type))
      facts.firstActivityStart.set(local.type, local.at);
  }
  for (const { type, at } of scheduled.values())
    if (!facts.firstActivityStart.has(type)) facts.firstActivityStart.set(type, at);
  return facts;
}

/**
 * One history as `+ms EVENT (detail)` lines relative to `origin` (the request's send time), up to
 * and including the first event for which `until` is true: where the time between a request and
 * a step goes. Runs of signals are folded into one line.
 */
export async function historyTimeline(
  client: Client,
  workflowId: string,
  origin: number,
  until: (line: string) => boolean,
): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const lines: string[] = [];
  const names = new Map<number, string>();
  let folded = 0;
  for (const event of history.events ?? []) {
    const type = Number(event.eventType);
    if (type === SIGNALED) {
      folded++;
      continue;
    }
    if (folded) lines.push(`          (${folded} alert signal(s))`);
    folded = 0;
    const name = (EventType[type] ?? String(type)).replace('EVENT_TYPE_', '');
    let detail = '';
    if (type === ACTIVITY_SCHEDULED) {
      detail = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      names.set(Number(event.eventId), detail);
    } else if (type === ACTIVITY_STARTED)
      detail = names.get(Number(event.activityTaskStartedEventAttributes?.scheduledEventId)) ?? '?';
    else if (type === MARKER_RECORDED) {
      const local = localActivity(event);
      detail = local
        ? `local ${local.type}, completed at +${(local.at - origin).toFixed(0)} ms`
        : (event.markerRecordedEventAttributes?.markerName ?? '');
    }
    const line = `+${(toMs(event.eventTime) - origin).toFixed(0).padStart(6)} ms ${name}${detail ? ` (${detail})` : ''}`;
    lines.push(line);
    if (until(line)) break;
  }
  return lines;
}

/**
 * Starts `node [nodeArgs] --import tsx <entry>` and resolves `ready` when its output matches
 * `ready`. `nodeArgs` is for flags NODE_OPTIONS refuses, such as --cpu-prof.
 */
export function startChild(
  entry: string,
  ready: RegExp,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): { child: ChildProcess; ready: Promise<void>; exited: Promise<void>; tail: () => string } {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isReady = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      // The last 20,000 characters: a child that dies mid-run says why at the end.
      text = (text + chunk.toString()).slice(-20_000);
      if (ready.test(text)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`${entry} exited before it was ready:\n${text}`)));
  });
  return { child, ready: isReady, exited, tail: () => text.split('\n').slice(-15).join('\n') };
}
