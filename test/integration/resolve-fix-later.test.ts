import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentWorkflowId } from '../../src/contracts/incident';
import type { IncidentStatus } from '../../src/contracts/messages';
import {
  acknowledgeSignal,
  resolveSignal,
  reviewSignal,
  workaroundSignal,
} from '../../src/contracts/messages';
import { RESOLVE_FIX_OPTIONAL_PATCH } from '../../src/workflows/incident/message-rules';
import { incidentInput, lifecycleDeps, waitForStatus } from '../helpers/lifecycle';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

/**
 * Root cause now, fix later, through signals (which are in history): a new incident accepts a
 * resolve signal without a fix reference (recording the patch marker that keeps older incidents'
 * refusals as they were; test/fixtures/histories/incident-resolve-signal-without-fix.json replays
 * one), and the review signal adds the fix.
 */
describe('resolve without a fix reference, by signal, on a dev server', () => {
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

  it('accepts the root cause alone, takes the fix with the review and records the patch marker', async () => {
    const taskQueue = uniqueTaskQueue('fix-later');
    const { stop } = await runWorker(env, lifecycleDeps(dir.path, [], {}), taskQueue);
    try {
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('resolve-fix-later'),
        args: [{ incident: incidentInput({ fingerprint: 'resolve-fix-later', scenario: 'unknown' }) }],
      });
      await waitForStatus(handle, (s) => s.notePath !== undefined);
      await handle.signal(acknowledgeSignal, { by: '@oncall' });
      await waitForStatus(handle, (s) => s.stage === 'mitigation');
      await handle.signal(workaroundSignal, { by: '@oncall', description: 'restart' });
      await waitForStatus(handle, (s) => s.stage === 'resolution');
      await handle.signal(resolveSignal, { by: '@oncall', whys: ['a dependency was missing'], fix: {} });
      const review = await waitForStatus(handle, (s) => s.stage === 'review');
      assert.deepEqual(review.resolution?.fix, {});
      await handle.signal(reviewSignal, {
        by: '@lead',
        wentWell: [],
        toImprove: [],
        actionItems: [],
        fix: { commit: '3f2a9c1' },
      });
      const final = (await handle.result()) as IncidentStatus;
      assert.deepEqual(final.resolution?.fix, { commit: '3f2a9c1' });
      const events = (await handle.fetchHistory()).events ?? [];
      // Other patches record markers too; count only this one's (its ID is in the marker's data).
      const markers = events.filter(
        (e) =>
          e.markerRecordedEventAttributes?.markerName === 'core_patch' &&
          Object.values(e.markerRecordedEventAttributes.details ?? {}).some((d) =>
            (d.payloads ?? []).some((p) =>
              Buffer.from(p.data ?? [])
                .toString('utf8')
                .includes(RESOLVE_FIX_OPTIONAL_PATCH),
            ),
          ),
      );
      assert.equal(markers.length, 1, `one patch marker (${RESOLVE_FIX_OPTIONAL_PATCH})`);
    } finally {
      await stop();
    }
  });
});
