import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { requireBinary } from '../../src/temporal/binaries';
import { acknowledgeSignal, alertSignal, rejectUpdate, statusQuery } from '../../src/contracts/messages';
import { SA } from '../../src/contracts/search-attributes';
import {
  incidentInput,
  kinds,
  lifecycleDeps,
  waitForApprovalAttribute,
  waitForStatus,
} from '../helpers/lifecycle';
import { runWorker, tempDir, uniqueTaskQueue } from '../helpers/temporal';

/**
 * A dev server that suggests continue-as-new after 80 history events, so an incident under an
 * alert storm crosses into a new run within seconds.
 */
describe('long incidents continue as new on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: requireBinary('cli') },
        ip: '127.0.0.1',
        ui: false,
        searchAttributes: Object.values(SA),
        log: { format: 'pretty', level: 'error' },
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=80'],
      },
    });
    dir = await tempDir();
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it('carries state, deadlines and the pending approval into the next run and keeps working', async () => {
    const taskQueue = uniqueTaskQueue('can');
    const { stop } = await runWorker(env, lifecycleDeps(dir.path, [], {}), taskQueue);
    const handle = await env.client.workflow.start('incidentWorkflow', {
      taskQueue,
      workflowId: incidentWorkflowId('can-1'),
      args: [{ incident: incidentInput({ severity: 'SEV-3', fingerprint: 'can-1' }) }],
    });
    try {
      await handle.signal(acknowledgeSignal, { by: '@oncall' });
      const first = await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');
      const firstRunId = (await handle.describe()).runId;
      for (let i = 0; i < 40; i++) {
        await handle.signal(alertSignal, {
          fingerprint: 'can-1',
          status: 'firing',
          receivedAt: new Date().toISOString(),
          summary: `storm ${i}`,
          source: 'monitoring-alert',
        });
      }
      const carried = await waitForStatus(
        handle,
        (s) => (s.runs ?? 0) >= 2 && s.alerts.firing === 41,
        30_000,
      );
      assert.notEqual((await handle.describe()).runId, firstRunId, 'a new run holds the incident');
      assert.equal(carried.incidentId, first.incidentId);
      assert.equal(carried.acknowledgedBy, '@oncall');
      assert.deepEqual(carried.pendingApproval, first.pendingApproval, 'the same approval, same clock');
      await waitForApprovalAttribute(handle, first.pendingApproval!.since);
      assert.equal(kinds(carried, 'proposed').length, 1, 'the option is not proposed twice');
      assert.deepEqual(carried.timeline.slice(0, first.timeline.length), first.timeline);
      assert.ok(kinds(carried, 'continued').length >= 1);
      assert.equal(carried.triage?.regression, first.triage?.regression, 'triage is not run again');

      await handle.executeUpdate(rejectUpdate, {
        args: [{ option: 'revert-last-change', approver: '@jscraik' }],
      });
      const next = await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
      await waitForApprovalAttribute(handle, undefined);
      assert.deepEqual(
        next.optionsTried.map((a) => [a.option, a.outcome]),
        [['revert-last-change', 'rejected']],
      );
      assert.equal((await handle.query(statusQuery)).stage, 'mitigation');
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
      await stop();
    }
  });
});
