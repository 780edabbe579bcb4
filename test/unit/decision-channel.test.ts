import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DECISION_SCHEMAS } from '../../src/contracts/decisions';

describe('decision channel (via)', () => {
  it('accepts cli, api and slack on ack, approve and reject, and leaves it absent when not given', () => {
    for (const via of ['cli', 'api', 'slack'] as const) {
      assert.equal(DECISION_SCHEMAS.ack.parse({ by: '@alice', via }).via, via);
      assert.equal(
        DECISION_SCHEMAS.approve.parse({ option: 'revert-last-change', approver: '@alice', via }).via,
        via,
      );
      assert.equal(
        DECISION_SCHEMAS.reject.parse({ option: 'revert-last-change', approver: '@alice', via }).via,
        via,
      );
    }
    assert.equal(DECISION_SCHEMAS.ack.parse({ by: '@alice' }).via, undefined);
  });

  it('refuses an unknown channel', () => {
    assert.equal(DECISION_SCHEMAS.ack.safeParse({ by: '@alice', via: 'email' }).success, false);
  });
});
