import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { gatherIncidentHistory } from '../../src/temporal/incident-history';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { computeMetrics, mitigationBreakdown } from '../../src/domain/metrics';
import {
  acknowledgeUpdate,
  type IncidentStatus,
  recordMitigationUpdate,
  rejectUpdate,
  resolveUpdate,
  reviewUpdate,
} from '../../src/contracts/messages';
import { incidentInput, lifecycleDeps, startHealthEndpoint, waitForStatus } from '../helpers/lifecycle';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const between = (from: string | undefined, to: string | undefined) => Date.parse(to!) - Date.parse(from!);

describe('metrics and related incidents from real incident history', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let health: Awaited<ReturnType<typeof startHealthEndpoint>>;
  let stop: () => Promise<void>;
  let taskQueue: string;

  before(async () => {
    env = await startDevServerEnv();
    dir = await tempDir('incident-metrics-');
    health = await startHealthEndpoint();
    taskQueue = uniqueTaskQueue('metrics');
    const deps = lifecycleDeps(
      dir.path,
      [],
      {
        approvers: { 'SEV-3': { '*': ['@lead'] } },
        healthCheck: { url: health.url, interval: '200ms', duration: '600ms' },
        review: { deadline: '1 hour', remindersBefore: ['30 minutes'] },
      },
      { client: env.client },
    );
    ({ stop } = await runWorker(env, deps, taskQueue));
  });
  after(async () => {
    await stop?.();
    await health?.close();
    await env?.teardown();
    await dir?.cleanup();
  });

  async function open(fingerprint: string, alertedAt: string): Promise<WorkflowHandle> {
    const handle = await env.client.workflow.start('incidentWorkflow', {
      taskQueue,
      workflowId: incidentWorkflowId(fingerprint),
      args: [{ incident: incidentInput({ fingerprint, alertedAt, summary: `MCP down (${fingerprint})` }) }],
    });
    await waitForStatus(handle, (s) => s.notePath !== undefined);
    return handle;
  }

  /** Ack, reject the revert, a human disables the feature, resolve, review: closed. */
  async function driveToClosed(handle: WorkflowHandle): Promise<IncidentStatus> {
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ by: '@oncall' }] });
    await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');
    await handle.executeUpdate(rejectUpdate, { args: [{ option: 'revert-last-change', approver: '@lead' }] });
    await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
    await handle.executeUpdate(recordMitigationUpdate, {
      args: [{ option: 'disable-feature', by: '@oncall', outcome: 'succeeded' }],
    });
    await waitForStatus(handle, (s) => s.stage === 'resolution');
    await handle.executeUpdate(resolveUpdate, {
      args: [
        {
          by: '@oncall',
          whys: ['server crashed', 'package.json was not updated'],
          fix: { commit: 'abc1234' },
        },
      ],
    });
    await waitForStatus(handle, (s) => s.stage === 'review' && s.reportPath !== undefined);
    await handle.executeUpdate(reviewUpdate, {
      args: [{ by: '@lead', wentWell: ['Quick detection'], toImprove: [], actionItems: [] }],
    });
    return (await handle.result()) as IncidentStatus;
  }

  it('lists a repeated scenario as related and computes the metrics of closed and open incidents', async () => {
    const alertedAt = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const first = await driveToClosed(await open('metrics-1', alertedAt(120)));
    await recordHistory(env.client.workflow.getHandle(first.workflowId), 'incident-rejected-approval');
    const second = await driveToClosed(await open('metrics-2', alertedAt(60)));
    const third = await open('metrics-3', alertedAt(30)); // left open, in detection
    const thirdStatus = await waitForStatus(third, (s) => s.stage === 'detection');

    // The second report's "Related Incidents" names the first: same scenario on the same service,
    // and the same deepest "why".
    const report = await readFile(second.reportPath!, 'utf8');
    const related = report.slice(report.indexOf('## Related Incidents'));
    assert.match(
      related,
      new RegExp(
        `- \\[${first.incidentId}\\]\\(\\.\\./${first.incidentId}/report\\.md\\): SEV-3 MCP down \\(metrics-1\\) \\(same scenario \\(mcp-server-fails-to-start\\) on mcp-server; same root cause; detected `,
      ),
    );

    // History from Temporal: two results of closed workflows and one status query.
    let history = await gatherIncidentHistory(env.client, {});
    for (let i = 0; i < 50 && history.records.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 200)); // visibility trails by about a second
      history = await gatherIncidentHistory(env.client, {});
    }
    assert.deepEqual(history.skipped, []);
    const byId = new Map(history.records.map((r) => [r.incidentId, r]));
    assert.deepEqual(
      [first, second, thirdStatus].map((s) => byId.get(s.incidentId)?.stage),
      ['closed', 'closed', 'detection'],
    );

    const now = new Date();
    const metrics = computeMetrics(history.records, {}, now);
    const closed = [first, second];
    const all = [first, second, thirdStatus];
    // Hand computation from the recorded times.
    assert.equal(metrics.overall.incidents, 3);
    assert.deepEqual(metrics.overall.mttd, {
      meanMs: mean(all.map((s) => between(s.alertedAt, s.detectedAt))),
      n: 3,
    });
    assert.ok(metrics.overall.mttd.meanMs >= 70_000, 'about 70 s: alerts fired 120, 60 and 30 s before');
    assert.deepEqual(metrics.overall.mtta, {
      meanMs: mean(closed.map((s) => between(s.detectedAt, s.acknowledgedAt))),
      n: 2,
    });
    assert.equal(metrics.overall.mttm.meanMs, mean(closed.map((s) => between(s.detectedAt, s.mitigatedAt))));
    assert.equal(metrics.overall.mttr.meanMs, mean(closed.map((s) => between(s.detectedAt, s.resolvedAt))));
    const splits = closed.map((s) => mitigationBreakdown(s)!);
    for (const [i, split] of splits.entries()) {
      assert.equal(split.waitingForPeopleMs + split.remediationMs + split.otherMs, split.totalMs);
      const proposed = closed[i]!.timeline.find((e) => e.kind === 'proposed')!;
      const rejected = closed[i]!.optionsTried.find((a) => a.outcome === 'rejected')!;
      assert.ok(
        split.waitingForPeopleMs >=
          between(closed[i]!.detectedAt, closed[i]!.acknowledgedAt) + between(proposed.at, rejected.at),
      );
      assert.ok(split.remediationMs > 0, 'the human-run disable-feature counts as remediation');
    }
    assert.equal(metrics.overall.mttm.waitingForPeopleMs, mean(splits.map((s) => s.waitingForPeopleMs)));
    assert.deepEqual(metrics.overall.review, {
      due: 2,
      completedWithinWindow: 2,
      completedLate: 0,
      missing: 0,
      pending: 0,
      percent: 100,
    });

    // The CLI prints the same from its own process.
    const cli = await execa('npx', ['tsx', 'src/cli/main.ts', 'metrics', '--json'], {
      env: { TEMPORAL_ADDRESS: env.address, NO_COLOR: '1' },
    });
    const printed = JSON.parse(cli.stdout) as typeof metrics & {
      targets: { metric: string; current: string }[];
      recurring: { label: string; incidents: { incidentId: string }[] }[];
    };
    assert.equal(printed.overall.incidents, 3);
    assert.equal(printed.overall.mtta.meanMs, metrics.overall.mtta.meanMs);
    assert.equal(printed.targets[0]!.metric, 'Mean Time to Detect (MTTD)');
    assert.deepEqual(
      printed.recurring.map((g) => [g.label, g.incidents.length]),
      [
        ['mcp-server / mcp-server-fails-to-start', 3],
        ['package.json was not updated', 2],
      ],
    );
  });
});
