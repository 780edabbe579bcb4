import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNotifyActivities, type NotificationInput } from '../../src/activities/incident/notify';
import { createSlackPoster } from '../../src/activities/support/slack-chat';
import { SLACK_BOT_TOKEN, SLACK_CHANNEL, startFakeSlack } from '../helpers/slack';
import { tempDir, testDeps } from '../helpers/temporal';

const input: NotificationInput = {
  incidentId: 'INCIDENT-20261130-050000-ab12',
  severity: 'SEV-1',
  kind: 'escalation',
  text: 'ESCALATION to @lead: not acknowledged',
  workflowId: 'incident-gen-abc',
  stage: 'detection',
};

describe('the notify activity with a Slack bot', () => {
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    fake = await startFakeSlack();
    dir = await tempDir('incident-notify-');
  });
  after(async () => {
    await fake?.close();
    await dir?.cleanup();
  });
  const notify = (apiUrl: string, lines: string[] = []) => {
    const activities = createNotifyActivities(
      testDeps(dir.path, lines, {
        slack: createSlackPoster({ token: SLACK_BOT_TOKEN, channel: SLACK_CHANNEL, apiUrl }),
        slackWebhookUrl: 'http://127.0.0.1:9/never-used',
      }),
    );
    return (arg: NotificationInput) => activities.notify(arg);
  };

  it('posts a Block Kit message to the channel with the bot token, instead of the webhook', async () => {
    const lines: string[] = [];
    const result = await new MockActivityEnvironment().run(notify(fake.url, lines), input);
    assert.equal(result, 'slack');
    const call = fake.calls.at(-1)!;
    assert.equal(call.method, 'chat.postMessage');
    assert.equal(call.token, SLACK_BOT_TOKEN);
    assert.equal(call.args.channel, SLACK_CHANNEL);
    assert.match(String(call.args.text), /^\[escalation\] INCIDENT-20261130-050000-ab12 \(SEV-1\)/);
    assert.match(JSON.stringify(call.args.blocks), /Escalation: INCIDENT-20261130-050000-ab12/);
    assert.deepEqual(lines, []);
  });

  it('falls back to the log for a notification queued before Slack existed (no workflow ID)', async () => {
    const lines: string[] = [];
    const deps = testDeps(dir.path, lines, {
      slack: createSlackPoster({ token: SLACK_BOT_TOKEN, channel: SLACK_CHANNEL, apiUrl: fake.url }),
    });
    const old: NotificationInput = { ...input, workflowId: undefined };
    const activities = createNotifyActivities(deps);
    assert.equal(
      await new MockActivityEnvironment().run((arg: NotificationInput) => activities.notify(arg), old),
      'log',
    );
    assert.equal(lines.length, 1);
  });

  it("fails without retry when Slack refuses the call (ok: false), naming Slack's error code", async () => {
    const refusing = await startFakeSlackRefusing();
    try {
      await assert.rejects(
        new MockActivityEnvironment().run(notify(refusing.url), input),
        (error: unknown) =>
          error instanceof ApplicationFailure &&
          error.nonRetryable &&
          error.type === 'NotificationRejected' &&
          /channel_not_found/.test(error.message),
      );
    } finally {
      await refusing.close();
    }
  });
});

/** A Slack API that answers every call like Slack does for an unknown channel. */
async function startFakeSlackRefusing() {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: false, error: 'channel_not_found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
