/**
 * Runs an entry point and turns any error into one line on stderr and exit code 1, which is what
 * operators and scripts expect from a command-line tool (no stack trace unless DEBUG is set).
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split('\n').join('\n  ')}`);
    if (process.env.DEBUG) console.error(error);
    process.exitCode = 1;
  }
}
