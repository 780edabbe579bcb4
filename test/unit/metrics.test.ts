import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity } from '../../src/contracts/incident';
import {
  computeMetrics,
  computeMetricSet,
  type IncidentRecord,
  mitigationBreakdown,
} from '../../src/domain/metrics';
import { renderMetricsTable, targetRows } from '../../src/domain/metrics-table';
import { findRelated, groupRecurring, normalizeRootCause } from '../../src/domain/recurring';
import type { OptionAttempt, TimelineEntry } from '../../src/contracts/messages';

const MIN = 60_000;
const NOW = new Date('2026-11-27T12:00:00Z');

const t = (day: string, time: string) => `2026-11-${day}T${time}:00.000Z`;
const entry = (at: string, kind: string, message: string): TimelineEntry => ({
  at,
  stage: 'mitigation',
  kind,
  message,
});

function incident(id: string, severity: Severity, fields: Partial<IncidentRecord>): IncidentRecord {
  return {
    incidentId: id,
    workflowId: `incident-${id}`,
    severity,
    services: ['mcp'],
    scenario: 'mcp-server-fails-to-start',
    summary: `summary of ${id}`,
    stage: 'closed',
    detectedAt: fields.detectedAt!,
    optionsTried: [],
    timeline: [],
    ...fields,
  };
}

const approvalRevert = 'revert-last-change (destructive) waits for approval: Revert the last change';
const attempt = (
  option: OptionAttempt['option'],
  outcome: OptionAttempt['outcome'],
  at: string,
): OptionAttempt => ({
  option,
  outcome,
  at,
  by: 'alice',
});

/**
 * A: SEV-1, alert 10:00, detected 10:02, ack 10:05, approval asked 10:07 and given 10:10, the
 * rollback runs 10:10-10:14 (mitigated), resolved 11:02, reviewed the next day (within 48 h).
 */
const A = incident('A', 'SEV-1', {
  alertedAt: t('10', '10:00'),
  detectedAt: t('10', '10:02'),
  acknowledgedAt: t('10', '10:05'),
  timeline: [
    entry(t('10', '10:07'), 'proposed', approvalRevert),
    entry(t('10', '10:10'), 'rollback-started', 'mcpRollback started as rollback-A'),
    entry(t('10', '10:14'), 'rollback-succeeded', 'mcpRollback succeeded'),
    entry(t('10', '10:14'), 'mitigated', 'service restored by revert-last-change'),
  ],
  optionsTried: [
    attempt('revert-last-change', 'approved', t('10', '10:10')),
    attempt('revert-last-change', 'succeeded', t('10', '10:14')),
  ],
  mitigatedAt: t('10', '10:14'),
  resolvedAt: t('10', '11:02'),
  reviewedAt: t('11', '10:00'),
  resolution: {
    by: 'alice',
    at: t('10', '11:02'),
    whys: ['server crashed', 'Package.json was not updated.'],
    fix: {},
  },
});

/**
 * B: SEV-1, alert 12:00, detected 12:06, ack 12:16, approval asked 12:20 and rejected 12:25, a
 * human disables the feature 12:26-12:40 (mitigated), resolved 15:06, reviewed 50 h later (late).
 */
const B = incident('B', 'SEV-1', {
  alertedAt: t('10', '12:00'),
  detectedAt: t('10', '12:06'),
  acknowledgedAt: t('10', '12:16'),
  timeline: [
    entry(t('10', '12:20'), 'proposed', approvalRevert),
    entry(
      t('10', '12:26'),
      'proposed',
      'disable-feature is for a human to carry out: Disable the failing feature',
    ),
    entry(t('10', '12:40'), 'mitigated', 'service restored by disable-feature'),
  ],
  optionsTried: [
    attempt('revert-last-change', 'rejected', t('10', '12:25')),
    attempt('disable-feature', 'succeeded', t('10', '12:40')),
  ],
  mitigatedAt: t('10', '12:40'),
  resolvedAt: t('10', '15:06'),
  review: { by: 'bob', at: t('12', '17:06'), wentWell: [], toImprove: [], actionItems: [] },
});

