import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { type Activities, createActivities } from '../../src/activities';
import { FAILURE } from '../../src/domain/failure-types';
import { incidentWorkflowId } from '../../src/contracts/incident';
import type { DiagnosticId } from '../../src/domain/scenarios';
import { workflowBundle } from '../../src/worker/workflow-bundle';
import {
  acknowledgeSignal,
  approveSignal,
  type IncidentStatus,
  recordMitigationSignal,
  rejectSignal,
  resolveSignal,
  reviewSignal,
  workaroundSignal,
} from '../../src/contracts/messages';
import {
  incidentInput,
  kinds,
  lifecycleDeps,
  registerSearchAttributes,
  waitForStatus,
} from '../helpers/lifecycle';
import { startTimeSkippingEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

const MINUTE = 60_000;

/** No repository and a rollback plan that cannot be built: each rollback child fails at its plan step. */
const stubs = {
  snapshotRepository: () =>
    Promise.resolve({
      head: '1111111111111111111111111111111111111111',
      knownGood: { tag: 'stable-1', sha: '2222222222222222222222222222222222222222' },
      commitsSinceKnownGood: [{ sha: '1111111111111111111111111111111111111111', subject: 'break it' }],
    }),
  runDiagnostic: (input: { diagnostic: DiagnosticId }) =>
    Promise.resolve({ diagnostic: input.diagnostic, ok: false, summary: 'stubbed' }),
  planRollback: () =>
    Promise.reject(
      ApplicationFailure.create({ type: FAILURE.notConfigured, nonRetryable: true, message: 'stubbed plan' }),
    ),
  acquireRepoLock: () => Promise.resolve({ lockPath: '/stub/lock', acquiredAt: new Date().toISOString() }),
  releaseRepoLock: () => Promise.resolve(true),
  resolveRef: () => Promise.resolve('1111111111111111111111111111111111111111'),
  countOpenIncidents: () => Promise.resolve({ count: 0, detail: 'stubbed' }),
  findRelatedIncidents: () => Promise.resolve([]),
} satisfies Partial<Activities>;

const rollbacksStarted = (s: IncidentStatus) => kinds(s, 'rollback-started').length;

/**
 * Four-eyes and delegation end to end on the time-skipping server: a SEV-1 destructive option
 * needs two distinct approvers, a reject by one allowed approver rejects, and when the approval
 * deadline passes twice the next approver group is notified, recorded and may approve.
 */
describe('four-eyes approval and delegation on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    env = await startTimeSkippingEnv();
    await registerSearchAttributes(env);
    dir = await tempDir();
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it(
    'waits for two distinct approvers, rejects on one reject, delegates to the next group after two missed deadlines, and audits every decision',
    { timeout: 180_000 },
    async () => {
      const lines: string[] = [];
      const taskQueue = uniqueTaskQueue('four-eyes');
      const deps = lifecycleDeps(dir.path, lines, {
        approvalDeadline: '15 minutes',
        escalationInterval: '30 minutes',
        approvers: { 'SEV-1': { '*': ['@alice', '@bob', '@carol'] } },
        approvals: {
          required: { 'SEV-1': { 'revert-last-change': 2, 'deploy-known-good': 2, '*': 1 } },
          groups: [{ name: 'leads', members: ['@lead'] }],
        },
      });
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: { ...createActivities(deps), ...stubs },
      });
      const running = worker.run();
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('four-eyes'),
        args: [{ incident: incidentInput({ fingerprint: 'four-eyes', severity: 'SEV-1' }) }],
      });
      const revert = { option: 'revert-last-change' as const };
      const knownGood = { option: 'deploy-known-good' as const };
      try {
        await handle.signal(acknowledgeSignal, { by: '@alice', via: 'cli' });

        // revert-last-change needs two approvals: one is not enough, and a reject by another
        // allowed approver rejects it without running anything.
        let status = await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');
        assert.equal(status.pendingApproval!.required, 2);
        await handle.signal(approveSignal, { ...revert, approver: '@alice', via: 'cli' });
        status = await waitForStatus(handle, (s) => s.pendingApproval?.approvals?.length === 1);
        assert.match(
          kinds(status, 'approval').at(-1)!.message,
          /1 of 2 approvals \(@alice\), waiting for another approver/,
        );
        await handle.signal(rejectSignal, {
          ...revert,
          approver: '@bob',
          reason: 'not at night',
          via: 'api',
        });
        status = await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
        assert.deepEqual(
          status.optionsTried.map((a) => `${a.option}:${a.outcome}:${a.by}`),
          ['revert-last-change:rejected:@bob'],
        );
        assert.equal(rollbacksStarted(status), 0);
        await handle.signal(recordMitigationSignal, {
          option: 'disable-feature',
          by: '@carol',
          outcome: 'failed',
        });

        // deploy-known-good: the same approver twice still counts once, and nothing runs.
        status = await waitForStatus(handle, (s) => s.pendingApproval?.option === 'deploy-known-good');
        await handle.signal(approveSignal, { ...knownGood, approver: '@alice', via: 'cli' });
        await handle.signal(approveSignal, { ...knownGood, approver: '@alice', via: 'slack' });
        status = await waitForStatus(handle, (s) => kinds(s, 'approval-repeated').length === 1);
        assert.equal(status.pendingApproval?.option, 'deploy-known-good');
        assert.deepEqual(
          status.pendingApproval.approvals!.map((a) => a.by),
          ['@alice'],
        );
        assert.equal(rollbacksStarted(status), 0);

        // A lead may not approve before the leads are asked.
        await handle.signal(approveSignal, { ...knownGood, approver: '@lead', via: 'slack' });
        status = await waitForStatus(handle, (s) => kinds(s, 'refused').length === 1);
        assert.match(kinds(status, 'refused')[0]!.message, /@lead may not approve deploy-known-good/);

        // First missed deadline: escalation only. Second: the leads are asked and notified.
        await env.sleep(16 * MINUTE);
        status = await waitForStatus(handle, (s) => (s.escalationRounds?.approval ?? 0) === 1);
        assert.equal(status.pendingApproval!.asked, undefined);
        await env.sleep(31 * MINUTE);
        status = await waitForStatus(handle, (s) => (s.pendingApproval?.asked?.length ?? 0) === 1);
        assert.deepEqual(
          status.pendingApproval!.asked!.map((a) => `${a.group}:${a.members.join(',')}`),
          ['leads:@lead'],
        );
        assert.match(
          kinds(status, 'delegated')[0]!.message,
          /approval of deploy-known-good delegated to group leads \(@lead\) after 2 missed deadlines; 1 of 2 approvals \(@alice\)/,
        );
        await waitForStatus(handle, () =>
          lines.some((l) => l.includes('APPROVAL NEEDED from leads (@lead)')),
        );

        // Now a lead's approval is the second pair of eyes: the rollback runs, exactly once.
        await handle.signal(approveSignal, { ...knownGood, approver: '@lead', via: 'slack' });
        status = await waitForStatus(handle, (s) => s.pendingAction?.option === 'workaround');
        assert.equal(rollbacksStarted(status), 1);
        assert.deepEqual(
          status.optionsTried.map((a) => `${a.option}:${a.outcome}`),
          [
            'revert-last-change:rejected',
            'disable-feature:failed',
            'deploy-known-good:approved',
            'deploy-known-good:failed',
          ],
        );
        assert.equal(status.optionsTried[2]!.by, '@alice, @lead');

        await handle.signal(recordMitigationSignal, {
          option: 'workaround',
          by: '@carol',
          outcome: 'failed',
        });
        await waitForStatus(handle, (s) => s.awaitingWorkaround === true);
        await handle.signal(workaroundSignal, { by: '@carol', description: 'traffic moved', via: 'api' });
        await waitForStatus(handle, (s) => s.stage === 'resolution');
        await handle.signal(resolveSignal, {
          by: '@carol',
          whys: ['a contract changed'],
          fix: { commit: 'abc1234' },
        });
        await waitForStatus(handle, (s) => s.stage === 'review');
        await handle.signal(reviewSignal, { by: '@carol', wentWell: [], toImprove: [], actionItems: [] });
        status = await waitForStatus(handle, (s) => s.stage === 'closed' && s.reportPath !== undefined);

        // The audit: who, through which channel, and what they saw, in the timeline and the report.
        assert.deepEqual(
          status.decisions!.map((d) => `${d.decision} ${d.by} ${d.via ?? 'unknown'}`),
          [
            'ack @alice cli',
            'approve @alice cli',
            'reject @bob api',
            'outcome @carol unknown',
            'approve @alice cli',
            'approve @alice slack',
            'approve @lead slack',
            'outcome @carol unknown',
            'workaround @carol api',
            'resolve @carol unknown',
            'review @carol unknown',
          ],
        );
        const approvedEntry = kinds(status, 'approved').at(-1)!.message;
        assert.match(
          approvedEntry,
          /deploy-known-good approved by @lead \(2 of 2 approvals \(@alice, @lead\)\) \[via slack; saw: deploy-known-good \(destructive\); target stable-1 \(found by triage\); plan \d+ lines?, fingerprint [0-9a-f]{8}\]/,
        );
        assert.match(
          kinds(status, 'rejected')[0]!.message,
          /rejected by @bob: not at night \[via api; saw: revert-last-change/,
        );
        const report = await readFile(status.reportPath!, 'utf8');
        const appendix = report.slice(report.indexOf('## Appendix: Decisions'));
        assert.match(
          appendix,
          /\| mitigation \| approve \| @lead \| slack \| deploy-known-good \(2 of 2 approvals \(@alice, @lead\)\) \| deploy-known-good \(destructive\); target stable-1/,
        );
        assert.match(
          appendix,
          /\| mitigation \| reject \| @bob \| api \| revert-last-change: not at night \|/,
        );
        assert.match(appendix, /\| detection \| ack \| @alice \| cli \| acknowledged \|/);
      } finally {
        await handle.terminate('test finished').catch(() => undefined);
        worker.shutdown();
        await running;
      }
    },
  );
});
