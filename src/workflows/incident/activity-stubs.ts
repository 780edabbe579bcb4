import {
  type ActivityOptions,
  type LocalActivityOptions,
  patched,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { FAILURE } from '../../domain/failure-types';

/**
 * Activity stubs for the lifecycle. Every call goes through {@link run} with a one-line summary so
 * the Web UI shows what each activity is for. File writes and notifications retry (they are
 * idempotent or harmless twice); diagnostics and the snapshot retry a few times, then triage records them as unavailable.
 */
const BASE: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [FAILURE.notificationRejected] },
};

const OPTIONS: Partial<Record<keyof Activities, ActivityOptions>> = {
  notify: {
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FAILURE.notificationRejected] },
  },
  runDiagnostic: {
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    retry: { maximumAttempts: 2 },
  },
  snapshotRepository: {
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  },
  // A failed probe is a result; only a crashed worker makes the call itself fail.
  probeHealth: { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 3 } },
  // Prometheus down or slow: two quick retries within the round; a refused query is final.
  queryPrometheus: {
    startToCloseTimeout: '1 minute',
    retry: {
      maximumAttempts: 3,
      nonRetryableErrorTypes: [
        FAILURE.prometheusQueryRejected,
        FAILURE.prometheusBadAnswer,
        FAILURE.notConfigured,
      ],
    },
  },
  // Cancelling a CI run is idempotent on the CI side; a bad run ID or missing config is final.
  cancelCiJob: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: {
      maximumAttempts: 2,
      // CommandFailed is retryable elsewhere; a CI cancel that exited non-zero is final here.
      nonRetryableErrorTypes: [FAILURE.unsafeInput, FAILURE.notConfigured, FAILURE.commandFailed],
    },
  },
  countOpenIncidents: { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } },
  // A pure read of the worker's config; a plan that cannot be built is final (NotConfigured).
  planRollback: { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } },
};

const stubs = proxyActivities<Activities>(BASE);

/** Runs activity `name` with its options and a Web UI summary. */
export function run<K extends keyof Activities>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const stub = stubs[name] as unknown as {
    executeWithOptions(
      options: ActivityOptions,
      args: Parameters<Activities[K]>,
    ): Promise<Awaited<ReturnType<Activities[K]>>>;
  };
  return stub.executeWithOptions({ ...BASE, ...OPTIONS[name], summary }, args);
}

/**
 * Patch: detection's cheap steps run as local activities. Before it, loading the policy, writing
 * the incident note and (SEV-2) counting open incidents were three normal activities, each a
 * schedule → poll → complete → workflow task round trip between the request and the wait for the
 * acknowledgement; as local activities they run inside the first workflow task. Incidents whose
 * history has these steps as normal activities replay as they ran (no marker there).
 */
export const DETECTION_LOCAL_PATCH = 'detection-local-activities';

/** The steps that may run locally: a read of the worker's config, an idempotent file write, a visibility count. */
type CheapStep = 'loadPolicy' | 'writeIncidentNote' | 'countOpenIncidents';

/**
 * Local activities retry in the worker, without the server; past a few short retries they back off
 * with a timer. Each step is safe twice (pure reads; the note is rewritten whole from the same input).
 */
const LOCAL_OPTIONS: Record<CheapStep, LocalActivityOptions> = {
  loadPolicy: { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 10 } },
  writeIncidentNote: { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 10 } },
  countOpenIncidents: { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } },
};

const localStubs = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds' });

/**
 * Runs one of detection's cheap steps: as a local activity when {@link DETECTION_LOCAL_PATCH}
 * applies (every new incident), else as the normal activity its history recorded.
 */
export function runCheap<K extends CheapStep>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  if (!patched(DETECTION_LOCAL_PATCH)) return run(name, summary, ...args);
  const stub = localStubs[name] as unknown as {
    executeWithOptions(
      options: LocalActivityOptions,
      args: Parameters<Activities[K]>,
    ): Promise<Awaited<ReturnType<Activities[K]>>>;
  };
  return stub.executeWithOptions({ ...LOCAL_OPTIONS[name], summary }, args);
}