/** C: SEV-3 opened by hand (no alert time), ack after 30 min, never mitigated, resolved 24 h before now. */
const C = incident('C', 'SEV-3', {
  services: ['widgets'],
  scenario: 'widget-build-fails',
  stage: 'review',
  detectedAt: t('20', '09:00'),
  acknowledgedAt: t('20', '09:30'),
  resolvedAt: t('26', '12:00'),
});

/**
 * D: SEV-2, alert 08:00, detected 08:01, ack 08:21, an auto-approved rollback runs 08:25-08:30 and
 * fails, a workaround is recorded at 08:45 (mitigated), resolved 10:01, never reviewed (missing).
 */
const D = incident('D', 'SEV-2', {
  scenario: 'ci-pipeline-hangs',
  alertedAt: t('05', '08:00'),
  detectedAt: t('05', '08:01'),
  acknowledgedAt: t('05', '08:21'),
  timeline: [
    entry(t('05', '08:25'), 'approved', 'revert-last-change auto-approved by policy for SEV-2'),
    entry(t('05', '08:25'), 'rollback-started', 'widgetRollback started as rollback-D'),
    entry(t('05', '08:30'), 'mitigation-failed', 'widgetRollback failed at step build-widgets'),
    entry(t('05', '08:45'), 'mitigated', 'service restored by workaround'),
  ],
  mitigatedAt: t('05', '08:45'),
  resolvedAt: t('05', '10:01'),
  resolution: {
    by: 'carol',
    at: t('05', '10:01'),
    whys: ['tests hung', 'package json was NOT updated'],
    fix: {},
  },
});

const ALL = [A, B, C, D];

describe('incident metrics from recorded times', () => {
  it('splits time to mitigate into waiting for people, remediation and the rest', () => {
    assert.deepEqual(mitigationBreakdown(A), {
      totalMs: 12 * MIN,
      waitingForPeopleMs: 6 * MIN, // ack 3 + approval 3
      remediationMs: 4 * MIN, // rollback 10:10-10:14
      otherMs: 2 * MIN, // triage 10:05-10:07
    });
    assert.deepEqual(mitigationBreakdown(B), {
      totalMs: 34 * MIN,
      waitingForPeopleMs: 15 * MIN, // ack 10 + approval until rejected 5
      remediationMs: 14 * MIN, // human-run disable-feature 12:26-12:40
      otherMs: 5 * MIN,
    });
    assert.deepEqual(mitigationBreakdown(D), {
      totalMs: 44 * MIN,
      waitingForPeopleMs: 20 * MIN,
      remediationMs: 5 * MIN,
      otherMs: 19 * MIN,
    });
    assert.equal(mitigationBreakdown(C), undefined);
  });

  it('computes MTTD, MTTA, MTTM, MTTR and review completion exactly as hand-computed', () => {
    const set = computeMetricSet(ALL, NOW);
    assert.equal(set.incidents, 4);
    // MTTD over A, B, D (C has no alert time): (2 + 6 + 1) / 3 = 3 min.
    assert.deepEqual(set.mttd, { meanMs: 3 * MIN, n: 3 });
    // MTTA: (3 + 10 + 30 + 20) / 4 = 15.75 min.
    assert.deepEqual(set.mtta, { meanMs: 15.75 * MIN, n: 4 });
    // MTTM: (12 + 34 + 44) / 3 = 30 min; people (6 + 15 + 20) / 3, remediation (4 + 14 + 5) / 3, rest (2 + 5 + 19) / 3.
    assert.deepEqual(set.mttm, {
      meanMs: 30 * MIN,
      n: 3,
      waitingForPeopleMs: (41 * MIN) / 3,
      remediationMs: (23 * MIN) / 3,
      otherMs: (26 * MIN) / 3,
    });
    // MTTR: (60 + 180 + 8820 + 120) / 4 = 2295 min (C took 6 days 3 hours).
    assert.deepEqual(set.mttr, { meanMs: 2295 * MIN, n: 4 });
    // Review: A within 48 h, B after 50 h (late), D never (missing), C resolved 24 h ago (pending).
    assert.deepEqual(set.review, {
      due: 3,
      completedWithinWindow: 1,
      completedLate: 1,
      missing: 1,
      pending: 1,
      percent: 100 / 3,
    });
  });

  it('filters by detection period and severity, and groups per severity', () => {
    const period = computeMetrics(
      ALL,
      { since: new Date(t('08', '00:00')), until: new Date(t('15', '00:00')) },
      NOW,
    );
    assert.equal(period.overall.incidents, 2);
    assert.deepEqual(Object.keys(period.bySeverity), ['SEV-1']);
    // SEV-1 MTTM (12 + 34) / 2 = 23 min, over the guide's 15-minute target.
    assert.deepEqual(period.bySeverity['SEV-1']!.mttm.meanMs, 23 * MIN);
    const all = computeMetrics(ALL, {}, NOW);
    assert.deepEqual(Object.keys(all.bySeverity), ['SEV-1', 'SEV-2', 'SEV-3']);
    assert.deepEqual(all.bySeverity['SEV-2']!.mtta, { meanMs: 20 * MIN, n: 1 });
    const sev3 = computeMetrics(ALL, { severity: 'SEV-3' }, NOW);
    assert.equal(sev3.overall.incidents, 1);
    assert.deepEqual(sev3.overall.mttd, { meanMs: null, n: 0 });
  });

  it("renders the guide's table with targets and current values", () => {
    const report = computeMetrics(ALL, {}, NOW);
    const rows = targetRows(report);
    const row = (name: string) => rows.find((r) => r.metric.startsWith(name))!;
    assert.deepEqual(row('Mean Time to Detect'), {
      metric: 'Mean Time to Detect (MTTD)',
      target: '<5 min',
      current: '3 min (n=3)',
      met: true,
    });
    assert.equal(row('Mean Time to Mitigate').current, 'SEV-1: 23 min (n=2); all: 30 min (n=3)');
    assert.equal(row('Mean Time to Mitigate').met, false);
    assert.equal(row('Mean Time to Resolve').current, '1 d 14 h 15 min (n=4)');
    assert.equal(
      row('Post-incident review completion').current,
      '33.3% (1 of 3 due; 1 late, 1 missing, 1 pending)',
    );
    assert.equal(row('Post-incident review completion').met, false);
    const table = renderMetricsTable(report);
    assert.match(table, /\| Metric \| Target \| Current \|/);
    assert.match(table, /\| Mean Time to Detect \(MTTD\) \| <5 min \| 3 min \(n=3\) \(met\) \|/);
    assert.match(table, /\| Post-incident review completion \| 100% within 48h \| 33\.3% .* \(missed\) \|/);
    assert.match(table, /\| SEV-1 \| 2 \| 4 min \(n=2\) \|/);
  });
});

