import { CommanderError } from 'commander';
import { exitCodeFor } from './exit-codes';

/** Collapses a message to one line: operators and scripts read the first line of stderr. */
export const oneLine = (message: string): string =>
  message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');

/**
 * Runs an entry point and turns any error into one line on stderr and a non-zero exit code, which
 * is what operators and scripts expect from a command-line tool (no stack trace unless DEBUG is
 * set). Commander has already printed its own usage errors, so those only set the exit code.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.exitCode = exitCodeFor(error);
    if (error instanceof CommanderError) return;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${oneLine(message)}`);
    if (process.env.DEBUG) console.error(error);
  }
}
