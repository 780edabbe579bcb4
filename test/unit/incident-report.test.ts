import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incidentDurationMs, renderReport } from '../../src/domain/report';
import type { IncidentStatus } from '../../src/contracts/messages';

const status: IncidentStatus = {
  incidentId: 'INCIDENT-20261127-143000-ab12',
  workflowId: 'incident-fp',
  stage: 'closed',
  severity: 'SEV-1',
  services: ['mcp-server', 'widgets'],
  scenario: 'mcp-server-fails-to-start',
  summary: 'MCP server down, all widgets failing',
  source: 'monitoring-alert',
  labels: [],
  fingerprint: 'fp',
  detectedAt: '2026-11-27T14:30:00.000Z',
  alertedAt: '2026-11-27T14:28:00.000Z',
  acknowledgedBy: '@oncall',
  optionsTried: [{ option: 'revert-last-change', outcome: 'succeeded', at: '2026-11-27T14:40:00.000Z' }],
  timeline: [
    { at: '2026-11-27T14:30:00.000Z', stage: 'detection', kind: 'detected', message: 'Alert triggered' },
    {
      at: '2026-11-27T14:35:00.000Z',
      stage: 'detection',
      kind: 'acknowledged',
      message: 'acknowledged | by @oncall',
    },
  ],
  escalations: [],
  deadlines: {},
  alerts: { firing: 3, resolved: 1 },
  mitigatedAt: '2026-11-27T14:40:00.000Z',
  resolvedAt: '2026-11-27T16:28:00.000Z',
  resolution: {
    by: '@oncall',
    at: '2026-11-27T15:50:00.000Z',
    whys: ['module X threw', 'dependency Y missing'],
    fix: { commit: 'abc1234' },
  },
  errorBudget: { sloPercent: 99.5, windowMs: 30 * 86_400_000, downtimeMs: 720_000, consumedPercent: 5.56 },
};

describe('post-incident report', () => {
  it('measures the duration from the first alert to resolution', () => {
    assert.equal(incidentDurationMs(status, '2026-11-28T00:00:00Z'), 2 * 3_600_000);
  });

  it('fills the guide template from the record, escaping table cells, with runbook action items before review', () => {
    const report = renderReport({
      status,
      related: [],
      owner: '@oncall',
      renderedAt: '2026-11-27T16:30:00Z',
    });
    assert.ok(
      report.startsWith('# Incident Report: INCIDENT-20261127-143000-ab12\n\n**Date:** 2026-11-27\n'),
    );
    assert.match(report, /\*\*Severity:\*\* SEV-1\n\*\*Duration:\*\* 2\.00 hours\n\*\*Owner:\*\* @oncall\n/);
    assert.match(
      report,
      /Source: monitoring-alert\. Time to detect: 2 min\. Mitigation options: revert-last-change succeeded\./,
    );
    assert.match(report, /- \*\*Services affected:\*\* mcp-server, widgets\n/);
    assert.match(
      report,
      /- \*\*Error budget consumed:\*\* 5\.56% \(of a 99\.5% SLO over 30 d; downtime 12 min\)/,
    );
    assert.match(report, /## Root Cause\n\ndependency Y missing\n/);
    assert.match(report, /\*\*Fix:\*\* commit `abc1234`/);
    assert.match(report, /\| 2026-11-27 14:35 \| detection: acknowledged \\\| by @oncall \|/);
    assert.match(report, /## What Went Well\n\n- \[ \] To be filled in at the review\n/);
    assert.match(report, /## Action Items\n\n- \[ \] Add contract tests to CI \(suggested by the runbook\)/);
    assert.match(
      report,
      /## Related Incidents\n\n- None found\n\n## Appendix: Decisions\n\nNo decisions recorded\.\n$/,
    );
  });

  it('lists related incidents with links', () => {
    const report = renderReport({
      status,
      related: [
        {
          incidentId: 'INCIDENT-20261120-101500-zz99',
          summary: 'same scenario',
          link: '../INCIDENT-20261120-101500-zz99/report.md',
        },
      ],
      owner: '@oncall',
      renderedAt: '2026-11-27T16:30:00Z',
    });
    assert.match(
      report,
      /- \[INCIDENT-20261120-101500-zz99\]\(\.\.\/INCIDENT-20261120-101500-zz99\/report\.md\): same scenario/,
    );
  });

  it('explains each failed engine action: step, command, exit code, last lines and log', () => {
    const failed: IncidentStatus = {
      ...status,
      optionsTried: [
        {
          option: 'deploy-known-good',
          outcome: 'failed',
          at: '2026-11-27T14:38:00.000Z',
          failure: {
            step: 'build',
            type: 'CommandFailed',
            command: 'pnpm build',
            exitCode: 2,
            lines: ['src/index.ts(3,1): error TS2304: ```x``` not found'],
            logPath: '/var/incidents/INC/logs/build.log',
          },
        },
        ...status.optionsTried,
      ],
    };
    const report = renderReport({
      status: failed,
      related: [],
      owner: '@oncall',
      renderedAt: status.resolvedAt!,
    });
    assert.match(
      report,
      /## Failed Steps\n\n### deploy-known-good: step build \(2026-11-27 14:38 UTC\)\n\n`pnpm build` exit 2 \(CommandFailed\)\n\n```\nsrc\/index\.ts\(3,1\): error TS2304: '''x''' not found\n```\n\nLog: `\/var\/incidents\/INC\/logs\/build\.log`/,
    );
    assert.doesNotMatch(
      renderReport({ status, related: [], owner: '@oncall', renderedAt: status.resolvedAt! }),
      /Failed Steps/,
    );
  });
});
