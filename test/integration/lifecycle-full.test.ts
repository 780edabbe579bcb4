import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { workflowBundle } from '../../src/worker/workflow-bundle';
import {
  acknowledgeUpdate,
  alertSignal,
  type IncidentStatus,
  recordMitigationUpdate,
  rejectUpdate,
  resolveUpdate,
  reviewUpdate,
  workaroundUpdate,
} from '../../src/contracts/messages';
import {
  incidentInput,
  kinds,
  lifecycleDeps,
  startHealthEndpoint,
  waitForApprovalAttribute,
  waitForStatus,
} from '../helpers/lifecycle';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';

/** The section of a markdown report between `## title` and the next `## `. */
function section(report: string, title: string): string {
  const start = report.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `report has a "## ${title}" section`);
  const rest = report.slice(start + title.length + 5);
  const end = rest.indexOf('\n## ');
  return end < 0 ? rest : rest.slice(0, end);
}

describe('incident lifecycle from detection to closed on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let health: Awaited<ReturnType<typeof startHealthEndpoint>>;
  before(async () => {
    env = await startDevServerEnv();
    dir = await tempDir();
    health = await startHealthEndpoint();
  });
  after(async () => {
    await health?.close();
    await env?.teardown();
    await dir?.cleanup();
  });

  it('runs detection, triage, mitigation, resolution and review and writes the report section by section', async () => {
    const lines: string[] = [];
    const taskQueue = uniqueTaskQueue('full');
    const deps = lifecycleDeps(
      dir.path,
      lines,
      {
        approvers: { 'SEV-2': { '*': ['@lead'], 'revert-last-change': ['@sre'] } },
        healthCheck: { url: health.url, interval: '200ms', duration: '1s' },
        review: { deadline: '1 hour', remindersBefore: ['30 minutes'] },
      },
      { client: env.client },
    );
    const { stop } = await runWorker(env, deps, taskQueue);
    try {
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('full-1'),
        args: [
          {
            incident: incidentInput({
              severity: 'SEV-2',
              fingerprint: 'full-1',
              summary: 'MCP server fails to start: contract tests fail',
              details: { usersAffected: 'about 40 widget users' },
              alertedAt: new Date(Date.now() - 2 * 60_000).toISOString(),
            }),
          },
        ],
      });
      // The note is written first, then the open-SEV-2 count runs: wait for the count's answer.
      let status = await waitForStatus(
        handle,
        (s) => s.notePath !== undefined && kinds(s, 'check').length > 0,
      );
      assert.match(status.incidentId, /^INCIDENT-\d{8}-\d{6}-[0-9a-z]{4}$/);
      assert.equal(status.stage, 'detection');
      assert.ok(
        kinds(status, 'check').some((e) => e.message === 'no other open SEV-2 incident'),
        'the open SEV-2 count was asked through visibility',
      );
      assert.deepEqual(status.escalations, []);
      const note = await readFile(join(dir.path, 'incidents', status.incidentId, 'incident.txt'), 'utf8');
      assert.match(note, new RegExp(`^${status.incidentId}\nSeverity: SEV-2\nDetected: `));

      await handle.signal(alertSignal, {
        fingerprint: 'full-1',
        status: 'firing',
        receivedAt: new Date().toISOString(),
        summary: 'still failing',
        source: 'monitoring-alert',
      });
      const ack = await handle.executeUpdate(acknowledgeUpdate, { args: [{ by: '@oncall' }] });
      assert.equal(ack.accepted, true);

      status = await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change');
      assert.equal(status.stage, 'mitigation');
      assert.equal(status.pendingApproval?.risk, 'destructive');
      // The approval gauges read this from Visibility (src/worker/open-incidents-gauge.ts).
      await waitForApprovalAttribute(handle, status.pendingApproval.since);
      assert.match(
        kinds(status, 'triage-regression')[0]!.message,
        /unknown: repository snapshot unavailable/,
      );
      assert.match(
        kinds(status, 'triage-impact')[0]!.message,
        /SEV-2; services affected: mcp-server; 2 firing/,
      );
      assert.match(
        kinds(status, 'triage-trend')[0]!.message,
        /getting worse: 2 firing alert\(s\) in the last 15 min, 0/,
      );
      assert.deepEqual(
        status.triage?.diagnostics.map((d) => [d.diagnostic, d.ok]),
        [
          ['recent-commits-mcp', 'unavailable'],
          ['contract-test', 'unavailable'],
          ['dependency-listing', 'unavailable'],
        ],
      );

      await handle.executeUpdate(rejectUpdate, {
        args: [{ option: 'revert-last-change', approver: '@sre', reason: 'change is unrelated' }],
      });
      status = await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature');
      await waitForApprovalAttribute(handle, undefined);
      await handle.executeUpdate(recordMitigationUpdate, {
        args: [{ option: 'disable-feature', by: '@oncall', outcome: 'failed', detail: 'no flag covers it' }],
      });
      status = await waitForStatus(handle, (s) => s.pendingApproval?.option === 'deploy-known-good');
      await waitForApprovalAttribute(handle, status.pendingApproval!.since);
      await handle.executeUpdate(rejectUpdate, {
        args: [{ option: 'deploy-known-good', approver: '@lead' }],
      });
      status = await waitForStatus(handle, (s) => s.pendingAction?.option === 'workaround');
      await handle.executeUpdate(workaroundUpdate, {
        args: [{ by: '@oncall', description: 'routed traffic to the previous MCP instance' }],
      });
      status = await waitForStatus(handle, (s) => s.stage === 'resolution');
      assert.deepEqual(
        status.optionsTried.map((a) => [a.option, a.outcome]),
        [
          ['revert-last-change', 'rejected'],
          ['disable-feature', 'failed'],
          ['deploy-known-good', 'rejected'],
          ['workaround', 'succeeded'],
        ],
      );
      assert.ok(status.mitigatedAt);

      const resolved = await handle.executeUpdate(resolveUpdate, {
        args: [
          {
            by: '@oncall',
            whys: [
              'module X threw an error',
              'dependency Y was missing',
              'package.json was not updated',
              'the new dependency was not documented',
            ],
            fix: { branch: 'fix/incident-mcp', commit: 'abc1234', tag: 'v1.2.4' },
          },
        ],
      });
      assert.equal(resolved.accepted, true);
      status = await waitForStatus(handle, (s) => s.stage === 'review' && s.deadlines.review !== undefined);
      assert.equal(status.verification?.verified, true);
      assert.equal(status.verification?.probes, 5);
      assert.equal(status.verification?.failures, 0);
      assert.ok(health.hits() >= 5);
      assert.equal(status.errorBudget?.sloPercent, 99.5);
      assert.ok((status.errorBudget?.consumedPercent ?? -1) >= 0);
      // The figures themselves, worked out here from the recorded times and the default SLO
      // (99.5 % over 30 days allows 0.5 % x 30 d = 3.6 h = 12,960,000 ms of downtime).
      const downtimeMs =
        Date.parse(status.mitigatedAt!) -
        Math.min(Date.parse(status.detectedAt), Date.parse(status.alertedAt ?? status.detectedAt)) +
        status.verification.failures * 200;
      const allowedMs = 12_960_000;
      assert.ok(downtimeMs > 0, 'some downtime was recorded');
      assert.deepEqual(status.errorBudget, {
        sloPercent: 99.5,
        windowMs: 30 * 86_400_000,
        downtimeMs,
        consumedPercent: Math.round((downtimeMs / allowedMs) * 100 * 100) / 100,
      });
      assert.equal(status.deadlines.review !== undefined, true);

      const reviewed = await handle.executeUpdate(reviewUpdate, {
        args: [
          {
            by: '@lead',
            wentWell: ['Quick detection'],
            toImprove: ['Better runbook coverage'],
            actionItems: ['Add regression test for dependency Y'],
          },
        ],
      });
      assert.equal(reviewed.accepted, true);
      const final = (await handle.result()) as IncidentStatus;
      await recordHistory(handle, 'incident-happy-path');
      await recordHistory(handle, 'incident-approval-attribute');
      assert.equal(final.stage, 'closed');
      assert.ok(final.closedAt);
      assert.equal(final.reportPath, join(dir.path, 'incidents', final.incidentId, 'report.md'));

      const report = await readFile(final.reportPath, 'utf8');
      assert.ok(report.startsWith(`# Incident Report: ${final.incidentId}\n`));
      assert.match(report, new RegExp(`\\*\\*Date:\\*\\* ${final.detectedAt.slice(0, 10)}\n`));
      assert.match(report, /\*\*Severity:\*\* SEV-2\n/);
      assert.match(report, /\*\*Duration:\*\* \d+\.\d{2} hours\n/);
      assert.match(report, /\*\*Owner:\*\* @oncall\n/);
      assert.match(section(report, 'Summary'), /MCP server fails to start: contract tests fail/);
      assert.match(section(report, 'Summary'), /workaround succeeded/);
      assert.match(section(report, 'Summary'), /Source: monitoring-alert\. Time to detect: 2 min\./);
      const impact = section(report, 'Impact');
      assert.match(impact, /\*\*Users affected:\*\* about 40 widget users/);
      assert.match(impact, /\*\*Services affected:\*\* mcp-server/);
      assert.match(impact, /\*\*Error budget consumed:\*\* \d+(\.\d+)?% \(of a 99\.5% SLO over 30 d/);
      const rootCause = section(report, 'Root Cause');
      assert.match(rootCause, /^\s*the new dependency was not documented/);
      assert.match(rootCause, /→ dependency Y was missing/);
      assert.match(rootCause, /branch `fix\/incident-mcp`, commit `abc1234`, tag `v1.2.4`/);
      const timeline = section(report, 'Timeline of Events');
      assert.match(timeline, /\| Time \(UTC\) \| Event \|/);
      for (const event of [
        'detection: SEV-2 from monitoring-alert: MCP server fails to start: contract tests fail (time to detect 2 min)',
        'detection: acknowledged by @oncall',
        'mitigation: revert-last-change rejected by @sre',
        'mitigation: workaround by @oncall: routed traffic',
        'resolution: recovery verified',
        'review: post-incident review recorded by @lead',
      ]) {
        assert.ok(timeline.includes(event), `timeline mentions "${event}"`);
      }
      const rows = timeline.split('\n').filter((l) => /^\| \d{4}-\d{2}-\d{2} \d{2}:\d{2} \|/.test(l));
      assert.equal(rows.length, final.timeline.length);
      assert.equal(section(report, 'What Went Well').trim(), '- [x] Quick detection');
      assert.equal(section(report, 'What Could Be Improved').trim(), '- [x] Better runbook coverage');
      assert.equal(section(report, 'Action Items').trim(), '- [ ] Add regression test for dependency Y');
      assert.equal(section(report, 'Related Incidents').trim(), '- None found');

      // The whole run replays deterministically against today's workflow code.
      const { code } = await workflowBundle();
      await Worker.runReplayHistory(
        { workflowBundle: { code } },
        await handle.fetchHistory(),
        handle.workflowId,
      );
    } finally {
      await stop();
    }
  });
});
