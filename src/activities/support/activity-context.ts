/**
 * Small helpers shared by the runbook activities: the activity context when there is one (unit
 * tests may call the functions directly), failures with explicit types, and the environment
 * every runbook command gets (the project's own pnpm first on PATH).
 */
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { UnsafeInputError } from '../../domain/git-safety';
import { noDownloadEnv } from '../../domain/package-manager';
import { FAILURE, FAILURE_RETRY, type FailureType } from '../../domain/failure-types';
import { PROJECT_ROOT } from '../../temporal/binaries';

export function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export const heartbeat = (details?: unknown): void => currentContext()?.heartbeat(details);

/**
 * Heartbeats every second while `work` runs, so a step with a heartbeat timeout stays alive as
 * long as its worker does and is retried within that timeout once the worker dies.
 */
export async function keepAlive<T>(work: Promise<T>, details?: unknown): Promise<T> {
  const ctx = currentContext();
  // Local activities have no heartbeat (the server answers UnknownActivity): their retries are
  // bounded by their own short start-to-close instead.
  if (!ctx || ctx.info.isLocal) return work;
  ctx.heartbeat(details);
  const timer = setInterval(() => ctx.heartbeat(details), 1_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** A failure typed for the workflow's retry policy; non-retryable when its type says so. */
export function failure(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: FAILURE_RETRY[type] === 'final',
    details: details === undefined ? undefined : [details],
  });
}

/** Runs validation and turns a refusal into a non-retryable `UnsafeInput` failure. */
export function validated<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UnsafeInputError) throw failure(FAILURE.unsafeInput, error.message);
    throw error;
  }
}

/**
 * The engine's root (one definition, in temporal/binaries.ts, found from that file and not the
 * cwd, which the bundled CLI relies on), so its node_modules/.bin has pnpm.
 */
export { PROJECT_ROOT };
export const PROJECT_BIN = join(PROJECT_ROOT, 'node_modules', '.bin');

/** Environment for runbook commands and services: the project's pnpm first on PATH. */
export function commandEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env.PATH = [PROJECT_BIN, process.env.PATH ?? ''].join(':');
  // The engine's own test runner must not leak into the target's (`node --test` reads this).
  delete env.NODE_TEST_CONTEXT;
  // A CI-looking environment keeps pnpm from prompting; no colour keeps logs readable.
  env.CI = env.CI ?? 'true';
  env.NO_COLOR = '1';
  // Never fetch a package manager at incident time (pnpm's self-switch to a pinned version,
  // corepack's download); a missing pin is reported by the runbook instead.
  return { ...env, ...noDownloadEnv(), ...extra };
}
