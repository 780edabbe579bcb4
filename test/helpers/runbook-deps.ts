import { join } from 'node:path';
import type { ActivityDeps } from '../../src/activities/deps';
import { parseEngineConfig } from '../../src/config/engine-config';
import { MockActivityEnvironment } from '@temporalio/testing';

/**
 * Activity dependencies for runbook tests: incidents under `dir`, the target at `repoPath`, its
 * MCP server on `port`, and any target overrides (short command timeouts ...).
 */
export function runbookDeps(
  dir: string,
  repoPath: string,
  port: number,
  target: Record<string, unknown> = {},
  lines: string[] = [],
): ActivityDeps {
  const config = parseEngineConfig(
    {
      incidentsDir: join(dir, 'incidents'),
      target: { repoPath, services: { mcp: { port, startTimeoutMs: 15_000 } }, ...target },
    },
    'runbook test config',
  );
  return {
    config,
    incidentsDir: join(dir, 'incidents'),
    log: (line) => lines.push(line),
    now: () => new Date(),
  };
}

const silent = () => undefined;

/** MockActivityEnvironment whose `run` keeps the activity's argument and result types. */
export type TypedActivityEnv = Omit<MockActivityEnvironment, 'run'> & {
  run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R>;
};

/** MockActivityEnvironment without the SDK's log line for every expected failure. */
export const quietActivityEnv = (
  info?: ConstructorParameters<typeof MockActivityEnvironment>[0],
): TypedActivityEnv =>
  new MockActivityEnvironment(info, {
    logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent },
  });
