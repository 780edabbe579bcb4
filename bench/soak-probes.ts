/**
 * What the open-incidents soak reads from outside the engine: resident memory of processes
 * (/proc/<pid>/status), the worker's Prometheus counters, the wait timer of an incident from its
 * history, and the wall time of a command run as a fresh process.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { PROJECT_ROOT } from '../src/temporal/binaries';

/** VmRSS of one process in MB, or NaN once it is gone. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line ? Number(line[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface ProcEntry {
  pid: number;
  ppid: number;
  command: string;
}

function processTable(): ProcEntry[] {
  const table: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      table.push({ pid: Number(name), ppid, command });
    } catch {
      // exited while we read
    }
  }
  return table;
}

/**
 * The processes below `root` (children, grandchildren ...) except those in `exclude` and their
 * own descendants: here, the Temporal server this run started (dev server or cluster services),
 * without the worker, the API and the CLI calls.
 */
export function descendants(root: number, exclude: Set<number>): ProcEntry[] {
  const table = processTable();
  const found: ProcEntry[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const entry of table) {
      if (entry.ppid !== parent || exclude.has(entry.pid)) continue;
      found.push(entry);
      queue.push(entry.pid);
    }
  }
  return found;
}

/** Sums the Prometheus samples of each metric name (all label sets together). */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  try {
    const text = await (await fetch(url)).text();
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!match || line.startsWith('#')) continue;
      const value = Number(match[2]);
      if (Number.isFinite(value)) totals.set(match[1]!, (totals.get(match[1]!) ?? 0) + value);
    }
  } catch {
    // the worker's endpoint is off or not up yet: no figures this time
  }
  return totals;
}

// History event types (temporal.api.enums.v1.EventType).
const TIMER_STARTED = 17;
const TIMER_FIRED = 18;

const toMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

export interface WaitTimer {
  /** When the acknowledgement wait's timer was started: the incident reached its wait. */
  startedAt: number;
  /** When it was due: TimerStarted's time + its startToFireTimeout. */
  dueAt: number;
  /** When it fired, if it has. */
  firedAt?: number;
}

/** The timer summary detection gives its wait (src/workflows/incident/detection.ts). */
const ACK_WAIT = 'Wait for acknowledgement';

/**
 * The incident's first acknowledgement-wait timer, or undefined before it starts. Picked by its
 * summary: the status-update cadence starts a timer of its own before it.
 */
export async function waitTimer(client: Client, workflowId: string): Promise<WaitTimer | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let timer: (WaitTimer & { eventId: number }) | undefined;
  for (const event of history.events ?? []) {
    const type = Number(event.eventType);
    if (type === TIMER_STARTED && !timer) {
      const data = event.userMetadata?.summary?.data;
      if (!data || !Buffer.from(data).toString().includes(ACK_WAIT)) continue;
      const startedAt = toMs(event.eventTime);
      const timeout = toMs(event.timerStartedEventAttributes?.startToFireTimeout);
      timer = { eventId: Number(event.eventId), startedAt, dueAt: startedAt + timeout };
    }
    if (
      type === TIMER_FIRED &&
      timer &&
      Number(event.timerFiredEventAttributes?.startedEventId) === timer.eventId
    )
      timer.firedAt = toMs(event.eventTime);
  }
  return timer && { startedAt: timer.startedAt, dueAt: timer.dueAt, firedAt: timer.firedAt };
}

/** Runs `node <args>` in the project as a fresh process; resolves its wall time in ms (rejects on a non-zero exit). */
export function timedNode(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - t0)
        : reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`)),
    );
  });
}

/** Wall time of one async call in ms. */
export async function timed(call: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await call();
  return performance.now() - t0;
}
