import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { lookupIncident } from '../../src/use-cases/lookup';
import { sendDecision } from '../../src/use-cases/send-decision';
import { incidentInput, kinds, lifecycleDeps, waitForStatus } from '../helpers/lifecycle';
import { recordHistory } from '../helpers/histories';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

/**
 * Four-eyes through real Workflow Updates, sent the way the CLI and the API send them
 * (sendDecision with their channel): the answers say how many approvals are still needed, a
 * repeat counts once, a delegated group's member completes the approval, and every decision is
 * audited with its channel. Updates need the dev server (the time-skipping one is unreliable).
 */
describe('four-eyes approval through Workflow Updates on a real dev server', () => {
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

  it('answers "1 of 2", counts a repeat once, and runs the option once a delegated lead approves', async () => {
    const lines: string[] = [];
    const taskQueue = uniqueTaskQueue('four-eyes-updates');
    const deps = lifecycleDeps(dir.path, lines, {
      approvalDeadline: '2s',
      escalationInterval: '1s',
      approvers: { 'SEV-1': { '*': ['@alice', '@bob'] } },
      approvals: {
        required: { 'SEV-1': { 'revert-last-change': 2 } },
        groups: [{ name: 'leads', members: ['@lead'] }],
      },
    });
    const policy = deps.config.policy;
    const { stop } = await runWorker(env, deps, taskQueue);
    const handle = await env.client.workflow.start('incidentWorkflow', {
      taskQueue,
      workflowId: incidentWorkflowId('four-eyes-updates'),
      args: [{ incident: incidentInput({ fingerprint: 'four-eyes-updates', severity: 'SEV-1' }) }],
    });
    const decide = async (verb: 'ack' | 'approve', input: object, via: 'cli' | 'api', updateId?: string) =>
      sendDecision(env.client, policy, await lookupIncident(env.client, handle.workflowId), verb, input, {
        via,
        ...(updateId ? { updateId } : {}),
      });
    const approve = { option: 'revert-last-change' };
    try {
      await waitForStatus(handle, (s) => s.notePath !== undefined);
      await decide('ack', { by: '@alice' }, 'cli');
      await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');

      const first = await decide('approve', { ...approve, approver: '@alice' }, 'cli');
      assert.equal(first.message, '1 of 2 approvals (@alice); waiting for another approver');
      // The same command again is the same Update: the first answer, nothing decided twice.
      const again = await decide('approve', { ...approve, approver: '@alice' }, 'cli');
      assert.equal(again.updateId, first.updateId);
      assert.equal(again.message, first.message);
      // A new request by the same approver is accepted and counts once.
      const repeat = await decide('approve', { ...approve, approver: '@alice' }, 'api', 'approve-repeat-1');
      assert.match(repeat.message, /^@alice has already approved revert-last-change; it counts once: 1 of 2/);

      // The deadline passes twice: the leads are asked, and a lead's approval is the second.
      let status = await waitForStatus(handle, (s) => (s.pendingApproval?.asked?.length ?? 0) === 1);
      assert.equal(status.pendingApproval!.asked![0]!.group, 'leads');
      assert.equal(kinds(status, 'rollback-started').length, 0);
      const second = await decide('approve', { ...approve, approver: '@lead' }, 'api');
      assert.equal(second.message, 'revert-last-change approved (2 of 2 approvals (@alice, @lead))');

      // No target repository is configured here: the rollback child runs once and fails.
      status = await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature', 60_000);
      assert.equal(kinds(status, 'rollback-started').length, 1);
      assert.deepEqual(
        status.optionsTried.map((a) => `${a.option}:${a.outcome}${a.by ? `:${a.by}` : ''}`),
        ['revert-last-change:approved:@alice, @lead', 'revert-last-change:failed'],
      );
      assert.deepEqual(
        status.decisions!.map((d) => `${d.decision} ${d.by} ${d.via ?? 'unknown'}`),
        ['ack @alice cli', 'approve @alice cli', 'approve @alice api', 'approve @lead api'],
      );
      assert.ok(lines.some((l) => l.includes('APPROVAL NEEDED from leads (@lead)')));
      await recordHistory(handle, 'incident-four-eyes-delegation');
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
      await stop();
    }
  });
});
