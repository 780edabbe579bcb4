import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from '../../src/domain/report';
import type { IncidentStatus } from '../../src/contracts/messages';

const status: IncidentStatus = {
  incidentId: 'INCIDENT-20261130-010000',
  workflowId: 'incident-fp',
  stage: 'review',
  severity: 'SEV-2',
  services: ['mcp-server'],
  scenario: 'unknown',
  summary: 'MCP server answers without HTML',
  source: 'monitoring-alert',
  labels: [],
  fingerprint: 'fp',
  detectedAt: '2026-11-30T01:00:00.000Z',
  optionsTried: [{ option: 'deploy-known-good', outcome: 'succeeded', at: '2026-11-30T01:10:00.000Z' }],
  timeline: [],
  escalations: [],
  deadlines: {},
  alerts: { firing: 1, resolved: 0 },
  detachedHead: { at: 'v1.0.0', branch: 'main', option: 'deploy-known-good' },
};

describe('report after deploy-known-good', () => {
  it('lists restoring the broken branch as an action item', () => {
    const report = renderReport({
      status,
      related: [],
      owner: '@oncall',
      renderedAt: '2026-11-30T02:00:00.000Z',
    });
    const items = report.slice(report.indexOf('## Action Items'), report.indexOf('## Related Incidents'));
    assert.match(
      items,
      /- \[ \] Restore branch `main`: deploy-known-good left HEAD detached at `v1\.0\.0` while branch `main` still points at the broken commit/,
    );
    assert.match(items, /\(suggested by the runbook\)/, 'the runbook items are still there');
  });

  it('adds nothing when HEAD was not left detached', () => {
    const rest: IncidentStatus = { ...status, detachedHead: undefined };
    const report = renderReport({
      status: rest,
      related: [],
      owner: '@oncall',
      renderedAt: '2026-11-30T02:00:00.000Z',
    });
    assert.doesNotMatch(report, /Restore branch/);
    assert.match(report, /## Action Items\n\n- \[ \]/);
  });
});
