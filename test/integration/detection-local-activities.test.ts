import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { acknowledgeUpdate } from '../../src/contracts/messages';
import { DETECTION_LOCAL_PATCH } from '../../src/workflows/incident/activity-stubs';
import { QUIET_STATUS_UPDATES_PATCH } from '../../src/workflows/incident/communication';
import { APPROVAL_SINCE_PATCH } from '../../src/workflows/incident/context';
import { recordHistory } from '../helpers/histories';
import { incidentInput, kinds, lifecycleDeps, waitForStatus } from '../helpers/lifecycle';
import { waitFor } from '../helpers/processes';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

/** What a history says about detection's steps: normal activities scheduled, local ones recorded, patches. */
async function steps(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  const markers = events.flatMap((e) =>
    e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes] : [],
  );
  const local = markers
    .filter((m) => m.markerName === 'core_local_activity')
    .map((m) => {
      const data = m.details?.['data']?.payloads?.[0]?.data;
      return (JSON.parse(Buffer.from(data!).toString('utf8')) as { activity_type: string }).activity_type;
    });
  const patches = markers
    .filter((m) => m.markerName === 'core_patch')
    .map(
      (m) =>
        JSON.parse(Buffer.from(m.details!['patch-data']!.payloads![0]!.data!).toString('utf8')) as {
          id: string;
        },
    );
  return { scheduled, local, patches: patches.map((p) => p.id) };
}

/**
 * Detection's cheap steps (policy, incident note, open SEV-2 count) run as local activities in a
 * new incident, patched `detection-local-activities`: no server round trip each between the
 * request and the wait for the acknowledgement, and the same results as the normal activities
 * (policy applied, note written, a second SEV-2 escalated at once). Histories recorded before the
 * patch replay from test/fixtures/histories (test/replay); this run records one with it.
 */
describe('detection as local activities', () => {
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

  it(
    'loads the policy, writes the note and counts open SEV-2 incidents without scheduling an activity',
    { timeout: 120_000 },
    async () => {
      const taskQueue = uniqueTaskQueue('detect-local');
      const { stop } = await runWorker(
        env,
        lifecycleDeps(dir.path, [], { ackDeadlines: { 'SEV-2': '2 hours' } }, { client: env.client }),
        taskQueue,
      );
      const start = (fingerprint: string) =>
        env.client.workflow.start('incidentWorkflow', {
          taskQueue,
          workflowId: incidentWorkflowId(fingerprint),
          args: [{ incident: incidentInput({ fingerprint, severity: 'SEV-2' }) }],
        });
      const first = await start('local-first');
      let second: WorkflowHandle | undefined;
      try {
        await waitForStatus(first, (s) => s.notePath !== undefined);
        // Visibility is eventually consistent: the second incident must be able to see the first.
        await waitFor(
          () => 'the first SEV-2 incident in visibility',
          async () =>
            (
              await env.client.workflow.count(
                `WorkflowId = '${first.workflowId}' AND IncidentSeverity = 'SEV-2' AND IncidentStage = 'detection'`,
              )
            ).count === 1,
          20_000,
        );
        second = await start('local-second');
        let status = await waitForStatus(second, (s) => s.notePath !== undefined && s.escalations.length > 0);
        assert.match(
          status.escalations[0]!.reason,
          /multiple SEV-2 incidents open \(1 other open SEV-2 incident\(s\)\)/,
        );
        assert.equal(status.deadlines.ack !== undefined, true, 'waiting for the acknowledgement');
        // The policy came from the worker's config: its 2-hour SEV-2 deadline, not the guide's default.
        assert.equal(Date.parse(status.deadlines.ack!) - Date.parse(status.detectedAt), 2 * 3600_000);
        const note = await readFile(join(dir.path, 'incidents', status.incidentId, 'incident.txt'), 'utf8');
        assert.match(note, new RegExp(`^${status.incidentId}\nSeverity: SEV-2\nDetected: `));

        const detection = await steps(second);
        // The only normal activity so far is the escalation's notification (the outbox, beside the stages).
        assert.deepEqual(detection.scheduled, ['notify'], 'no normal activity for detection itself');
        assert.deepEqual(detection.local, ['loadPolicy', 'writeIncidentNote', 'countOpenIncidents']);
        // The status-update and approval-attribute patches are asked first, in the first activation.
        assert.deepEqual(detection.patches, [
          QUIET_STATUS_UPDATES_PATCH,
          APPROVAL_SINCE_PATCH,
          DETECTION_LOCAL_PATCH,
        ]);

        const ack = await second.executeUpdate(acknowledgeUpdate, { args: [{ by: '@oncall' }] });
        assert.equal(ack.accepted, true);
        status = await waitForStatus(second, (s) => s.triage !== undefined);
        assert.ok(kinds(status, 'triage-regression').length > 0);
        assert.equal(
          (await steps(second)).scheduled.filter((name) => name !== 'notify')[0],
          'snapshotRepository',
          'triage starts with the snapshot',
        );
      } finally {
        for (const handle of [first, second]) await handle?.terminate('test finished').catch(() => undefined);
        await stop();
      }
      await recordHistory(second, 'incident-detection-local-activities');
    },
  );
});
