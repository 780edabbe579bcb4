import { CommanderError } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ConfigError } from '../config/engine-config';
import { EnvError } from '../config/env';
import {
  ApproverNotAllowedError,
  EngineUnavailableError,
  IncidentNotFoundError,
  InvalidRequestError,
  UpdateRefusedError,
} from '../use-cases/errors';

/** Exit codes scripts can branch on; documented in `incident --help`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  unavailable: 5,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof InvalidRequestError || error instanceof ConfigError || error instanceof EnvError) {
    return EXIT.usage;
  }
  if (error instanceof IncidentNotFoundError) return EXIT.notFound;
  if (
    error instanceof UpdateRefusedError ||
    error instanceof ApproverNotAllowedError ||
    error instanceof WorkflowExecutionAlreadyStartedError
  ) {
    return EXIT.refused;
  }
  if (error instanceof EngineUnavailableError) return EXIT.unavailable;
  return EXIT.failure;
}
