import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drillScheduleSpec, QUARTERLY_SPEC } from '../../src/use-cases/drill-schedule';
import { InvalidRequestError } from '../../src/use-cases/errors';
import { drillSummaryLine, renderDrillReport } from '../../src/domain/drill-report';
import type { RollbackDrillResult } from '../../src/contracts/drill';
import { drillIdOf } from '../../src/workflows/drill';

const result: RollbackDrillResult = {
  drillId: 'DRILL-20270101-090000-0123abcd',
  ok: false,
  startedAt: '2027-01-01T09:00:00.000Z',
  endedAt: '2027-01-01T09:02:30.000Z',
  sourceRepoPath: '/srv/service',
  notified: false,
  procedures: [
    {
      procedure: 'widget',
      ok: true,
      startedAt: '2027-01-01T09:00:00.000Z',
      endedAt: '2027-01-01T09:01:00.000Z',
      rollbackWorkflowId: 'rollback-widget-DRILL-20270101-090000-0123abcd',
      clonePath: '/tmp/incident-drills/DRILL-20270101-090000-0123abcd/widget',
      knownGood: { tag: 'v1.2.3', sha: 'a'.repeat(40) },
      badCommit: 'b'.repeat(40),
      mode: 'revert',
      rollback: {
        ok: true,
        procedure: 'widget',
        steps: [
          {
            step: 'revert-commit',
            status: 'succeeded',
            startedAt: '2027-01-01T09:00:01.000Z',
            endedAt: '2027-01-01T09:00:03.000Z',
            detail: 'reverted bbbbbbb | cleanly',
          },
        ],
      },
      checks: [{ check: 'known-good-tree', ok: true, detail: "HEAD's tree equals v1.2.3" }],
    },
    {
      procedure: 'mcp',
      ok: false,
      startedAt: '2027-01-01T09:01:00.000Z',
      endedAt: '2027-01-01T09:02:30.000Z',
      rollbackWorkflowId: 'rollback-mcp-DRILL-20270101-090000-0123abcd',
      mode: 'checkout',
      rollback: { ok: false, procedure: 'mcp', steps: [], failedStep: 'start-server', error: 'PortInUse' },
      checks: [{ check: 'rollback-succeeded', ok: false, detail: 'failed at start-server: PortInUse' }],
    },
  ],
};

describe('rollback drill report and schedule', () => {
  it('summarises a failed drill in one line naming the failed step', () => {
    assert.equal(
      drillSummaryLine(result),
      'Rollback drill DRILL-20270101-090000-0123abcd FAILED: widget ok, mcp FAILED at start-server',
    );
  });

  it('renders the report with a row per procedure, its steps and its checks', () => {
    const report = renderDrillReport(result);
    assert.ok(report.startsWith('# Rollback Drill: DRILL-20270101-090000-0123abcd\n'));
    assert.match(report, /\*\*Result:\*\* FAILED\n\*\*Duration:\*\* 2 min\n/);
    assert.match(report, /\| widget \| passed \| revert \| v1\.2\.3 \(aaaaaaaaaaaa\) \| 1 min \|/);
    assert.match(report, /\| revert-commit \| succeeded \| 2 s \| reverted bbbbbbb \\\| cleanly \|/);
    assert.match(report, /- \[x\] known-good-tree: HEAD's tree equals v1\.2\.3/);
    assert.match(report, /- Failed step: start-server: PortInUse/);
    assert.match(report, /- \[ \] rollback-succeeded: failed at start-server/);
  });

  it('names drills from workflow time and the random tail of the run ID', () => {
    assert.equal(
      drillIdOf(new Date('2027-04-01T09:00:05.123Z'), '0193abcd-1234-7000-8000-00000000beef'),
      'DRILL-20270401-090005-0000beef',
    );
    // Two UUIDv7 run IDs of the same millisecond differ only in their random tail.
    const at = new Date('2027-04-01T09:00:05.123Z');
    assert.notEqual(
      drillIdOf(at, '0193abcd-1234-7000-8000-0000000000a1'),
      drillIdOf(at, '0193abcd-1234-7000-8000-0000000000b2'),
    );
    // Histories from before the patch keep the run ID's first 8 digits.
    assert.equal(
      drillIdOf(at, '0193abcd-1234-7000-8000-00000000beef', false),
      'DRILL-20270401-090005-0193abcd',
    );
  });

  it('defaults to the first day of each quarter and accepts a 5-field cron instead', () => {
    assert.deepEqual(drillScheduleSpec(), QUARTERLY_SPEC);
    assert.deepEqual(QUARTERLY_SPEC.calendars?.[0]?.month, ['JANUARY', 'APRIL', 'JULY', 'OCTOBER']);
    assert.deepEqual(drillScheduleSpec('0 9 1 */3 *', 'Europe/London'), {
      cronExpressions: ['0 9 1 */3 *'],
      timezone: 'Europe/London',
    });
    assert.throws(() => drillScheduleSpec('every quarter'), InvalidRequestError);
  });
});
