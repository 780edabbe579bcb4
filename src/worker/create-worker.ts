import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { EngineConfig } from '../config/engine-config';
import { type ActivityDeps, createActivities } from '../activities';
import { TASK_QUEUE } from '../contracts/messages';
import { workflowBundle } from './workflow-bundle';

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** Bounds recovery after a crash; see the heartbeat timeouts in the workflows. */
  shutdownGraceTime?: string;
}

/** The one place that wires workflows and activities to a task queue, for the worker and tests. */
export async function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: createActivities(options.deps),
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
  });
}

/** The activity dependencies of a real worker (src/worker/main.ts, the demo): config, client, incident folders, notifier. */
export function workerDeps(options: {
  config: EngineConfig;
  client: Client;
  log: ActivityDeps['log'];
  slackWebhookUrl?: string;
}): ActivityDeps {
  return {
    config: options.config,
    client: options.client,
    incidentsDir: resolve(options.config.incidentsDir),
    slackWebhookUrl: options.slackWebhookUrl,
    log: options.log,
    now: () => new Date(),
  };
}
