import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicy } from '../../src/contracts/policy';
import {
  acknowledgeRule,
  approveRule,
  recordMitigationRule,
  rejectRule,
  RESOLVE_FIX_OPTIONAL_PATCH,
  resolveRule,
  reviewRule,
  setSeverityRule,
  workaroundRule,
} from '../../src/workflows/incident/message-rules';
import { testLifecycle } from '../helpers/lifecycle-state';

// The rules run here without a workflow sandbox: the lifecycle's effects are plain functions.
const owner = defaultPolicy().escalationContact;

describe('message rules', () => {
  it('acknowledges once, and never a closed incident', () => {
    const { ctx } = testLifecycle();
    assert.equal(acknowledgeRule.check(ctx, { by: '@a' }), undefined);
    assert.equal(acknowledgeRule.apply(ctx, { by: '@a' }), 'acknowledged by @a');
    assert.equal(ctx.state.acknowledgedBy, '@a');
    assert.equal(acknowledgeRule.check(ctx, { by: '@b' }), 'already acknowledged by @a');
    assert.equal(
      acknowledgeRule.check(testLifecycle({ stage: 'closed' }).ctx, { by: '@b' }),
      'the incident is closed',
    );
    assert.equal(acknowledgeRule.check(ctx, {} as never), 'acknowledge needs `by`');
  });

  it('reassigns severity: publishes search attributes, marks the note stale, escalates a new SEV-1', () => {
    const { ctx, effects } = testLifecycle({ severity: 'SEV-3', notePath: 'incidents/x/note.md' });
    assert.equal(setSeverityRule.check(ctx, { by: '@a', severity: 'SEV-3' }), 'severity is already SEV-3');
    setSeverityRule.apply(ctx, { by: '@a', severity: 'SEV-1', reason: 'customers down' });
    assert.equal(ctx.state.severity, 'SEV-1');
    assert.deepEqual(effects.searchAttributeUpserts, ['detection']);
    assert.equal(ctx.noteStale, true);
    assert.equal(ctx.recheckSev2, false);
    assert.equal(ctx.state.escalations.length, 1);
    setSeverityRule.apply(ctx, { by: '@a', severity: 'SEV-2' });
    assert.equal(ctx.recheckSev2, true);
    const review = testLifecycle({ stage: 'review' }).ctx;
    assert.match(
      setSeverityRule.check(review, { by: '@a', severity: 'SEV-1' })!,
      /fixed once the incident is resolved/,
    );
  });

  it('approves only the pending option, by an allowed approver, once', () => {
    const pendingApproval = { option: 'rollback', risk: 'destructive', since: 'x', deadline: 'y' } as const;
    const { ctx } = testLifecycle({ stage: 'mitigation', pendingApproval: pendingApproval as never });
    assert.match(
      approveRule.check(ctx, { option: 'restart', approver: owner } as never)!,
      /is rollback, not restart/,
    );
    assert.match(
      approveRule.check(ctx, { option: 'rollback', approver: '@intruder' } as never)!,
      /may not approve/,
    );
    assert.equal(approveRule.check(ctx, { option: 'rollback', approver: owner } as never), undefined);
    approveRule.apply(ctx, { option: 'rollback', approver: owner } as never);
    assert.equal(ctx.decision?.kind, 'approved');
    assert.equal(
      approveRule.check(ctx, { option: 'rollback', approver: owner } as never),
      'a decision on this option is already recorded',
    );
    assert.equal(
      rejectRule.check(ctx, { option: 'rollback', approver: owner } as never),
      'a decision on this option is already recorded',
    );
    assert.match(
      approveRule.check(testLifecycle().ctx, { option: 'rollback', approver: owner } as never)!,
      /nothing is waiting/,
    );
  });

  it('takes an outcome only for the pending human step, and names it as an operator types it', () => {
    const pendingAction = { option: 'disable-feature', description: 'd', since: 'x', deadline: 'y' };
    const { ctx } = testLifecycle({ stage: 'mitigation', pendingAction: pendingAction as never });
    assert.equal(recordMitigationRule.name, 'outcome');
    assert.equal(recordMitigationRule.check(ctx, {} as never), 'outcome needs `option` and `by`');
    assert.equal(
      recordMitigationRule.check(ctx, { option: 'disable-feature', by: '@a', outcome: 'maybe' } as never),
      'outcome must be succeeded or failed',
    );
    const input = { option: 'disable-feature', by: '@a', outcome: 'failed' } as never;
    assert.equal(recordMitigationRule.check(ctx, input), undefined);
    assert.equal(recordMitigationRule.apply(ctx, input), 'disable-feature recorded as failed');
    assert.equal(ctx.decision?.kind, 'outcome');
  });

  it('records a workaround only during mitigation', () => {
    const { ctx } = testLifecycle({ stage: 'resolution' });
    assert.match(
      workaroundRule.check(ctx, { by: '@a', description: 'x' })!,
      /during mitigation, not resolution/,
    );
    const m = testLifecycle({ stage: 'mitigation' }).ctx;
    workaroundRule.apply(m, { by: '@a', description: 'flag off' });
    assert.equal(
      workaroundRule.check(m, { by: '@a', description: 'again' }),
      'a workaround is already recorded',
    );
  });

  it('refuses a resolve in every stage but resolution, and a second one', () => {
    const input = { by: '@a', whys: ['because'], fix: {} };
    for (const stage of ['detection', 'triage', 'mitigation', 'review', 'closed'] as const) {
      assert.match(
        resolveRule.check(testLifecycle({ stage }).ctx, input)!,
        new RegExp(`not during ${stage}`),
      );
    }
    const { ctx } = testLifecycle({ stage: 'resolution' });
    assert.equal(
      resolveRule.check(ctx, { by: '@a', whys: [' '], fix: {} }),
      'resolve needs the root cause as a non-empty chain of whys',
    );
    assert.equal(resolveRule.check(ctx, input), undefined);
    resolveRule.apply(ctx, input);
    assert.match(resolveRule.check(ctx, input)!, /already resolved by @a/);
  });

  it('asks the patch marker only for a signal resolve without a fix reference', () => {
    const unpatched = testLifecycle({ stage: 'resolution' }, { patched: false });
    assert.equal(
      resolveRule.signalCheck!(unpatched.ctx, { by: '@a', whys: ['w'], fix: { commit: 'abc' } }),
      undefined,
    );
    assert.deepEqual(unpatched.effects.patchesAsked, []);
    assert.match(
      resolveRule.signalCheck!(unpatched.ctx, { by: '@a', whys: ['w'], fix: {} })!,
      /needs a fix reference/,
    );
    assert.deepEqual(unpatched.effects.patchesAsked, [RESOLVE_FIX_OPTIONAL_PATCH]);
    const patched = testLifecycle({ stage: 'resolution' });
    assert.equal(resolveRule.signalCheck!(patched.ctx, { by: '@a', whys: ['w'], fix: {} }), undefined);
  });

  it('takes the review only in review, merging a late fix reference into the resolution', () => {
    const input = { by: '@a', wentWell: [], toImprove: [], actionItems: [], fix: { branch: 'fix/x' } };
    assert.match(
      reviewRule.check(testLifecycle({ stage: 'resolution' }).ctx, input)!,
      /not during resolution/,
    );
    const { ctx } = testLifecycle({
      stage: 'review',
      resolution: { by: '@a', at: 'x', whys: ['w'], fix: {} },
    });
    assert.equal(reviewRule.check(ctx, input), undefined);
    reviewRule.apply(ctx, input);
    assert.deepEqual(ctx.state.resolution?.fix, { branch: 'fix/x' });
    assert.match(reviewRule.check(ctx, input)!, /already reviewed by @a/);
  });
});
