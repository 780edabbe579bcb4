import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { DEFAULT_WORKER_TUNING, type WorkerTuning } from '../config/worker-tuning';
import type { EngineConfig } from '../config/engine-config';
import { type ActivityDeps, createActivities } from '../activities';
import type { SlackPoster } from '../activities/support/slack-chat';
import { TASK_QUEUE } from '../contracts/messages';
import { activeTracing, type Tracing } from '../temporal/tracing';
import { workflowBundle } from './workflow-bundle';

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** Bounds recovery after a crash; see the heartbeat timeouts in the workflows. */
  shutdownGraceTime?: string;
  /** Traces workflows and activities (src/temporal/tracing.ts); defaults to this process's tracing. */
  tracing?: Tracing;
  /** Pollers, slots and sticky settings (WORKER_* variables); unset: {@link DEFAULT_WORKER_TUNING}. */
  tuning?: WorkerTuning;
  /** Incidents kept in memory between their workflow tasks; see {@link DEFAULT_MAX_CACHED_WORKFLOWS}. */
  maxCachedWorkflows?: number;
}

/**
 * The workflow cache bounds the worker's live memory, not the number of open incidents: each cached
 * incident holds its own workflow context (about 1.4 MB live here), and the SDK's default sizes
 * the cache from the heap limit (about 2,300 on a 4 GB heap, i.e. 4 GB of RSS once that many
 * incidents are open). An incident that is not cached is rebuilt on its next task (a timer, a
 * signal, a query): a new context plus the replay of its history, tens of milliseconds of CPU for
 * an idle incident. Open incidents are mostly idle, waiting for a person or a deadline, so a small
 * cache loses little (docs/benchmarks.md, "10,000 open incidents"). WORKER_MAX_CACHED_WORKFLOWS
 * overrides it.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

/** The one place that wires workflows and activities to a task queue, for the worker and tests. */
export async function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  const tracing = options.tracing ?? activeTracing();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    // The plugin adds the activity interceptors and the sink that exports workflow spans; the
    // workflow interceptors are in the traced bundle.
    plugins: tracing ? [tracing.plugin] : [],
    workflowBundle: await workflowBundle({ traced: Boolean(tracing) }),
    activities: createActivities(options.deps),
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
    ...tuningOptions(options.tuning ?? DEFAULT_WORKER_TUNING),
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
  });
}

/** The SDK's names for the tuning (docs/operations.md, "Worker tuning"). */
function tuningOptions(tuning: WorkerTuning) {
  const poller = (value: number | 'auto'): NonNullable<WorkerOptions['workflowTaskPollerBehavior']> =>
    value === 'auto' ? { type: 'autoscaling' } : { type: 'simple-maximum', maximum: value };
  return {
    workflowTaskPollerBehavior: poller(tuning.workflowPollers),
    activityTaskPollerBehavior: poller(tuning.activityPollers),
    maxConcurrentWorkflowTaskExecutions: tuning.workflowTaskSlots,
    maxConcurrentActivityTaskExecutions: tuning.activityTaskSlots,
    maxConcurrentLocalActivityExecutions: tuning.localActivitySlots,
    nonStickyToStickyPollRatio: tuning.nonStickyPollRatio,
    stickyQueueScheduleToStartTimeout: tuning.stickyTimeoutMs,
    workflowThreadPoolSize: tuning.workflowThreads,
  };
}

/** The activity dependencies of a real worker (src/worker/main.ts, the demo): config, client, incident folders, notifier. */
export function workerDeps(options: {
  config: EngineConfig;
  client: Client;
  log: ActivityDeps['log'];
  slackWebhookUrl?: string;
  slack?: SlackPoster;
}): ActivityDeps {
  return {
    config: options.config,
    client: options.client,
    incidentsDir: resolve(options.config.incidentsDir),
    slackWebhookUrl: options.slackWebhookUrl,
    slack: options.slack,
    log: options.log,
    now: () => new Date(),
  };
}
