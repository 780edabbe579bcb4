import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from '../../src/domain/report';
import type { IncidentStatus } from '../../src/contracts/messages';

const resolvedWithoutFix: IncidentStatus = {
  incidentId: 'INCIDENT-20261127-143000-ab12',
  workflowId: 'incident-fp',
  stage: 'review',
  severity: 'SEV-2',
  services: ['mcp-server'],
  scenario: 'mcp-server-fails-to-start',
  summary: 'MCP server down',
  source: 'monitoring-alert',
  labels: [],
  fingerprint: 'fp',
  detectedAt: '2026-11-27T14:30:00.000Z',
  optionsTried: [],
  timeline: [],
  escalations: [],
  deadlines: {},
  alerts: { firing: 1, resolved: 0 },
  resolvedAt: '2026-11-27T16:28:00.000Z',
  resolution: { by: '@oncall', at: '2026-11-27T15:50:00.000Z', whys: ['module X threw'], fix: {} },
};
const render = (status: IncidentStatus) =>
  renderReport({ status, related: [], owner: '@oncall', renderedAt: '2026-11-27T16:30:00Z' });

describe('a report whose incident was resolved without a fix reference', () => {
  it('shows the fix reference as pending and asks for it first, naming the command, before the review', () => {
    const report = render(resolvedWithoutFix);
    assert.match(report, /\*\*Fix:\*\* fix reference: pending/);
    assert.match(
      report,
      /## Action Items\n\n- \[ \] Record the fix reference \(fix reference: pending\): `incident review INCIDENT-20261127-143000-ab12 --fix-commit <sha>`/,
    );
  });

  it('says the review closed without one when it did, and drops the item once a fix is recorded', () => {
    const review = {
      by: '@lead',
      at: '2026-11-28T10:00:00.000Z',
      wentWell: [],
      toImprove: [],
      actionItems: ['x'],
    };
    const closed = render({ ...resolvedWithoutFix, stage: 'closed', review });
    assert.match(
      closed,
      /- \[ \] Record the fix reference \(fix reference: pending: the review closed without one\)/,
    );
    const fixed = render({
      ...resolvedWithoutFix,
      review,
      resolution: { ...resolvedWithoutFix.resolution!, fix: { commit: '3f2a9c1' } },
    });
    assert.match(fixed, /\*\*Fix:\*\* commit `3f2a9c1`/);
    assert.doesNotMatch(fixed, /pending/);
  });
});
