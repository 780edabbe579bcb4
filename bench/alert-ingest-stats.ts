/** Small statistics, process and history helpers for the alert-ingest benchmark. */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Client } from '@temporalio/client';
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

const toMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

export interface HistoryFacts {
  signals: number;
  /** Epoch ms when each activity type was first started (or scheduled, if no start event yet). */
  firstActivityStart: Map<string, number>;
}

/** Reads what the benchmark needs from a workflow's history. */
export async function historyFacts(client: Client, workflowId: string): Promise<HistoryFacts> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<number, { type: string; at: number }>();
  const facts: HistoryFacts = { signals: 0, firstActivityStart: new Map() };
  for (const event of history.events ?? []) {
    const type = Number(event.eventType);
    if (type === SIGNALED) facts.signals++;
    if (type === ACTIVITY_SCHEDULED) {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      scheduled.set(Number(event.eventId), { type: name, at: toMs(event.eventTime) });
    }
    if (type === ACTIVITY_STARTED) {
      const ref = scheduled.get(Number(event.activityTaskStartedEventAttributes?.scheduledEventId));
      if (ref && !facts.firstActivityStart.has(ref.type))
        facts.firstActivityStart.set(ref.type, toMs(event.eventTime));
    }
  }
  for (const { type, at } of scheduled.values())
    if (!facts.firstActivityStart.has(type)) facts.firstActivityStart.set(type, at);
  return facts;
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
): { child: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isReady = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (text.length < 20_000) text += chunk.toString();
      if (ready.test(text)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`${entry} exited before it was ready:\n${text}`)));
  });
  return { child, ready: isReady, exited };
}
