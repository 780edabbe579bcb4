import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STAGES } from '../../src/contracts/incident';
import { IllegalTransitionError, LEGAL_TRANSITIONS } from '../../src/workflows/incident/lifecycle';
import { testLifecycle } from '../helpers/lifecycle-state';

describe('incident lifecycle state', () => {
  it('moves through the guide in order and records each stage change in the timeline', () => {
    const { ctx } = testLifecycle();
    for (const to of ['triage', 'mitigation', 'resolution', 'review', 'closed'] as const) {
      assert.equal(ctx.moveTo(to), true);
    }
    assert.equal(ctx.state.stage, 'closed');
    assert.deepEqual(
      ctx.state.timeline.filter((e) => e.kind === 'stage').map((e) => e.message),
      [
        'detection → triage',
        'triage → mitigation',
        'mitigation → resolution',
        'resolution → review',
        'review → closed',
      ],
    );
  });

  it('logs each timeline entry with the incident ID and the stage as step', () => {
    const { ctx, effects } = testLifecycle();
    ctx.moveTo('triage');
    ctx.escalate('no ack', 'ack-deadline');
    assert.deepEqual(effects.logged[0], {
      message: 'detection → triage',
      fields: { incidentId: ctx.state.incidentId, step: 'triage', kind: 'stage' },
    });
    assert.equal(effects.logged.length, ctx.state.timeline.length);
    assert.ok(effects.logged.every((entry) => entry.fields.incidentId === ctx.state.incidentId));
  });

  it('goes back from resolution to mitigation when the recovery check fails', () => {
    const { ctx } = testLifecycle({ stage: 'resolution' });
    assert.equal(ctx.moveTo('mitigation'), true);
    assert.equal(ctx.state.stage, 'mitigation');
  });

  it('treats staying in the same stage as no change and records nothing', () => {
    const { ctx } = testLifecycle({ stage: 'closed' });
    assert.equal(ctx.moveTo('closed'), false);
    assert.equal(ctx.state.timeline.length, 0);
  });

  it('refuses every transition the guide does not allow, leaving the stage as it was', () => {
    for (const from of STAGES) {
      for (const to of STAGES) {
        if (from === to || LEGAL_TRANSITIONS[from].includes(to)) continue;
        const { ctx } = testLifecycle({ stage: from });
        assert.throws(() => ctx.moveTo(to), IllegalTransitionError, `${from} → ${to}`);
        assert.equal(ctx.state.stage, from);
        assert.equal(ctx.state.timeline.length, 0);
      }
    }
  });

  it('hands a decision to the stage loop once and refuses a second before it is taken', () => {
    const { ctx } = testLifecycle({ stage: 'mitigation' });
    ctx.decide({ kind: 'approved', input: { option: 'rollback', approver: '@a' } as never });
    assert.throws(() =>
      ctx.decide({ kind: 'rejected', input: { option: 'rollback', approver: '@b' } as never }),
    );
    assert.equal(ctx.takeDecision()?.kind, 'approved');
    assert.equal(ctx.takeDecision(), undefined);
  });

  it('accepts one workaround, and only during mitigation', () => {
    const { ctx } = testLifecycle({ stage: 'triage' });
    assert.throws(() => ctx.recordWorkaround({ by: '@a', description: 'x' }));
    ctx.moveTo('mitigation');
    ctx.recordWorkaround({ by: '@a', description: 'flag off' });
    assert.throws(() => ctx.recordWorkaround({ by: '@b', description: 'again' }));
    ctx.clearWorkaround();
    assert.equal(ctx.workaround, undefined);
  });

  it('consumes the stale-note and SEV-2 recheck requests of the notification loop once each', () => {
    const { ctx } = testLifecycle();
    ctx.markNoteStale();
    ctx.requestSev2Recheck();
    assert.equal(ctx.takeNoteStale(), true);
    assert.equal(ctx.takeNoteStale(), false);
    assert.equal(ctx.takeSev2Recheck(), true);
    assert.equal(ctx.recheckSev2, false);
    assert.equal(ctx.stopping, false);
    ctx.stop();
    assert.equal(ctx.stopping, true);
  });

  it('queues an escalation to the policy contact with the current stage', () => {
    const { ctx } = testLifecycle({ stage: 'triage' });
    ctx.escalate('SEV-1 incident', 'immediate');
    assert.equal(ctx.state.escalations.length, 1);
    assert.match(ctx.outbox[0]!.text, /^ESCALATION to @\S+: INCIDENT-\S+ SEV-2 \(triage\): SEV-1 incident$/);
  });
});
