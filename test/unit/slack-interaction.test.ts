import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEngineConfig } from '../../src/config/engine-config';
import { approverForSlackUser } from '../../src/config/slack';
import { slackInteractionFrom } from '../../src/intake/slack-interaction';
import { slackUpdateId } from '../../src/use-cases/update-id';
import { clickPayload } from '../helpers/slack';

const approve = () =>
  clickPayload({
    actionId: 'incident-approve',
    value: JSON.stringify({ w: 'incident-gen-abc', o: 'revert-last-change' }),
    userId: 'U0ALICE',
  });
/** The field an InvalidRequestError names. */
const refusedField = (payload: unknown): string | undefined => {
  try {
    slackInteractionFrom(payload);
  } catch (error) {
    assert.equal((error as Error).name, 'InvalidRequestError', (error as Error).message);
    return (error as { field?: string }).field;
  }
  assert.fail('accepted a malformed payload');
};

describe('Slack interaction payloads', () => {
  it('reads one click: verb, workflow, option, who, and the message to rewrite', () => {
    const click = slackInteractionFrom(approve());
    assert.equal(click.verb, 'approve');
    assert.equal(click.workflowId, 'incident-gen-abc');
    assert.equal(click.option, 'revert-last-change');
    assert.equal(click.userId, 'U0ALICE');
    assert.equal(click.channelId, 'C0INCIDENTS');
    assert.equal(click.messageTs, '1700000000.000100');
  });

  it('refuses malformed payloads with a clear error naming the field', () => {
    const base = approve();
    const cases: [unknown, string][] = [
      [null, 'payload'],
      [{ ...base, type: 'view_submission' }, 'payload.type'],
      [{ ...base, user: { id: 'alice; rm -rf' } }, 'payload.user.id'],
      [{ ...base, channel: undefined }, 'payload.channel'],
      [{ ...base, message: { ...base.message, ts: 'yesterday' } }, 'payload.message.ts'],
      [{ ...base, actions: [] }, 'payload.actions'],
      [{ ...base, actions: [base.actions[0], base.actions[0]] }, 'payload.actions'],
      [
        { ...base, actions: [{ ...base.actions[0], action_id: 'incident-resolve' }] },
        'payload.actions.0.action_id',
      ],
      [{ ...base, actions: [{ ...base.actions[0], value: 'not json' }] }, 'payload.actions.0.value'],
      [{ ...base, actions: [{ ...base.actions[0], value: '{"w":"x y"}' }] }, 'payload.actions.0.value.w'],
      [
        { ...base, actions: [{ ...base.actions[0], value: '{"w":"incident-a","o":"rm -rf"}' }] },
        'payload.actions.0.value.o',
      ],
      [
        { ...base, actions: [{ ...base.actions[0], value: '{"w":"incident-a"}' }] },
        'payload.actions.0.value.o',
      ],
      [
        { ...base, actions: [{ ...base.actions[0], value: '{"w":"incident-a","extra":1}' }] },
        'payload.actions.0.value.extra',
      ],
    ];
    for (const [payload, field] of cases)
      assert.equal(refusedField(payload), field, JSON.stringify(payload).slice(0, 200));
  });

  it('derives the Update ID from the click: the same click the same ID, another click another', () => {
    const a = slackInteractionFrom(approve());
    const b = slackInteractionFrom(approve());
    assert.equal(slackUpdateId('approve', a.workflowId, a), slackUpdateId('approve', a.workflowId, a));
    assert.notEqual(slackUpdateId('approve', a.workflowId, a), slackUpdateId('approve', b.workflowId, b));
    assert.match(slackUpdateId('approve', a.workflowId, a), /^approve-slack-[0-9a-f]{32}$/);
  });
});

describe('config slack.users', () => {
  it('maps Slack member IDs to approver identities, and nobody else', () => {
    const config = parseEngineConfig({ slack: { users: { U0ALICE: '@alice' } } });
    assert.equal(approverForSlackUser(config.slack, 'U0ALICE'), '@alice');
    assert.equal(approverForSlackUser(config.slack, 'U0MALLORY'), undefined);
    assert.equal(approverForSlackUser(config.slack, 'constructor'), undefined);
    assert.deepEqual(parseEngineConfig({}).slack, { users: {} });
  });

  it('refuses a bad mapping naming the field', () => {
    assert.throws(
      () => parseEngineConfig({ slack: { users: { alice: '@alice' } } }),
      /slack\.users\.alice: must be a Slack member ID/,
    );
    assert.throws(
      () => parseEngineConfig({ slack: { users: { U0ALICE: 'alice smith' } } }),
      /slack\.users\.U0ALICE: must be a user name/,
    );
    assert.throws(() => parseEngineConfig({ slack: { channel: 'x' } }), /slack: Unrecognized key: "channel"/);
  });
});
