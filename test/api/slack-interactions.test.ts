import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSlackPoster } from '../../src/activities/support/slack-chat';
import { buildApi } from '../../src/api/server';
import { type IncidentStatus, statusQuery } from '../../src/contracts/messages';
import { ACTIONS_BLOCK_ID } from '../../src/domain/slack-message';
import {
  clickPayload,
  formBody,
  SLACK_BOT_TOKEN,
  SLACK_CHANNEL,
  type SlackCall,
  slackHeaders,
  startFakeSlack,
} from '../helpers/slack';
import { type ApiHarness, eventually, startApiHarness } from './harness';

/** @sre may decide on reverts of a SEV-2; U0ALICE is @sre in Slack, U0BOB is @bob (not an approver). */
const CONFIG = {
  policy: { approvers: { 'SEV-2': { '*': ['@lead'], 'revert-last-change': ['@sre'] } } },
  slack: { users: { U0ALICE: '@sre', U0BOB: '@bob' } },
};
const MESSAGE_TS = '1700000100.000042';

interface Button {
  action_id: string;
  value: string;
}

describe('Slack interactive approvals against a real dev server, worker and a fake Slack API', () => {
  let h: ApiHarness;
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let workflowId: string;
  let request: Awaited<ReturnType<typeof approvalRequest>>;
  const status = () => h.temporal.client.workflow.getHandle(workflowId).query(statusQuery);
  const until = (predicate: (s: IncidentStatus) => boolean) =>
    eventually(async () => {
      const s = await status();
      return predicate(s) ? s : undefined;
    }, 30_000);
  const updates = () => fake.calls.filter((c) => c.method === 'chat.update');
  const post = (body: string, headers: Record<string, string>, base = h.base) =>
    fetch(`${base}/webhooks/slack/interactions`, { method: 'POST', headers, body });

  /** The approval request the worker posted for the pending option, with its buttons. */
  async function approvalRequest() {
    const call = await eventually(() =>
      Promise.resolve(
        fake.calls.find(
          (c: SlackCall) =>
            c.method === 'chat.postMessage' && JSON.stringify(c.args.blocks).includes('Approval needed'),
        ),
      ),
    );
    const blocks = call.args.blocks as { type: string; block_id?: string; elements?: Button[] }[];
    const buttons = blocks.find((b) => b.block_id === ACTIONS_BLOCK_ID)?.elements ?? [];
    return { call, blocks, buttons };
  }
  const click = (actionId: string, userId: string) => {
    const button = request.buttons.find((b) => b.action_id === actionId)!;
    return formBody(
      clickPayload({
        actionId,
        value: button.value,
        userId,
        messageTs: MESSAGE_TS,
        blocks: request.blocks,
        text: String(request.call.args.text),
      }),
    );
  };

  before(async () => {
    fake = await startFakeSlack();
    const slackEnv = { SLACK_BOT_TOKEN, SLACK_CHANNEL, SLACK_API_URL: fake.url };
    h = await startApiHarness('slack', CONFIG, {
      env: slackEnv,
      deps: {
        slack: createSlackPoster({ token: SLACK_BOT_TOKEN, channel: SLACK_CHANNEL, apiUrl: fake.url }),
      },
    });
    const response = await h.call('/webhooks/generic', {
      json: {
        dedup_key: 'slack-mcp-start-failure',
        severity: 'error',
        summary: 'MCP server fails to start after deploy',
        source: 'synthetic-probe',
        service: 'mcp-server',
        scenario: 'mcp-server-fails-to-start',
      },
    });
    assert.equal(response.status, 202);
    ({ workflowId } = (await response.json()) as { workflowId: string });
  });
  after(async () => {
    await h?.close();
    await fake?.close();
  });

  it('acknowledges from a Slack button: the incident moves on and the message says who acknowledged', async () => {
    const body = formBody(
      clickPayload({
        actionId: 'incident-ack',
        value: JSON.stringify({ w: workflowId }),
        userId: 'U0BOB',
        messageTs: '1700000100.000001',
        blocks: [{ type: 'actions', block_id: ACTIONS_BLOCK_ID, elements: [{ action_id: 'incident-ack' }] }],
      }),
    );
    const response = await post(body, slackHeaders(body));
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal((await until((x) => x.acknowledgedBy !== undefined)).acknowledgedBy, '@bob');
    const update = updates()[0]!;
    assert.equal(update.args.ts, '1700000100.000001');
    assert.match(JSON.stringify(update.args.blocks), /\*Acknowledged\* by @bob \(<@U0BOB>\)/);
    assert.ok(!JSON.stringify(update.args.blocks).includes(ACTIONS_BLOCK_ID), 'its only button is gone');
  });

  it('posts the approval request as Block Kit with the plan and Acknowledge / Approve / Reject buttons', async () => {
    const s = await until((x) => x.pendingApproval?.option === 'revert-last-change');
    request = await approvalRequest();
    assert.equal(request.call.token, SLACK_BOT_TOKEN);
    assert.equal(request.call.args.channel, SLACK_CHANNEL);
    const json = JSON.stringify(request.blocks);
    assert.ok(json.includes(s.incidentId), 'incident ID');
    assert.ok(json.includes('SEV-2') && json.includes('mitigation'), 'severity and stage');
    assert.ok(json.includes('`revert-last-change` (destructive)'), 'the proposal');
    const plan = s.pendingApproval?.plan ?? [];
    assert.ok(plan.length > 0, 'the proposal carries a plan');
    for (const step of plan) {
      const shown = step.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      assert.ok(json.includes(JSON.stringify(shown).slice(1, -1)), `plan step shown: ${step}`);
    }
    assert.deepEqual(
      request.buttons.map((b) => b.action_id),
      ['incident-ack', 'incident-approve', 'incident-reject'],
    );
    assert.deepEqual(JSON.parse(request.buttons[1]!.value), { w: workflowId, o: 'revert-last-change' });
  });

  it('refuses forged, stale and malformed requests with 401/400 and unknown Slack users with 403: nothing changes, nothing is rewritten', async () => {
    const rewrites = updates().length;
    const body = click('incident-approve', 'U0ALICE');
    const forged = await post(body, slackHeaders(body, { secret: 'forged-secret-0123456789' }));
    assert.equal(forged.status, 401);
    assert.match(((await forged.json()) as { error: string }).error, /X-Slack-Signature does not match/);
    const stale = await post(body, slackHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }));
    assert.equal(stale.status, 401);
    assert.match(((await stale.json()) as { error: string }).error, /more than 5 minutes/);
    const unsigned = await post(body, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(unsigned.status, 401);
    const unknown = click('incident-approve', 'U0MALLORY');
    const stranger = await post(unknown, slackHeaders(unknown));
    assert.equal(stranger.status, 403);
    assert.match(((await stranger.json()) as { error: string }).error, /U0MALLORY is not mapped/);
    const malformed = formBody('{"type":"block_actions"');
    const bad = await post(malformed, slackHeaders(malformed));
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /not valid JSON/);
    const s = await status();
    assert.equal(s.pendingApproval?.option, 'revert-last-change', 'still waiting for approval');
    assert.ok(!s.optionsTried.some((o) => o.option === 'revert-last-change'));
    assert.equal(updates().length, rewrites, 'no chat.update');
  });

  it('refuses a mapped member the approvers policy does not allow with 403, and says why on the message', async () => {
    const body = click('incident-approve', 'U0BOB');
    const response = await post(body, slackHeaders(body));
    assert.equal(response.status, 403);
    assert.equal((await status()).pendingApproval?.option, 'revert-last-change');
    const update = updates().at(-1)!;
    assert.match(JSON.stringify(update.args.blocks), /approve refused\* for @bob/);
    assert.ok(JSON.stringify(update.args.blocks).includes(ACTIONS_BLOCK_ID), 'the buttons stay');
  });

  it('approves from a mapped member end to end: the workflow proceeds and the message says who approved', async () => {
    const body = click('incident-approve', 'U0ALICE');
    const headers = slackHeaders(body);
    const response = await post(body, headers);
    assert.equal(response.status, 200, await response.clone().text());
    const answer = (await response.json()) as { accepted: boolean; by: string; updateId: string };
    assert.equal(answer.accepted, true);
    assert.equal(answer.by, '@sre');
    assert.match(answer.updateId, /^approve-slack-/);
    const s = await until((x) => x.pendingApproval?.option !== 'revert-last-change');
    assert.ok(
      s.optionsTried.some(
        (o) => o.option === 'revert-last-change' && o.outcome === 'approved' && o.by === '@sre',
      ),
    );
    // The Update the workflow accepted says the decision came through Slack.
    const { events } = await h.temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const approvals = (events ?? [])
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest)
      .filter((r) => r?.meta?.updateId === answer.updateId);
    assert.equal(approvals.length, 1);
    const sent = JSON.parse(
      Buffer.from(approvals[0]!.input!.args!.payloads![0]!.data!).toString('utf8'),
    ) as Record<string, unknown>;
    assert.deepEqual(sent, { option: 'revert-last-change', approver: '@sre', via: 'slack' });
    const update = updates().at(-1)!;
    assert.equal(update.args.channel, SLACK_CHANNEL);
    assert.equal(update.args.ts, MESSAGE_TS);
    const blocks = JSON.stringify(update.args.blocks);
    assert.match(blocks, /\*Approved\* by @sre \(<@U0ALICE>\)/);
    assert.ok(!blocks.includes(ACTIONS_BLOCK_ID), 'the buttons are gone');

    // The same signed request again: this process remembers the signature.
    const rewrites = updates().length;
    const replay = await post(body, headers);
    assert.equal(replay.status, 401);
    assert.match(((await replay.json()) as { error: string }).error, /replayed request/);
    assert.equal(updates().length, rewrites, 'a replay rewrites nothing');

    // The same request reaching another API process: the Update ID derives from the click, so the
    // workflow answers with the first result and records nothing twice.
    const other = await buildApi({ client: h.temporal.client, env: h.env, config: h.config });
    await other.listen({ host: '127.0.0.1', port: 0 });
    try {
      const elsewhere = await post(
        body,
        headers,
        `http://127.0.0.1:${(other.server.address() as AddressInfo).port}`,
      );
      assert.equal(elsewhere.status, 200, await elsewhere.clone().text());
      assert.equal(((await elsewhere.json()) as { updateId: string }).updateId, answer.updateId);
    } finally {
      await other.close();
    }
    const after = await status();
    assert.equal(
      after.optionsTried.filter((o) => o.option === 'revert-last-change' && o.outcome === 'approved').length,
      1,
      'approved once',
    );
  });
});
