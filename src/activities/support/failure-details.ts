/**
 * The structured `details` a failed command's ApplicationFailure carries (see
 * src/contracts/step-failure.ts): read from the command's own log, so the lines and the test summary
 * cover this run's whole output, not only the 4 KB tail heartbeated while it ran.
 */
import { open } from 'node:fs/promises';
import { meaningfulLines } from '../../domain/output-lines';
import { displayArgv, type StepFailure } from '../../contracts/step-failure';
import { describeTestSummary, summariseTestOutput } from '../../domain/test-output';

/** How much of a log's end is read back: enough for a test runner's failure list. */
const READ_BACK_BYTES = 256 * 1024;

/** The output of the last run in a log that run-process.ts appends to ("=== <ISO> [argv] in ..."). */
export async function lastRunOutput(logPath: string): Promise<string | undefined> {
  let text: string;
  try {
    const file = await open(logPath, 'r');
    try {
      const { size } = await file.stat();
      const length = Math.min(size, READ_BACK_BYTES);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  let start = 0;
  for (let i = lines.length - 1; i >= 0; i--)
    if (/^=== \d{4}-\d\d-\d\dT\S+ \[/.test(lines[i]!)) {
      start = i + 1;
      break;
    }
  return lines
    .slice(start)
    .filter((line) => !/^=== exit /.test(line))
    .join('\n');
}

export interface CommandOutcome {
  exitCode?: number;
  signal?: string;
  timeoutMs?: number;
  tail: string;
  logPath: string;
}

/** Details of a failed command: argv as displayed, how it ended, what it printed last, its log. */
export async function commandFailureDetails(
  type: string,
  argv: readonly string[],
  outcome: CommandOutcome,
): Promise<StepFailure> {
  const output = (await lastRunOutput(outcome.logPath)) ?? outcome.tail;
  const summary = summariseTestOutput(output);
  const details: StepFailure = {
    type,
    command: displayArgv(argv),
    lines: meaningfulLines(output),
    logPath: outcome.logPath,
  };
  if (outcome.exitCode !== undefined) details.exitCode = outcome.exitCode;
  if (outcome.signal !== undefined) details.signal = outcome.signal;
  if (outcome.timeoutMs !== undefined) details.timeoutMs = outcome.timeoutMs;
  if (summary) details.tests = describeTestSummary(summary);
  return details;
}
