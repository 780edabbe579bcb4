import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEngineConfig } from '../../src/config/engine-config';
import { defaultPolicy } from '../../src/contracts/policy';
import { allowedApprovers, isAuthorizedApprover, isAutoApproved } from '../../src/domain/approval';
import { formatDuration, parseDuration } from '../../src/contracts/duration';
import { errorBudgetConsumed } from '../../src/domain/error-budget';
import { alertTrend } from '../../src/domain/alert-trend';
import { incidentIdFor, shortHash } from '../../src/domain/incident-id';

describe('lifecycle policy', () => {
  it('defaults to the guide: 15 min / 1 h / 4 h / next business day, 99.5 % SLO, 48 h review, 15 min updates', () => {
    const policy = defaultPolicy();
    assert.deepEqual(policy.ackDeadlines, {
      'SEV-1': 900_000,
      'SEV-2': 3_600_000,
      'SEV-3': 14_400_000,
      'SEV-4': 'next-business-day',
    });
    assert.equal(policy.slo.availabilityPercent, 99.5);
    assert.equal(policy.review.deadline, 48 * 3_600_000);
    assert.equal(policy.statusUpdates.interval, 900_000);
    assert.deepEqual(policy.statusUpdates.severities, ['SEV-1', 'SEV-2']);
    assert.equal(policy.healthCheck.interval, 60_000);
    assert.equal(policy.healthCheck.duration, 1_800_000);
    assert.deepEqual(policy.autoApprove, {}, 'auto-approval is off by default');
    assert.equal(policy.escalationContact, '@jscraik');
  });

  it('names each bad field in the config error', () => {
    assert.throws(
      () =>
        parseEngineConfig({
          policy: {
            ackDeadlines: { 'SEV-2': 'soon' },
            businessHours: { timeZone: 'Mars/Olympus', start: '18:00', end: '09:00' },
            approvers: { 'SEV-1': { 'reboot-everything': ['@x'] } },
            slo: { availabilityPercent: 120 },
          },
        }),
      (error: Error) => {
        assert.match(
          error.message,
          /policy\.ackDeadlines\.SEV-2: must be a duration such as "15 minutes" or "next-business-day", got "soon"/,
        );
        assert.match(error.message, /policy\.businessHours\.timeZone: must be an IANA time zone/);
        assert.match(error.message, /policy\.approvers\.SEV-1: Unrecognized key: "reboot-everything"/);
        assert.match(error.message, /policy\.slo\.availabilityPercent/);
        return true;
      },
    );
  });

  it('parses durations written as text or milliseconds', () => {
    assert.equal(parseDuration('15 minutes'), 900_000);
    assert.equal(parseDuration('2s'), 2_000);
    assert.equal(parseDuration('1.5 hours'), 5_400_000);
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('later'), undefined);
    assert.equal(formatDuration(90 * 60_000), '1 h 30 min');
  });
});

describe('approval authorisation', () => {
  const table = defaultPolicy().approvers;
  table['SEV-1'] = { '*': ['@lead'], 'revert-last-change': ['@sre', '@lead'] };

  it('uses the option list when there is one, otherwise the severity-wide list', () => {
    assert.deepEqual(allowedApprovers(table, 'SEV-1', 'revert-last-change'), ['@sre', '@lead']);
    assert.ok(isAuthorizedApprover(table, 'SEV-1', 'revert-last-change', '@sre'));
    assert.ok(!isAuthorizedApprover(table, 'SEV-1', 'deploy-known-good', '@sre'));
    assert.ok(isAuthorizedApprover(table, 'SEV-1', 'deploy-known-good', '@lead'));
    assert.ok(isAuthorizedApprover(table, 'SEV-3', 'deploy-known-good', '@jscraik'));
    assert.ok(!isAuthorizedApprover(table, 'SEV-3', 'deploy-known-good', '@lead'));
  });

  it('auto-approves only listed options of the listed severity', () => {
    const auto = { 'SEV-3': ['update-visual-baselines' as const] };
    assert.ok(isAutoApproved(auto, 'SEV-3', 'update-visual-baselines'));
    assert.ok(!isAutoApproved(auto, 'SEV-2', 'update-visual-baselines'));
    assert.ok(!isAutoApproved(auto, 'SEV-3', 'revert-last-change'));
    assert.ok(!isAutoApproved({}, 'SEV-4', 'revert-last-change'));
  });
});

describe('error budget', () => {
  it('charges 1 hour of downtime as 27.78 % of a 99.5 % 30-day budget (3.6 h)', () => {
    const result = errorBudgetConsumed({
      availability: 0.995,
      windowMs: 30 * 86_400_000,
      downtimeMs: 3_600_000,
    });
    assert.equal(result.budgetMs, 3.6 * 3_600_000);
    assert.equal(result.consumedPercent, 27.78);
  });

  it('can exceed 100 % and never goes negative', () => {
    assert.equal(
      errorBudgetConsumed({ availability: 0.999, windowMs: 1_000_000, downtimeMs: 2_000 }).consumedPercent,
      200,
    );
    assert.equal(
      errorBudgetConsumed({ availability: 0.995, windowMs: 1_000_000, downtimeMs: -5 }).consumedPercent,
      0,
    );
  });
});

describe('alert trend', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  const at = (minutesAgo: number) => ({
    at: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    status: 'firing' as const,
  });

  it('calls more firing alerts in the last window than the one before "getting worse"', () => {
    const trend = alertTrend([at(1), at(2), at(5), at(20)], now, 15 * 60_000);
    assert.deepEqual([trend.verdict, trend.recent, trend.previous], ['getting worse', 3, 1]);
  });

  it('calls fewer "improving" and ignores resolved alerts and alerts older than two windows', () => {
    const trend = alertTrend(
      [at(2), at(16), at(17), at(40), { at: at(1).at, status: 'resolved' }],
      now,
      15 * 60_000,
    );
    assert.deepEqual([trend.verdict, trend.recent, trend.previous], ['improving', 1, 2]);
  });
});

describe('incident ID', () => {
  it('is the guide format from workflow time plus a stable suffix from the workflow ID', () => {
    const at = new Date('2026-11-27T16:30:05.123Z');
    assert.equal(incidentIdFor(at, 'incident-a'), `INCIDENT-20261127-163005-${shortHash('incident-a')}`);
    assert.match(incidentIdFor(at, 'incident-a'), /^INCIDENT-20261127-163005-[0-9a-z]{4}$/);
    assert.equal(incidentIdFor(at, 'incident-a'), incidentIdFor(at, 'incident-a'));
    assert.notEqual(incidentIdFor(at, 'incident-a'), incidentIdFor(at, 'incident-b'));
  });
});
