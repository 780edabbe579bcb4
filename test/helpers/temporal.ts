import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../src/activities';
import { parseEngineConfig } from '../../src/config/engine-config';
import { requireBinary } from '../../src/temporal/binaries';
import { createIncidentWorker } from '../../src/worker/create-worker';
import { SA } from '../../src/contracts/search-attributes';
import { freePort } from '../../src/activities/support/free-port';

// Workers log every state change at INFO; tests only want warnings. Must run before any
// connection is made, which importing this helper first guarantees.
Runtime.install({ logger: new DefaultLogger('WARN') });

/**
 * A real Temporal dev server started from the provisioned CLI binary (never the SDK's download),
 * in memory, with this project's search attributes (or `searchAttributes`, to play a namespace
 * registered for an older version), on a free port.
 */
export async function startDevServerEnv(
  searchAttributes: (typeof SA)[keyof typeof SA][] = Object.values(SA),
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireBinary('cli') },
      ip: '127.0.0.1',
      // Our pick, below the ephemeral range: the SDK's own pick can be taken by an outgoing
      // connection before the server binds it (see free-port.ts).
      port: await freePort(),
      ui: false,
      searchAttributes,
      log: { format: 'pretty', level: 'error' },
    },
  });
}

/** The Java SDK's time-skipping test server, for timer paths measured in hours or days. */
export function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('testServer') } },
  });
}

/** A temp folder removed by the returned cleanup. */
export async function tempDir(
  prefix = 'incident-test-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Activity dependencies writing into `dir` and capturing notifications in `lines`. */
export function testDeps(
  dir: string,
  lines: string[] = [],
  overrides: Partial<ActivityDeps> = {},
): ActivityDeps {
  return {
    config: parseEngineConfig({ incidentsDir: join(dir, 'incidents') }, 'test config'),
    incidentsDir: join(dir, 'incidents'),
    log: (line) => lines.push(line),
    now: () => new Date(),
    ...overrides,
  };
}

let queueCounter = 0;
/** A unique task queue per test so workers of different tests never steal each other's tasks. */
export const uniqueTaskQueue = (name: string): string => `test-${name}-${process.pid}-${++queueCounter}`;

/** Starts a worker on the environment's connection and returns it running, plus a stop function. */
export async function runWorker(
  env: TestWorkflowEnvironment,
  deps: ActivityDeps,
  taskQueue: string,
): Promise<{ worker: Worker; stop: () => Promise<void> }> {
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps,
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}
