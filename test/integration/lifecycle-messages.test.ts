import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type WorkflowHandle, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PolicyDraft } from '../../src/contracts/policy';
import type { IncidentInputDraft } from '../../src/contracts/incident';
import { incidentWorkflowId } from '../../src/contracts/incident';
import {
  acknowledgeSignal,
  acknowledgeUpdate,
  approveSignal,
  approveUpdate,
  recordMitigationSignal,
  rejectUpdate,
  resolveSignal,
  resolveUpdate,
  reviewSignal,
  setSeverityUpdate,
  statusQuery,
  workaroundSignal,
} from '../../src/contracts/messages';
import {
  incidentInput,
  kinds,
  lifecycleDeps,
  startHealthEndpoint,
  waitForStatus,
} from '../helpers/lifecycle';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';

/** Updates, approvals and refusals, which the time-skipping server does not handle reliably. */
describe('incident messages on a real dev server', () => {
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

  let counter = 0;
  async function withIncident(
    policy: PolicyDraft,
    input: Partial<IncidentInputDraft>,
    body: (handle: WorkflowHandle, lines: string[]) => Promise<void>,
  ): Promise<void> {
    const lines: string[] = [];
    const name = `messages-${++counter}`;
    const taskQueue = uniqueTaskQueue(name);
    const { stop } = await runWorker(env, lifecycleDeps(dir.path, lines, policy), taskQueue);
    const handle = await env.client.workflow.start('incidentWorkflow', {
      taskQueue,
      workflowId: incidentWorkflowId(name),
      args: [{ incident: incidentInput({ fingerprint: name, ...input }) }],
    });
    try {
      await waitForStatus(handle, (s) => s.notePath !== undefined);
      await body(handle, lines);
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
      await stop();
    }
  }

  async function refusedUpdate(promise: Promise<unknown>, reason: RegExp): Promise<void> {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof WorkflowUpdateFailedError, String(error));
      assert.match((error.cause as Error).message, reason);
      return true;
    });
  }

  it('records and refuses signals that do not fit the current stage without changing state', async () => {
    await withIncident({}, { severity: 'SEV-3' }, async (handle) => {
      const before = await handle.query(statusQuery);
      await handle.signal(approveSignal, { option: 'revert-last-change', approver: '@jscraik' });
      await handle.signal(resolveSignal, { by: '@oncall', whys: ['x'], fix: { commit: 'abc' } });
      await handle.signal(reviewSignal, { by: '@lead', wentWell: [], toImprove: [], actionItems: [] });
      await handle.signal(workaroundSignal, { by: '@oncall', description: 'restart' });
      await handle.signal(recordMitigationSignal, {
        option: 'disable-feature',
        by: '@oncall',
        outcome: 'succeeded',
      });
      const after = await waitForStatus(handle, (s) => kinds(s, 'refused').length === 5);
      const refused = kinds(after, 'refused').map((e) => e.message);
      assert.match(
        refused[0]!,
        /^approve by @jscraik refused: nothing is waiting for approval \(stage detection\)/,
      );
      assert.match(
        refused[1]!,
        /^resolve by @oncall refused: resolve is accepted after mitigation, not during detection/,
      );
      assert.match(refused[2]!, /^review by @lead refused: the review is accepted after resolution/);
      assert.match(refused[3]!, /^workaround by @oncall refused: a workaround is recorded during mitigation/);
      assert.match(refused[4]!, /^outcome by @oncall refused: no human mitigation step is pending/);
      const { timeline: t1, ...rest1 } = before;
      const { timeline: t2, ...rest2 } = after;
      assert.deepEqual(rest2, rest1, 'nothing but the timeline changed');
      assert.deepEqual(t2.slice(0, t1.length), t1);

      await handle.signal(acknowledgeSignal, { by: '@alice' });
      await handle.signal(acknowledgeSignal, { by: '@bob' });
      const acked = await waitForStatus(handle, (s) => kinds(s, 'refused').length === 6);
      assert.equal(acked.acknowledgedBy, '@alice');
      assert.match(
        kinds(acked, 'refused')[5]!.message,
        /^acknowledge by @bob refused: already acknowledged by @alice/,
      );
    });
  });

  it('answers Updates with accepted or the refusal reason, writing nothing for a refused one', async () => {
    await withIncident({}, { severity: 'SEV-3' }, async (handle) => {
      const ack = await handle.executeUpdate(acknowledgeUpdate, {
        args: [{ by: '@alice' }],
        updateId: 'ack-1',
      });
      assert.deepEqual(ack, { accepted: true, message: 'acknowledged by @alice', stage: 'detection' });
      // The same update ID again returns the first result instead of acknowledging twice.
      const again = await handle.executeUpdate(acknowledgeUpdate, {
        args: [{ by: '@alice' }],
        updateId: 'ack-1',
      });
      assert.deepEqual(again, ack);
      await refusedUpdate(
        handle.executeUpdate(acknowledgeUpdate, { args: [{ by: '@bob' }] }),
        /already acknowledged by @alice/,
      );
      await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');
      await refusedUpdate(
        handle.executeUpdate(resolveUpdate, {
          args: [{ by: '@alice', whys: ['x'], fix: { commit: 'abc' } }],
        }),
        /resolve is accepted after mitigation, not during mitigation/,
      );
      await refusedUpdate(
        handle.executeUpdate(approveUpdate, {
          args: [{ option: 'deploy-known-good', approver: '@jscraik' }],
        }),
        /the option waiting for approval is revert-last-change, not deploy-known-good/,
      );
      const status = await handle.query(statusQuery);
      assert.equal(kinds(status, 'refused').length, 0, 'refused updates leave no trace in the timeline');
      assert.equal(kinds(status, 'acknowledged').length, 1);
      assert.equal(status.pendingApproval?.option, 'revert-last-change');
    });
  });

  it('refuses an approver not allowed for the severity, escalates a late approval and keeps waiting', async () => {
    const policy: PolicyDraft = {
      approvers: { 'SEV-2': { '*': ['@lead'] }, 'SEV-3': { '*': ['@intern'] } },
      approvalDeadline: '1s',
      escalationInterval: '1s',
    };
    await withIncident(policy, { severity: 'SEV-2' }, async (handle, lines) => {
      await handle.signal(acknowledgeSignal, { by: '@oncall' });
      await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');
      await refusedUpdate(
        handle.executeUpdate(approveUpdate, {
          args: [{ option: 'revert-last-change', approver: '@intern' }],
        }),
        /@intern may not approve revert-last-change for a SEV-2 incident \(allowed: @lead\)/,
      );
      await handle.signal(approveSignal, { option: 'revert-last-change', approver: '@intern' });
      let status = await waitForStatus(
        handle,
        (s) =>
          s.escalations.filter((e) => /waited for approval past its deadline/.test(e.reason)).length >= 2,
      );
      assert.match(
        kinds(status, 'refused')[0]!.message,
        /^approve by @intern refused: @intern may not approve/,
      );
      assert.equal(status.pendingApproval?.option, 'revert-last-change', 'still waiting after escalating');
      assert.ok(!status.optionsTried.some((a) => a.outcome === 'approved'));
      assert.ok(lines.some((l) => l.startsWith('[escalation]') && l.includes('revert-last-change')));
      await recordHistory(handle, 'incident-approval-escalation');

      const rejected = await handle.executeUpdate(rejectUpdate, {
        args: [{ option: 'revert-last-change', approver: '@lead', reason: 'not a code change' }],
      });
      assert.equal(rejected.accepted, true);
      status = await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
      assert.deepEqual(
        status.optionsTried.map((a) => [a.option, a.outcome, a.by]),
        [['revert-last-change', 'rejected', '@lead']],
      );
    });
  });

  it('auto-approves only what the policy lists for the severity, and counts a failed child as a failed option', async () => {
    const policy: PolicyDraft = { autoApprove: { 'SEV-3': ['update-visual-baselines'] } };
    await withIncident(policy, { severity: 'SEV-3', scenario: 'visual-regression' }, async (handle) => {
      await handle.signal(acknowledgeSignal, { by: '@oncall' });
      let status = await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');
      assert.equal(status.pendingApproval?.risk, 'destructive', 'revert is not auto-approved');
      await handle.executeUpdate(rejectUpdate, {
        args: [{ option: 'revert-last-change', approver: '@jscraik' }],
      });
      // No target repository is configured here, so the real visualBaselinesUpdate child fails.
      status = await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
      assert.deepEqual(
        status.optionsTried.map((a) => [a.option, a.outcome, a.by]),
        [
          ['revert-last-change', 'rejected', '@jscraik'],
          ['update-visual-baselines', 'approved', 'policy:auto-approve'],
          ['update-visual-baselines', 'failed', undefined],
        ],
      );
      assert.ok(kinds(status, 'child-started').some((e) => /visualBaselinesUpdate started/.test(e.message)));
    });
  });

  it('reassigns severity by Update: SEV-3 to SEV-1 escalates at once and moves the ack deadline to 15 minutes', async () => {
    await withIncident({}, { severity: 'SEV-3' }, async (handle) => {
      let status = await waitForStatus(handle, (s) => s.deadlines.ack !== undefined);
      assert.equal(Date.parse(status.deadlines.ack!) - Date.parse(status.detectedAt), 4 * 3_600_000);
      const result = await handle.executeUpdate(setSeverityUpdate, {
        args: [{ severity: 'SEV-1', by: '@lead', reason: 'all widgets failing' }],
      });
      assert.equal(result.accepted, true);
      status = await waitForStatus(
        handle,
        (s) =>
          s.deadlines.ack !== undefined &&
          Date.parse(s.deadlines.ack) - Date.parse(s.detectedAt) === 15 * 60_000,
      );
      assert.equal(status.severity, 'SEV-1');
      assert.deepEqual(
        status.escalations.map((e) => e.reason),
        ['severity reassigned to SEV-1'],
      );
      const described = await env.client.workflow.getHandle(handle.workflowId).describe();
      assert.equal(described.searchAttributes.IncidentSeverity?.[0], 'SEV-1');
      const notePath = join(dir.path, 'incidents', status.incidentId, 'incident.txt');
      for (let i = 0; i < 50 && !(await readFile(notePath, 'utf8')).includes('SEV-1'); i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.match(await readFile(notePath, 'utf8'), /\nSeverity: SEV-1\n/);
    });
  });

  it('returns to mitigation and escalates when the recovery check fails, and resolves once it passes', async () => {
    const health = await startHealthEndpoint();
    health.setHealthy(false);
    const policy: PolicyDraft = { healthCheck: { url: health.url, interval: '150ms', duration: '600ms' } };
    try {
      await withIncident(
        policy,
        { severity: 'SEV-3', scenario: 'ci-pipeline-hangs', services: ['ci'] },
        async (handle) => {
          const mitigateAndResolve = async (round: number) => {
            await waitForStatus(
              handle,
              (s) => s.pendingAction?.option === 'disable-feature' && s.mitigationRound === round,
            );
            await handle.signal(recordMitigationSignal, {
              option: 'disable-feature',
              by: '@oncall',
              outcome: 'succeeded',
            });
            await waitForStatus(handle, (s) => s.stage === 'resolution');
            const result = await handle.executeUpdate(resolveUpdate, {
              args: [{ by: '@oncall', whys: ['job waited forever'], fix: { commit: 'abc1234' } }],
            });
            assert.equal(result.accepted, true);
          };
          await handle.signal(acknowledgeSignal, { by: '@oncall' });
          await mitigateAndResolve(1);
          let status = await waitForStatus(
            handle,
            (s) => s.stage === 'mitigation' && s.mitigationRound === 2,
          );
          assert.equal(status.verification?.verified, false);
          assert.equal(status.verification?.failures, 1, 'stops at the first failure when none is allowed');
          assert.equal(status.resolution, undefined);
          assert.equal(status.mitigatedAt, undefined);
          assert.match(
            status.escalations.at(-1)!.reason,
            /^recovery check failed: 1 of 1 probes failed \(last: HTTP 503\)/,
          );

          health.setHealthy(true);
          await mitigateAndResolve(2);
          status = await waitForStatus(handle, (s) => s.stage === 'review');
          assert.equal(status.verification?.verified, true);
          assert.equal(status.verification?.probes, 4);
          assert.deepEqual(
            status.optionsTried.map((a) => [a.option, a.outcome, a.round]),
            [
              ['disable-feature', 'succeeded', 1],
              ['disable-feature', 'succeeded', 2],
            ],
          );
        },
      );
    } finally {
      await health.close();
    }
  });

  it('escalates a SEV-2 at once when another SEV-2 is already open, counted through visibility', async () => {
    const taskQueue = uniqueTaskQueue('two-sev2');
    const { stop } = await runWorker(env, lifecycleDeps(dir.path, [], {}, { client: env.client }), taskQueue);
    const start = (name: string) =>
      env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId(name),
        args: [{ incident: incidentInput({ severity: 'SEV-2', fingerprint: name }) }],
      });
    const first = await start('sev2-first');
    let second: WorkflowHandle | undefined;
    let third: WorkflowHandle | undefined;
    try {
      const a = await waitForStatus(first, (s) => s.notePath !== undefined);
      assert.deepEqual(a.escalations, [], 'the first SEV-2 alone is not escalated at once');
      // Visibility is eventually consistent: wait until the first incident is listed.
      for (let i = 0; i < 50; i++) {
        const { count } = await env.client.workflow.count(
          `IncidentSeverity = 'SEV-2' AND IncidentStage = 'detection' AND ExecutionStatus = 'Running'`,
        );
        if (count >= 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      second = await start('sev2-second');
      const b = await waitForStatus(second, (s) => s.escalations.length > 0);
      assert.equal(
        b.escalations[0]!.reason,
        'immediate escalation: multiple SEV-2 incidents open (1 other open SEV-2 incident(s))',
      );

      // A SEV-3 reassigned to SEV-2 is checked the same way.
      third = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('sev3-then-sev2'),
        args: [{ incident: incidentInput({ severity: 'SEV-3', fingerprint: 'sev3-then-sev2' }) }],
      });
      await waitForStatus(third, (s) => s.notePath !== undefined);
      await third.executeUpdate(setSeverityUpdate, { args: [{ severity: 'SEV-2', by: '@lead' }] });
      const c = await waitForStatus(third, (s) => s.escalations.length > 0);
      assert.match(
        c.escalations[0]!.reason,
        /^immediate escalation after reassignment: multiple SEV-2 incidents open \([12] other open SEV-2 incident\(s\)\)$/,
      );
    } finally {
      await first.terminate('test finished').catch(() => undefined);
      await second?.terminate('test finished').catch(() => undefined);
      await third?.terminate('test finished').catch(() => undefined);
      await stop();
    }
  });

  it('fails an incident started with invalid input, naming the field, instead of retrying forever', async () => {
    const taskQueue = uniqueTaskQueue('invalid');
    const { stop } = await runWorker(env, lifecycleDeps(dir.path, [], {}), taskQueue);
    try {
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('invalid-1'),
        args: [{ incident: { ...incidentInput({ fingerprint: 'invalid-1' }), severity: 'SEV-9' } }],
      });
      await assert.rejects(handle.result(), (error: Error) => {
        assert.ok(error instanceof WorkflowFailedError, String(error));
        assert.match((error.cause as Error).message, /^invalid incident input: severity: /);
        return true;
      });
    } finally {
      await stop();
    }
  });

  it('escalates a security or data-loss incident at once whatever its severity', async () => {
    await withIncident(
      {},
      { severity: 'SEV-4', labels: ['security', 'data-loss'] },
      async (handle, lines) => {
        const status = await waitForStatus(handle, (s) => s.escalations.length > 0);
        assert.deepEqual(
          status.escalations.map((e) => e.reason),
          ['immediate escalation: security incident; data-loss incident'],
        );
        await waitForStatus(handle, () => lines.some((l) => l.startsWith('[escalation]')));
        assert.match(
          lines.find((l) => l.startsWith('[escalation]'))!,
          /SEV-4.*security incident; data-loss incident/,
        );
      },
    );
  });
});
