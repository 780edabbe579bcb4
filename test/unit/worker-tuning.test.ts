import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnv } from '../../src/config/env';
import { DEFAULT_WORKER_TUNING, workerTuning } from '../../src/config/worker-tuning';

describe('worker tuning from the environment', () => {
  it('keeps the defaults when nothing is set', () => {
    assert.deepEqual(workerTuning(loadEnv({})), DEFAULT_WORKER_TUNING);
  });

  it('reads each variable, and auto for poller autoscaling', () => {
    const tuning = workerTuning(
      loadEnv({
        WORKER_WORKFLOW_POLLERS: 'auto',
        WORKER_ACTIVITY_POLLERS: '4',
        WORKER_WORKFLOW_TASK_SLOTS: '8',
        WORKER_ACTIVITY_SLOTS: '20',
        WORKER_LOCAL_ACTIVITY_SLOTS: '30',
        WORKER_NONSTICKY_POLL_RATIO: '0.5',
        WORKER_STICKY_TIMEOUT_MS: '30000',
        WORKER_WORKFLOW_THREADS: '2',
      }),
    );
    assert.deepEqual(tuning, {
      workflowPollers: 'auto',
      activityPollers: 4,
      workflowTaskSlots: 8,
      activityTaskSlots: 20,
      localActivitySlots: 30,
      nonStickyPollRatio: 0.5,
      stickyTimeoutMs: 30_000,
      workflowThreads: 2,
    });
  });

  it('names the variable and the fix for a value the SDK would refuse', () => {
    assert.throws(
      () => loadEnv({ WORKER_WORKFLOW_TASK_SLOTS: '1' }),
      /WORKER_WORKFLOW_TASK_SLOTS: .*fix: use a whole number of at least 2/,
    );
    assert.throws(
      () => loadEnv({ WORKER_NONSTICKY_POLL_RATIO: '0' }),
      /WORKER_NONSTICKY_POLL_RATIO: .*fix: use a share above 0/,
    );
    assert.throws(
      () => loadEnv({ WORKER_WORKFLOW_POLLERS: 'many' }),
      /WORKER_WORKFLOW_POLLERS: .*fix: use a whole number of polls/,
    );
  });
});
