import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { type Activities, createActivities } from '../../src/activities';
import { defaultPolicy } from '../../src/contracts/policy';
import { FAILURE } from '../../src/domain/failure-types';
import { incidentWorkflowId } from '../../src/contracts/incident';
import type { DiagnosticId } from '../../src/domain/scenarios';
import { workflowBundle } from '../../src/worker/workflow-bundle';
import {
  acknowledgeSignal,
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
const owner = defaultPolicy().escalationContact;

/**
 * Activities the incident and its rollback child call, as plain async functions: no repository,
 * no diagnostics, and a rollback plan that cannot be built, so every engine-run option fails.
 * The rest (policy, note, report, notifications) are the real ones writing into a temp folder.
 */
const stubs = {
  snapshotRepository: () =>
    Promise.resolve({
      head: '1111111111111111111111111111111111111111',
      knownGood: { tag: 'stable-1', sha: '2222222222222222222222222222222222222222' },
      commitsSinceKnownGood: [{ sha: '1111111111111111111111111111111111111111', subject: 'break it' }],
    }),
  runDiagnostic: (input: { diagnostic: DiagnosticId }) =>
    Promise.resolve({ diagnostic: input.diagnostic, ok: false, summary: 'stubbed: contract test failed' }),
  planRollback: () =>
    Promise.reject(
      ApplicationFailure.create({
        type: FAILURE.notConfigured,
        nonRetryable: true,
        message: 'stubbed: no MCP service configured',
      }),
    ),
  acquireRepoLock: () => Promise.resolve({ lockPath: '/stub/lock', acquiredAt: new Date().toISOString() }),
  releaseRepoLock: () => Promise.resolve(true),
  resolveRef: () => Promise.resolve('1111111111111111111111111111111111111111'),
  countOpenIncidents: () => Promise.resolve({ count: 0, detail: 'stubbed' }),
  findRelatedIncidents: () => Promise.resolve([]),
} satisfies Partial<Activities>;

const refusals = (status: IncidentStatus) => kinds(status, 'refused').map((e) => e.message);
const outcomes = (status: IncidentStatus) => status.optionsTried.map((a) => `${a.option}:${a.outcome}`);

/**
 * The branches that are slow or awkward to reach with real commands: every mitigation option
 * failing or rejected, an approval that times out, and a resolve refused in each stage, run on
 * the time-skipping server with stubbed activities on one worker (the rollback child included).
 */
describe('incident lifecycle with stubbed activities on the time-skipping server', () => {
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
    'escalates an approval past its deadline, fails or rejects every option, waits for a workaround, and refuses resolve outside resolution',
    { timeout: 120_000 },
    async () => {
      const lines: string[] = [];
      const taskQueue = uniqueTaskQueue('stubbed');
      const deps = lifecycleDeps(dir.path, lines, {
        approvalDeadline: '15 minutes',
        escalationInterval: '30 minutes',
        autoApprove: { 'SEV-3': ['deploy-known-good'] },
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
        workflowId: incidentWorkflowId('stubbed-all-fail'),
        args: [{ incident: incidentInput({ fingerprint: 'stubbed-all-fail' }) }],
      });
      const resolve = { by: '@dev', whys: ['a contract changed'], fix: { commit: 'abc1234' } };
      try {
        await waitForStatus(handle, (s) => s.notePath !== undefined);
        await handle.signal(resolveSignal, resolve);
        await waitForStatus(handle, (s) => refusals(s).length === 1);
        await handle.signal(acknowledgeSignal, { by: '@oncall' });

        // revert-last-change waits for approval; its plan cannot be built, and the proposal says so.
        let status = await waitForStatus(handle, (s) => s.pendingApproval !== undefined);
        assert.equal(status.pendingApproval!.option, 'revert-last-change');
        assert.match(status.pendingApproval!.plan!.join('\n'), /cannot be planned: NotConfigured: stubbed/);
        assert.deepEqual(
          status.triage?.diagnostics.map((d) => d.ok),
          [false, false, false],
        );
        await handle.signal(resolveSignal, resolve);
        await waitForStatus(handle, (s) => refusals(s).length === 2);

        await env.sleep(16 * MINUTE);
        status = await waitForStatus(handle, (s) =>
          s.escalations.some(
            (e) => e.reason === 'revert-last-change has waited for approval past its deadline',
          ),
        );
        await handle.signal(rejectSignal, {
          option: 'revert-last-change',
          approver: owner,
          reason: 'too risky',
        });

        // disable-feature is for a human, who reports it failed.
        await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
        await handle.signal(recordMitigationSignal, {
          option: 'disable-feature',
          by: '@dev',
          outcome: 'failed',
        });

        // deploy-known-good is auto-approved; its rollback child fails at the plan step.
        // Then the workaround option, a human step, fails too.
        await waitForStatus(handle, (s) => s.pendingAction?.option === 'workaround');
        await handle.signal(recordMitigationSignal, { option: 'workaround', by: '@dev', outcome: 'failed' });
        status = await waitForStatus(handle, (s) => s.awaitingWorkaround === true);
        assert.ok(
          status.escalations.some((e) => /every mitigation option failed or was rejected/.test(e.reason)),
        );
        const childFailure = kinds(status, 'mitigation-failed').map((e) => e.message);
        assert.ok(
          childFailure.some((m) => /^mcpRollback failed at step plan/.test(m)),
          childFailure.join('\n'),
        );

        await handle.signal(workaroundSignal, { by: '@dev', description: 'traffic moved to the old pool' });
        status = await waitForStatus(handle, (s) => s.stage === 'resolution');
        assert.deepEqual(outcomes(status), [
          'revert-last-change:rejected',
          'disable-feature:failed',
          'deploy-known-good:approved',
          'deploy-known-good:failed',
          'workaround:failed',
          'workaround:succeeded',
        ]);

        await handle.signal(resolveSignal, resolve);
        await waitForStatus(handle, (s) => s.stage === 'review');
        await handle.signal(resolveSignal, resolve);
        await waitForStatus(handle, (s) => refusals(s).length === 3);
        await handle.signal(reviewSignal, { by: '@dev', wentWell: [], toImprove: [], actionItems: [] });
        status = await waitForStatus(handle, (s) => s.stage === 'closed' && s.reportPath !== undefined);
        await handle.signal(resolveSignal, resolve).catch(() => undefined);

        const refused = refusals(status);
        assert.match(refused[0]!, /^resolve by @dev refused: .*not during detection/);
        assert.match(refused[1]!, /^resolve by @dev refused: .*not during mitigation/);
        assert.match(refused[2]!, /^resolve by @dev refused: .*not during review/);
        assert.equal(
          kinds(status, 'stage')
            .map((e) => e.message)
            .join(', '),
          'detection → triage, triage → mitigation, mitigation → resolution, resolution → review, review → closed',
        );
      } finally {
        await handle.terminate('test finished').catch(() => undefined);
        worker.shutdown();
        await running;
      }
    },
  );
});
