import { z } from 'zod';

/**
 * The worker's task polling and concurrency, from the environment (docs/operations.md, "Worker
 * tuning"). Unset variables keep {@link DEFAULT_WORKER_TUNING}. The cache size
 * (`maxCachedWorkflows`) is not here: it is sized from memory elsewhere.
 */
export interface WorkerTuning {
  /** Workflow-task polls held open at once, or `auto` (the SDK scales them on the server's feedback). */
  workflowPollers: number | 'auto';
  activityPollers: number | 'auto';
  /** Workflow tasks run at once (SDK `maxConcurrentWorkflowTaskExecutions`). */
  workflowTaskSlots: number;
  activityTaskSlots: number;
  localActivitySlots: number;
  /**
   * Share of the workflow pollers that ask the shared queue rather than this worker's sticky one
   * (SDK `nonStickyToStickyPollRatio`). A new incident's first task is on the shared queue; an
   * alert signal to an incident this worker holds is on the sticky one.
   */
  nonStickyPollRatio: number;
  /** How long a task waits on the sticky queue before it moves to the shared one, in ms. */
  stickyTimeoutMs: number;
  /**
   * Threads that run workflow code (SDK `workflowThreadPoolSize`). With the SDK's reused V8 context
   * its default is one, so all workflow code shares one core however many the machine has; each
   * extra thread has a context of its own (docs/benchmarks.md measures two on two cores).
   */
  workflowThreads: number;
}

/** The SDK's own defaults (@temporalio/worker 1.24 worker-options.d.ts), kept unless measured better. */
export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  workflowPollers: 10,
  activityPollers: 10,
  workflowTaskSlots: 40,
  activityTaskSlots: 100,
  localActivitySlots: 100,
  nonStickyPollRatio: 0.2,
  stickyTimeoutMs: 10_000,
  workflowThreads: 1,
};

const pollers = z.union([z.literal('auto'), z.coerce.number().int().min(1).max(1_000)]).optional();
const slots = (min: number) => z.coerce.number().int().min(min).max(10_000).optional();

/** Fields of the environment schema (src/config/env.ts); each optional, defaults applied in {@link workerTuning}. */
export const workerTuningEnv = {
  WORKER_WORKFLOW_POLLERS: pollers,
  WORKER_ACTIVITY_POLLERS: pollers,
  // The SDK refuses fewer than 2 workflow slots while it caches workflows.
  WORKER_WORKFLOW_TASK_SLOTS: slots(2),
  WORKER_ACTIVITY_SLOTS: slots(1),
  WORKER_LOCAL_ACTIVITY_SLOTS: slots(1),
  WORKER_NONSTICKY_POLL_RATIO: z.coerce.number().gt(0).max(1).optional(),
  WORKER_STICKY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).optional(),
  WORKER_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(64).optional(),
};

export const WORKER_TUNING_FIXES = {
  WORKER_WORKFLOW_POLLERS: 'use a whole number of polls (default 10) or auto',
  WORKER_ACTIVITY_POLLERS: 'use a whole number of polls (default 10) or auto',
  WORKER_WORKFLOW_TASK_SLOTS: 'use a whole number of at least 2 (default 40)',
  WORKER_ACTIVITY_SLOTS: 'use a whole number of at least 1 (default 100)',
  WORKER_LOCAL_ACTIVITY_SLOTS: 'use a whole number of at least 1 (default 100)',
  WORKER_NONSTICKY_POLL_RATIO: 'use a share above 0 and at most 1 (default 0.2)',
  WORKER_STICKY_TIMEOUT_MS: 'use milliseconds between 1000 and 600000 (default 10000)',
  WORKER_WORKFLOW_THREADS: 'use a whole number of threads from 1 to 64 (default 1)',
} as const;

type TuningEnv = { [K in keyof typeof workerTuningEnv]?: z.infer<(typeof workerTuningEnv)[K]> };

/** The tuning an environment asks for, over the defaults. */
export function workerTuning(env: TuningEnv): WorkerTuning {
  const d = DEFAULT_WORKER_TUNING;
  return {
    workflowPollers: env.WORKER_WORKFLOW_POLLERS ?? d.workflowPollers,
    activityPollers: env.WORKER_ACTIVITY_POLLERS ?? d.activityPollers,
    workflowTaskSlots: env.WORKER_WORKFLOW_TASK_SLOTS ?? d.workflowTaskSlots,
    activityTaskSlots: env.WORKER_ACTIVITY_SLOTS ?? d.activityTaskSlots,
    localActivitySlots: env.WORKER_LOCAL_ACTIVITY_SLOTS ?? d.localActivitySlots,
    nonStickyPollRatio: env.WORKER_NONSTICKY_POLL_RATIO ?? d.nonStickyPollRatio,
    stickyTimeoutMs: env.WORKER_STICKY_TIMEOUT_MS ?? d.stickyTimeoutMs,
    workflowThreads: env.WORKER_WORKFLOW_THREADS ?? d.workflowThreads,
  };
}
