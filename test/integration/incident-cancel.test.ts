import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { incidentInput, lifecycleDeps, waitForStatus } from '../helpers/lifecycle';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

/**
 * An operator cancels an incident from the Web UI or `temporal workflow cancel`. Before the fix
 * the background loops' cancellations went unhandled: every workflow task after the request
 * failed and the incident stayed Running for ever.
 */
describe('cancelling an incident workflow', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    env = await startDevServerEnv();
    dir = await tempDir();
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it('ends the run as Cancelled, with the cancellation in the timeline and no failed task', async () => {
    const taskQueue = uniqueTaskQueue('cancel');
    // SEV-1: the status-update loop runs beside the outbox loop, so both are cancelled.
    const { stop } = await runWorker(env, lifecycleDeps(dir.path, [], {}), taskQueue);
    const handle = await env.client.workflow.start('incidentWorkflow', {
      taskQueue,
      workflowId: incidentWorkflowId('cancel-me'),
      args: [{ incident: incidentInput({ fingerprint: 'cancel-me', severity: 'SEV-1' }) }],
    });
    try {
      await waitForStatus(handle, (s) => s.notePath !== undefined);
      await handle.cancel();
      await assert.rejects(handle.result(), (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError, String(error));
        assert.ok(error.cause instanceof CancelledFailure, String(error.cause));
        return true;
      });
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      const history = await handle.fetchHistory();
      const failedTasks = (history.events ?? []).filter((event) => event.workflowTaskFailedEventAttributes);
      assert.equal(failedTasks.length, 0, 'no workflow task failed after the cancel request');
      const status = await handle.query<{ timeline: { kind: string; message: string }[] }>('status');
      const cancelled = status.timeline.find((entry) => entry.kind === 'cancelled');
      assert.ok(cancelled, `timeline: ${status.timeline.map((entry) => entry.kind).join(', ')}`);
      assert.match(cancelled.message, /cancelled in stage detection/);
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
      await stop();
    }
  });
});
