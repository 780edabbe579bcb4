/**
 * Runs one command (argument array, no shell) in its own process group with a marker in its
 * environment, appends its output to a log file, reports the output's tail while it runs, and on
 * timeout or abort kills the whole tree. After the command exits, anything it left running is
 * killed too, so a runbook command never leaves an orphan.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { killTree, MARKER_ENV } from './process-tree';

export interface RunProcessOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Appended to, with a header line per run. */
  logPath: string;
  /** Written while the command runs ({ pid, marker }), removed when it ends. */
  pidFile?: string;
  marker: string;
  /** Aborting kills the tree (Temporal's cancellation signal). */
  signal?: AbortSignal;
  /** Called about once a second with the output's tail and the group's PID (Temporal heartbeat). */
  onProgress?: (tail: string, pid: number | undefined) => void;
  progressEveryMs?: number;
  graceMs?: number;
}

export interface RunProcessResult {
  exitCode: number | undefined;
  /** The signal that ended the command (a timeout or cancellation kill, or someone else's). */
  signal?: string;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  tail: string;
  logPath: string;
}

const TAIL_BYTES = 4_096;

export async function runProcess(options: RunProcessOptions): Promise<RunProcessResult> {
  const started = Date.now();
  await mkdir(dirname(options.logPath), { recursive: true });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  log.write(`\n=== ${new Date().toISOString()} ${JSON.stringify(options.argv)} in ${options.cwd}\n`);
  let tail = '';
  const child = execa(options.argv[0]!, options.argv.slice(1), {
    cwd: options.cwd,
    env: { ...options.env, [MARKER_ENV]: options.marker },
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
  });
  child.all?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  });
  const pid = child.pid;
  if (options.pidFile && pid !== undefined) {
    await mkdir(dirname(options.pidFile), { recursive: true });
    await writeFile(options.pidFile, JSON.stringify({ pid, marker: options.marker, argv: options.argv }));
  }
  let timedOut = false;
  let cancelled = false;
  let killing: Promise<unknown> | undefined;
  const kill = () => (killing ??= killTree({ pgid: pid, marker: options.marker, graceMs: options.graceMs }));
  const timer = setTimeout(() => {
    timedOut = true;
    void kill();
  }, options.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    void kill();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const progress = setInterval(() => options.onProgress?.(tail, pid), options.progressEveryMs ?? 1_000);
  try {
    const result = await child;
    await killing;
    // Whatever the command started in the background dies with it.
    await killTree({ pgid: pid, marker: options.marker, graceMs: 500 });
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : undefined;
    if (exitCode === undefined && !timedOut && !cancelled)
      tail += `\n${result.shortMessage ?? 'no exit code'}`;
    log.write(
      `=== exit ${exitCode ?? result.signal ?? '?'}${timedOut ? ' (timed out)' : ''}${cancelled ? ' (cancelled)' : ''} after ${Date.now() - started} ms\n`,
    );
    return {
      exitCode,
      signal: result.signal ?? undefined,
      timedOut,
      cancelled,
      durationMs: Date.now() - started,
      tail,
      logPath: options.logPath,
    };
  } finally {
    clearTimeout(timer);
    clearInterval(progress);
    options.signal?.removeEventListener('abort', onAbort);
    await new Promise<void>((resolve) => log.end(resolve));
    if (options.pidFile) await rm(options.pidFile, { force: true });
  }
}

/** The last `lines` lines of a tail, for failure messages and timeline entries. */
export const lastLines = (text: string, lines = 15): string =>
  text.trimEnd().split('\n').slice(-lines).join('\n');
