/**
 * Activity proxies of the rollback procedures, one per kind of step, each with its own timeouts
 * and retries. Heartbeat timeouts of 5 s bound how long a killed worker's step stays orphaned:
 * the server notices within 5 s and the retry (1 s later) starts on a live worker, which first
 * kills whatever the dead attempt left running.
 */
import { type ActivityOptions, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { FAILURE, NON_RETRYABLE_RUNBOOK_FAILURES } from '../../domain/failure-types';

/** Lock: retried until the other incident releases it (or its lock goes stale), up to 30 min. */
export const lock = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: {
    initialInterval: '250 milliseconds',
    backoffCoefficient: 1.5,
    maximumInterval: '2 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE_RUNBOOK_FAILURES,
  },
});

/**
 * The lock's fast path (patch `rollback-lock-local`): one in-process try, no server round trip.
 * Any failure, above all `RepoLocked` (another incident holds it), falls back to `lock`, whose
 * retry policy waits its turn. Both lock activities are no-ops when repeated by the same owner.
 */
export const quickLock = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * git steps: seconds of work; transient failures (index.lock, I/O) retry 5 times. They heartbeat
 * every second while git runs, so a killed worker's git step is retried within 5 s, like every
 * other step, instead of after the 1-minute start-to-close.
 */
export const GIT_STEP_OPTIONS = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '1 second',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE_RUNBOOK_FAILURES,
  },
} satisfies ActivityOptions;
export const gitSteps = proxyActivities<Activities>(GIT_STEP_OPTIONS);

/**
 * Attempts for the long steps. A lost worker (heartbeat timeout) uses one too, and that is not the
 * step's fault: three workers lost during one install (seen in the seeded kill test) used to fail
 * the rollback. Five leaves room for a failure of the step itself after a few lost workers; the
 * retry policy is not part of replay, so in-flight histories are unaffected.
 */
const LONG_STEP_ATTEMPTS = 5;

/** `pnpm install`: a failure may be the network, so it retries. */
export const installStep = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '1 second',
    maximumAttempts: LONG_STEP_ATTEMPTS,
    nonRetryableErrorTypes: [...NON_RETRYABLE_RUNBOOK_FAILURES, FAILURE.commandTimedOut],
  },
});

/**
 * Builds and verifications: a non-zero exit or a hang will not change on retry, so those are
 * final; only a lost worker (heartbeat timeout) is retried.
 */
export const buildStep = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '1 second',
    maximumAttempts: LONG_STEP_ATTEMPTS,
    nonRetryableErrorTypes: [
      ...NON_RETRYABLE_RUNBOOK_FAILURES,
      FAILURE.commandFailed,
      FAILURE.commandTimedOut,
    ],
  },
});

/** Service start/stop: health waits heartbeat; an unhealthy service is final. */
export const serviceSteps = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '1 second',
    maximumAttempts: LONG_STEP_ATTEMPTS,
    nonRetryableErrorTypes: [...NON_RETRYABLE_RUNBOOK_FAILURES, FAILURE.serviceUnhealthy],
  },
});

/**
 * Read-only git and file checks of milliseconds (recent commits, resolve a ref, snapshot, list
 * built widgets, save the backup ref, which is a no-op when present): local activities, so they
 * cost no server round trip. Re-running them after a crash is harmless.
 */
export const quickSteps = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE_RUNBOOK_FAILURES,
  },
});