describe('recurring incidents', () => {
  it('normalises root causes so small wording differences match', () => {
    assert.equal(normalizeRootCause('Package.json was not updated.'), 'package json was not updated');
    assert.equal(normalizeRootCause('  '), undefined);
  });

  it('groups by service and scenario and by root cause, repeats first', () => {
    const groups = groupRecurring(ALL);
    const repeated = groups.filter((g) => g.repeated);
    assert.deepEqual(
      repeated.map((g) => [g.kind, g.label, g.incidents.map((i) => i.incidentId)]),
      [
        ['service-scenario', 'mcp / mcp-server-fails-to-start', ['A', 'B']],
        ['root-cause', 'package json was NOT updated', ['D', 'A']],
      ],
    );
    assert.equal(groups.filter((g) => !g.repeated).length, 2);
  });

  it('finds the same scenario on a shared service and the same root cause as related, newest first', () => {
    const related = findRelated(
      {
        workflowId: 'incident-new',
        scenario: 'mcp-server-fails-to-start',
        services: ['mcp', 'api'],
        rootCause: 'package.json was not updated',
      },
      ALL,
    );
    assert.deepEqual(
      related.map((m) => [m.record.incidentId, m.reasons]),
      [
        ['B', ['same scenario (mcp-server-fails-to-start) on mcp']],
        ['A', ['same scenario (mcp-server-fails-to-start) on mcp', 'same root cause']],
        ['D', ['same root cause']],
      ],
    );
    assert.deepEqual(
      findRelated({ workflowId: A.workflowId, scenario: 'unknown', services: ['mcp'] }, ALL),
      [],
    );
  });
});
