import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { CliContext } from './context';

/**
 * Wraps a command's action: builds the context from the verb's and the program's options (so a
 * broken config or environment fails every verb the same way) and closes the connection after.
 * `fn` receives the context, the positional arguments and the verb's options.
 */
export function withContext<O extends object>(
  fn: (ctx: CliContext, args: string[], options: O) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const options = command.optsWithGlobals<O & { json?: boolean; config?: string }>();
    const ctx = await CliContext.create(options);
    try {
      await fn(ctx, args.slice(0, -2) as string[], options);
    } finally {
      await ctx.close();
    }
  };
}

/** Collects a repeatable option (`--why a --why b`) into an array. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Who is acting when --by / --approver is not given: INCIDENT_OPERATOR, else the login name. */
export function defaultOperator(): string {
  if (process.env.INCIDENT_OPERATOR) return process.env.INCIDENT_OPERATOR;
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

/** Adds the usual example block to a verb's help. */
export const example = (command: Command, ...lines: string[]): Command =>
  command.addHelpText(
    'after',
    `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}`,
  );
