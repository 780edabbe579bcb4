import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fromLocal, isoWeekday, toLocal } from '../../src/domain/business-hours';
import { incidentWorkflowId } from '../../src/contracts/incident';
import {
  acknowledgeSignal,
  type IncidentStatus,
  recordMitigationSignal,
  resolveSignal,
  reviewSignal,
  setSeveritySignal,
  statusQuery,
} from '../../src/contracts/messages';
import { recordHistory } from '../helpers/histories';
import {
  incidentInput,
  kinds,
  lifecycleDeps,
  registerSearchAttributes,
  waitForStatus,
} from '../helpers/lifecycle';
import { runWorker, startTimeSkippingEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Timer paths measured in minutes to days, on the time-skipping test server: `env.sleep` moves
 * the server clock, the workflow's durable timers fire, and the status query shows the result.
 */
describe('incident lifecycle timers on the time-skipping server', () => {
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

  async function withIncident(
    name: string,
    policy: Parameters<typeof lifecycleDeps>[2],
    input: Parameters<typeof incidentInput>[0],
    body: (handle: WorkflowHandle, lines: string[]) => Promise<void>,
  ): Promise<void> {
    const lines: string[] = [];
    const taskQueue = uniqueTaskQueue(name);
    const { stop } = await runWorker(env, lifecycleDeps(dir.path, lines, policy), taskQueue);
    const handle = await env.client.workflow.start('incidentWorkflow', {
      taskQueue,
      workflowId: incidentWorkflowId(name),
      args: [{ incident: incidentInput({ fingerprint: name, ...input }) }],
    });
    try {
      await body(handle, lines);
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
      await stop();
    }
  }

  it(
    'escalates a SEV-1 that nobody acknowledges within 15 minutes, and keeps escalating every interval',
    { timeout: 60_000 },
    async () => {
      await withIncident(
        'sev1-unacked',
        { escalationInterval: '30 minutes' },
        { severity: 'SEV-1' },
        async (handle, lines) => {
          let status = await waitForStatus(handle, (s) => s.deadlines.ack !== undefined);
          assert.equal(Date.parse(status.deadlines.ack!) - Date.parse(status.detectedAt), 15 * MINUTE);
          assert.deepEqual(
            status.escalations.map((e) => e.reason),
            ['immediate escalation: SEV-1 incident'],
          );

          await env.sleep(14 * MINUTE);
          status = await handle.query(statusQuery);
          assert.equal(status.escalations.length, 1, 'no ack escalation before 15 minutes');

          await env.sleep(2 * MINUTE);
          status = await waitForStatus(handle, (s) => s.escalations.length === 2);
          assert.match(
            status.escalations[1]!.reason,
            /^SEV-1 not acknowledged by its response-time deadline/,
          );
          await waitForStatus(handle, () =>
            lines.some((l) => l.includes('[escalation]') && l.includes('not acknowledged')),
          );
          const line = lines.find((l) => l.includes('not acknowledged'))!;
          assert.ok(line.includes(status.incidentId) && line.includes('SEV-1'), line);

          await env.sleep(31 * MINUTE);
          status = await waitForStatus(handle, (s) => s.escalations.length === 3);
          assert.match(status.escalations[2]!.reason, /not acknowledged/);

          await handle.signal(acknowledgeSignal, { by: '@oncall' });
          status = await waitForStatus(handle, (s) => s.acknowledgedBy === '@oncall');
          await env.sleep(2 * HOUR);
          status = await handle.query(statusQuery);
          assert.equal(status.escalations.filter((e) => /not acknowledged/.test(e.reason)).length, 2);
          assert.equal(status.deadlines.ack, undefined);
        },
      );
    },
  );

  it(
    'gives a SEV-4 raised on Friday evening until the close of the next business day, Monday',
    { timeout: 60_000 },
    async () => {
      const timeZone = 'America/New_York';
      // Move the server clock to the next Friday 18:30 in New York.
      const now = new Date(await env.currentTimeMs());
      let target = new Date(now.getTime());
      for (let i = 0; i < 8; i++) {
        const local = toLocal(target, timeZone);
        const friday = fromLocal({ ...local, hour: 18, minute: 30, second: 0 }, timeZone);
        if (isoWeekday(local.year, local.month, local.day) === 5 && friday.getTime() > now.getTime()) {
          target = friday;
          break;
        }
        target = new Date(target.getTime() + 24 * HOUR);
      }
      await env.sleep(target.getTime() - now.getTime() + MINUTE);

      await withIncident(
        'sev4-friday',
        { businessHours: { timeZone, start: '09:00', end: '17:00' } },
        { severity: 'SEV-4', scenario: 'visual-regression', services: ['widgets'] },
        async (handle) => {
          let status = await waitForStatus(handle, (s) => s.deadlines.ack !== undefined);
          const detected = toLocal(new Date(status.detectedAt), timeZone);
          assert.equal(isoWeekday(detected.year, detected.month, detected.day), 5, 'detected on a Friday');
          assert.ok(detected.hour >= 18, `detected in the evening (${detected.hour}h)`);
          const deadline = new Date(status.deadlines.ack!);
          const due = toLocal(deadline, timeZone);
          assert.equal(isoWeekday(due.year, due.month, due.day), 1, 'due on Monday');
          assert.deepEqual([due.hour, due.minute], [17, 0]);
          assert.ok(deadline.getTime() - Date.parse(status.detectedAt) > 2 * 24 * HOUR);

          await env.sleep(deadline.getTime() - (await env.currentTimeMs()) - 10 * MINUTE);
          status = await handle.query(statusQuery);
          assert.deepEqual(status.escalations, [], 'nothing escalates over the weekend');
          await env.sleep(20 * MINUTE);
          status = await waitForStatus(handle, (s) => s.escalations.length === 1);
          assert.match(status.escalations[0]!.reason, /SEV-4 not acknowledged/);
        },
      );
    },
  );

  async function mitigateAndResolve(handle: WorkflowHandle): Promise<IncidentStatus> {
    await handle.signal(acknowledgeSignal, { by: '@oncall' });
    await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
    await handle.signal(recordMitigationSignal, {
      option: 'disable-feature',
      by: '@oncall',
      outcome: 'succeeded',
      detail: 'cancelled the stuck job',
    });
    await waitForStatus(handle, (s) => s.stage === 'resolution');
    await handle.signal(resolveSignal, {
      by: '@oncall',
      whys: ['test waited for an element that never appears'],
      fix: { commit: 'def5678' },
    });
    return waitForStatus(handle, (s) => s.stage === 'review' && s.deadlines.review !== undefined);
  }

  it(
    'reminds before the 48-hour review deadline, escalates when it is missed, and closes on review',
    { timeout: 60_000 },
    async () => {
      await withIncident(
        'review-deadline',
        {},
        { severity: 'SEV-3', scenario: 'ci-pipeline-hangs', services: ['ci'] },
        async (handle, lines) => {
          let status = await mitigateAndResolve(handle);
          assert.equal(status.verification?.verified, 'not-configured');
          assert.equal(Date.parse(status.deadlines.review!) - Date.parse(status.resolvedAt!), 48 * HOUR);
          const reminders = () => kinds(status, 'review-reminder').length;
          const missed = () =>
            status.escalations.filter((e) => /missed its 48-hour deadline/.test(e.reason)).length;

          await env.sleep(23 * HOUR);
          status = await handle.query(statusQuery);
          assert.equal(reminders(), 0);
          await env.sleep(2 * HOUR);
          status = await waitForStatus(handle, (s) => kinds(s, 'review-reminder').length === 1);
          await env.sleep(20 * HOUR);
          status = await waitForStatus(handle, (s) => kinds(s, 'review-reminder').length === 2);
          assert.equal(missed(), 0);
          await env.sleep(2 * HOUR);
          status = await handle.query(statusQuery);
          assert.equal(missed(), 0, 'not escalated before 48 hours');
          await env.sleep(80 * MINUTE);
          status = await waitForStatus(handle, (s) => s.escalations.some((e) => /missed/.test(e.reason)));
          assert.equal(missed(), 1);
          await env.sleep(30 * MINUTE);
          status = await waitForStatus(
            handle,
            (s) => s.escalations.filter((e) => /missed/.test(e.reason)).length === 2,
          );
          assert.equal(status.stage, 'review', 'still waiting for the review after escalating');
          await waitForStatus(handle, () => lines.filter((l) => l.startsWith('[reminder]')).length === 2);

          await handle.signal(reviewSignal, {
            by: '@lead',
            wentWell: ['Quick detection'],
            toImprove: ['Faster detection'],
            actionItems: ['Add timeouts to all tests'],
          });
          const final = (await handle.result()) as IncidentStatus;
          assert.equal(final.stage, 'closed');
          assert.ok(final.reportPath && existsSync(final.reportPath));
        },
      );
    },
  );

  it(
    'a SEV-3 incident sets no status-update timer; reassigned to SEV-2, its first update comes one interval later',
    { timeout: 60_000 },
    async () => {
      await withIncident(
        'quiet-status-updates',
        {},
        { severity: 'SEV-3', scenario: 'ci-pipeline-hangs', services: ['ci'] },
        async (handle, lines) => {
          await waitForStatus(handle, (s) => s.deadlines.ack !== undefined);
          await env.sleep(2 * HOUR);
          let status = await handle.query(statusQuery);
          assert.equal(status.deadlines.statusUpdate, undefined, 'no next status update shown');
          assert.equal(status.statusUpdatesSent, undefined);
          const statusTimers = async () =>
            (await handle.fetchHistory()).events!.filter(
              (e) =>
                e.timerStartedEventAttributes &&
                Buffer.from(e.userMetadata?.summary?.data ?? [])
                  .toString()
                  .includes('Next status update'),
            ).length;
          assert.equal(await statusTimers(), 0, 'two hours without a status-update wakeup');

          await handle.signal(setSeveritySignal, {
            severity: 'SEV-2',
            by: '@jscraik',
            reason: 'wider impact',
          });
          status = await waitForStatus(handle, (s) => s.deadlines.statusUpdate !== undefined);
          assert.equal(
            Date.parse(status.deadlines.statusUpdate!) -
              Date.parse(status.timeline.find((e) => e.kind === 'severity')!.at),
            15 * MINUTE,
            'first update one interval after the reassignment',
          );
          await env.sleep(16 * MINUTE);
          status = await waitForStatus(handle, (s) => s.statusUpdatesSent === 1);
          await waitForStatus(handle, () => lines.some((l) => l.startsWith('[status-update]')));
          assert.match(
            lines.find((l) => l.startsWith('[status-update]'))!,
            /SEV-2: stage detection/,
          );
          assert.equal(await statusTimers(), 2, 'one timer for the update sent, one for the next');
          await recordHistory(handle, 'incident-quiet-status-updates');
        },
      );
    },
  );

  it(
    'posts a SEV-2 status update every 15 minutes while unresolved and stops at resolution',
    { timeout: 60_000 },
    async () => {
      await withIncident(
        'status-cadence',
        {},
        { severity: 'SEV-2', scenario: 'ci-pipeline-hangs', services: ['ci'] },
        async (handle, lines) => {
          await waitForStatus(handle, (s) => s.deadlines.statusUpdate !== undefined);
          await env.sleep(46 * MINUTE);
          let status = await waitForStatus(handle, (s) => s.statusUpdatesSent === 3);
          await waitForStatus(
            handle,
            () => lines.filter((l) => l.startsWith('[status-update]')).length === 3,
          );
          assert.match(
            lines.find((l) => l.startsWith('[status-update]'))!,
            /SEV-2: stage detection, open for 15 min, NOT acknowledged/,
          );

          status = await mitigateAndResolve(handle);
          const sent = status.statusUpdatesSent;
          assert.equal(status.deadlines.statusUpdate, undefined);
          await env.sleep(2 * HOUR);
          status = await handle.query(statusQuery);
          assert.equal(status.statusUpdatesSent, sent, 'no status update after resolution');
          assert.equal(lines.filter((l) => l.startsWith('[status-update]')).length, sent);
        },
      );
    },
  );
});
