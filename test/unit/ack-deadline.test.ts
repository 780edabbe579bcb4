import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicy } from '../../src/contracts/policy';
import { ackDeadline } from '../../src/domain/ack-deadline';
import { type BusinessHours, nextBusinessDayDeadline } from '../../src/domain/business-hours';

const weekdays = (timeZone: string, holidays: string[] = []): BusinessHours => ({
  timeZone,
  start: '09:00',
  end: '17:00',
  days: [1, 2, 3, 4, 5],
  holidays,
});

describe('acknowledgement deadlines', () => {
  const policy = defaultPolicy();
  const at = new Date('2026-11-25T10:00:00Z'); // a Wednesday

  it('gives SEV-1 15 minutes, SEV-2 1 hour and SEV-3 4 hours from detection', () => {
    const due = (severity: 'SEV-1' | 'SEV-2' | 'SEV-3') =>
      ackDeadline(severity, at, policy.ackDeadlines, policy.businessHours).toISOString();
    assert.equal(due('SEV-1'), '2026-11-25T10:15:00.000Z');
    assert.equal(due('SEV-2'), '2026-11-25T11:00:00.000Z');
    assert.equal(due('SEV-3'), '2026-11-25T14:00:00.000Z');
  });

  it('gives SEV-4 raised on Wednesday until Thursday close of business', () => {
    assert.equal(
      ackDeadline('SEV-4', at, policy.ackDeadlines, policy.businessHours).toISOString(),
      '2026-11-26T17:00:00.000Z',
    );
  });

  it('gives SEV-4 raised on Friday evening in New York until Monday 17:00 New York time', () => {
    // Friday 2026-11-27 19:30 EST = Saturday 00:30 UTC.
    const friday = new Date('2026-11-28T00:30:00Z');
    assert.equal(
      nextBusinessDayDeadline(friday, weekdays('America/New_York')).toISOString(),
      '2026-11-30T22:00:00.000Z',
    );
  });

  it('skips Saturday, Sunday and configured holidays', () => {
    const saturday = new Date('2026-12-26T12:00:00Z');
    assert.equal(
      nextBusinessDayDeadline(saturday, weekdays('Europe/London', ['2026-12-28'])).toISOString(),
      '2026-12-29T17:00:00.000Z',
    );
  });

  it('follows daylight saving time: the close of business moves in UTC', () => {
    // Friday 2026-03-27 evening in London; Monday 30 March is in BST (UTC+1).
    const friday = new Date('2026-03-27T19:00:00Z');
    assert.equal(
      nextBusinessDayDeadline(friday, weekdays('Europe/London')).toISOString(),
      '2026-03-30T16:00:00.000Z',
    );
  });
});
