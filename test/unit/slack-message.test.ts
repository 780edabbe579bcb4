import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decidedBlocks } from '../../src/domain/slack-decision';
import {
  ACTIONS_BLOCK_ID,
  incidentMessage,
  type IncidentNotice,
  SLACK_ACTION_IDS,
  type SlackBlock,
} from '../../src/domain/slack-message';

const PLAN = [
  'widget rollback, mode revert, in /srv/app; services: widgets',
  'revert: git revert --no-edit abc1234 (cwd /srv/app) undo: git reset --hard <backup>',
  'build: pnpm build:widgets (cwd /srv/app)',
];
const notice: IncidentNotice = {
  incidentId: 'INCIDENT-20261130-050000-ab12',
  workflowId: 'incident-gen-abc',
  severity: 'SEV-2',
  stage: 'mitigation',
  kind: 'approval-request',
  text: 'APPROVAL NEEDED: revert <the> last change & rebuild',
  proposal: {
    option: 'revert-last-change',
    risk: 'destructive',
    description: 'Revert the last change',
    plan: PLAN,
  },
};
const buttonsOf = (blocks: readonly { type: string; block_id?: string }[]) =>
  (
    blocks.find((b) => b.block_id === ACTIONS_BLOCK_ID) as
      Extract<SlackBlock, { type: 'actions' }> | undefined
  )?.elements ?? [];

describe('Slack Block Kit incident messages', () => {
  it('shows incident ID, severity, stage, the proposal with every plan step, and three buttons', () => {
    const { text, blocks } = incidentMessage(notice);
    const json = JSON.stringify(blocks);
    for (const expected of [notice.incidentId, 'SEV-2', 'mitigation', '`revert-last-change` (destructive)'])
      assert.ok(json.includes(expected), `${expected} in the blocks`);
    for (const [i, step] of PLAN.entries())
      assert.ok(
        json.includes(
          JSON.stringify(`${i + 1}. ${step.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`).slice(1, -1),
        ),
        `step ${i + 1}`,
      );
    assert.ok(
      json.includes('revert &lt;the&gt; last change &amp; rebuild'),
      'alert text is escaped, never markup',
    );
    const buttons = buttonsOf(blocks);
    assert.deepEqual(
      buttons.map((b) => [b.action_id, b.text.text]),
      [
        [SLACK_ACTION_IDS.ack, 'Acknowledge'],
        [SLACK_ACTION_IDS.approve, 'Approve'],
        [SLACK_ACTION_IDS.reject, 'Reject'],
      ],
    );
    assert.deepEqual(JSON.parse(buttons[0]!.value), { w: 'incident-gen-abc' });
    assert.deepEqual(JSON.parse(buttons[1]!.value), { w: 'incident-gen-abc', o: 'revert-last-change' });
    assert.ok(buttons[1]!.confirm, 'approving asks for confirmation');
    assert.match(text, /^\[approval-request\] INCIDENT-20261130-050000-ab12 \(SEV-2\)/);
  });

  it('offers only Acknowledge on an escalation with nothing pending, and Approve / Reject when an option waits', () => {
    const escalation = { ...notice, kind: 'escalation', proposal: undefined };
    assert.deepEqual(
      buttonsOf(incidentMessage(escalation).blocks).map((b) => b.action_id),
      [SLACK_ACTION_IDS.ack],
    );
    const waiting = { ...escalation, pendingOption: 'deploy-known-good' as const };
    const buttons = buttonsOf(incidentMessage(waiting).blocks);
    assert.equal(buttons.length, 3);
    assert.deepEqual(JSON.parse(buttons[2]!.value), { w: 'incident-gen-abc', o: 'deploy-known-good' });
  });

  it("stays inside Slack's limits with a huge plan: 50 blocks, 3,000 characters a section, buttons last", () => {
    const plan = Array.from({ length: 400 }, (_, i) => `step ${i}: ${'x'.repeat(400)}`);
    const { blocks } = incidentMessage({ ...notice, proposal: { ...notice.proposal!, plan } });
    assert.ok(blocks.length <= 50);
    assert.equal(blocks.at(-1)!.type, 'actions');
    for (const block of blocks)
      if (block.type === 'section' && block.text) assert.ok(block.text.text.length <= 3_000);
  });
});

describe('the message after a decision', () => {
  const posted = incidentMessage(notice).blocks as unknown as Record<string, unknown>[];
  const note = { by: '@alice', slackUserId: 'U0ALICE', at: '2026-11-30T05:00:00.000Z' };

  it('drops the buttons after an approval and says who approved', () => {
    const blocks = decidedBlocks(posted, { ...note, verb: 'approve', accepted: true, message: 'approved' });
    assert.equal(buttonsOf(blocks as never).length, 0);
    const last = JSON.stringify(blocks.at(-1));
    assert.match(last, /\*Approved\* by @alice \(<@U0ALICE>\)/);
  });

  it('keeps the buttons after an approval that still needs another approver (four-eyes)', () => {
    const blocks = decidedBlocks(posted, {
      ...note,
      verb: 'approve',
      accepted: true,
      message: '1 of 2 approvals',
      stillPending: true,
    });
    assert.equal(buttonsOf(blocks as never).length, 3);
    assert.match(JSON.stringify(blocks.at(-1)), /\*Approved\* by @alice/);
  });

  it('drops only the Acknowledge button after an acknowledgement', () => {
    const blocks = decidedBlocks(posted, { ...note, verb: 'ack', accepted: true, message: 'acknowledged' });
    assert.deepEqual(
      buttonsOf(blocks as never).map((b) => b.action_id),
      [SLACK_ACTION_IDS.approve, SLACK_ACTION_IDS.reject],
    );
  });

  it('keeps every button after a refusal and says why', () => {
    const blocks = decidedBlocks(posted, {
      ...note,
      verb: 'approve',
      accepted: false,
      message: '@alice may not approve revert-last-change',
    });
    assert.equal(buttonsOf(blocks as never).length, 3);
    assert.match(JSON.stringify(blocks.at(-1)), /approve refused\* for @alice/);
  });
});
