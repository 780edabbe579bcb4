import { CommanderError } from 'commander';
import { EXIT, reportOf } from '../domain/failure-types';

/** Exit codes scripts can branch on; documented in `incident --help` (the table is the domain's). */
export { EXIT };

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return reportOf(error)?.exit ?? EXIT.failure;
}
