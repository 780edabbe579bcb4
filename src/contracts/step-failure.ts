/**
 * Why a runbook step failed, in the shape an operator reads: the command as configured, how it
 * ended (exit code, signal or timeout), the failure type, the last meaningful output lines (or
 * the test runner's own summary) and the full log's path. Activities put it in their failure's
 * `details`; the rollback saga records it on the step; status, CLI, API and report show it.
 */

export interface StepFailure {
  /** The rollback step's stable ID (set by the saga). */
  step?: string;
  /** The ApplicationFailure type: CommandFailed, CommandTimedOut, ServiceUnhealthy ... */
  type: string;
  /** The command as configured, argv joined for display: "pnpm build". */
  command?: string;
  exitCode?: number;
  /** The signal that ended the command, when it was killed. */
  signal?: string;
  /** Set when the command was killed at its configured timeout. */
  timeoutMs?: number;
  /** The last meaningful output lines (no colour, blanks or lifecycle chatter), oldest first. */
  lines?: string[];
  /** A test runner's summary: "2 of 5 tests failed (node --test): returns tools; ...". */
  tests?: string;
  /** The command's full log. */
  logPath?: string;
}

/** argv for display: arguments with spaces or quotes are JSON-quoted. */
export const displayArgv = (argv: readonly string[]): string =>
  argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');

/** How the command ended: "exit 1", "killed by SIGKILL", "timed out after 300000 ms". */
export function endedText(failure: StepFailure): string {
  if (failure.timeoutMs !== undefined) return `timed out after ${failure.timeoutMs} ms`;
  if (failure.exitCode !== undefined) return `exit ${failure.exitCode}`;
  if (failure.signal) return `killed by ${failure.signal}`;
  return failure.type;
}

/** One line: "step build: `pnpm build` exit 1 (CommandFailed): <test summary or last line>; log <path>". */
export function failureLine(failure: StepFailure): string {
  const what = failure.command ? `\`${failure.command}\` ${endedText(failure)}` : endedText(failure);
  const ended = what === failure.type ? failure.type : `${what} (${failure.type})`;
  const why = failure.tests ?? failure.lines?.at(-1);
  return [
    `${failure.step ? `step ${failure.step}: ` : ''}${ended}`,
    why ? `: ${why}` : '',
    failure.logPath ? `; log ${failure.logPath}` : '',
  ].join('');
}

/** Reads a failure's structured details back (from an ApplicationFailure's `details[0]`). */
export function asStepFailure(type: string | undefined | null, details: unknown): StepFailure | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const failure: StepFailure = {
    type: str(d.type) ?? type ?? 'Error',
    command: str(d.command),
    exitCode: typeof d.exitCode === 'number' ? d.exitCode : undefined,
    signal: str(d.signal),
    timeoutMs: typeof d.timeoutMs === 'number' ? d.timeoutMs : undefined,
    lines: Array.isArray(d.lines) ? d.lines.filter((l): l is string => typeof l === 'string') : undefined,
    tests: str(d.tests),
    logPath: str(d.logPath),
  };
  for (const key of Object.keys(failure) as (keyof StepFailure)[])
    if (failure[key] === undefined) delete failure[key];
  return failure.command || failure.logPath || failure.lines ? failure : undefined;
}
