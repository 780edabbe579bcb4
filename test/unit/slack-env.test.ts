import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvError, loadEnv } from '../../src/config/env';
import { SLACK_BOT_TOKEN } from '../helpers/slack';

describe('Slack settings in the environment', () => {
  it('takes a bot token with a channel, a signing secret and an API URL', () => {
    const env = loadEnv({
      SLACK_BOT_TOKEN,
      SLACK_CHANNEL: '#incidents',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
      SLACK_API_URL: 'http://127.0.0.1:9999/api/',
    });
    assert.equal(env.SLACK_CHANNEL, '#incidents');
    assert.equal(loadEnv({ SLACK_BOT_TOKEN, SLACK_CHANNEL: 'C0123ABC' }).SLACK_CHANNEL, 'C0123ABC');
  });

  it('refuses a bot token without a channel (and the reverse), naming the missing variable', () => {
    assert.throws(() => loadEnv({ SLACK_BOT_TOKEN }), /SLACK_CHANNEL: Slack messages need both/);
    assert.throws(
      () => loadEnv({ SLACK_CHANNEL: '#incidents' }),
      /SLACK_BOT_TOKEN: Slack messages need both/,
    );
  });

  it('names the variable and the fix for a malformed value, never repeating a secret', () => {
    const secret = 'not-a-token-but-a-secret-value';
    assert.throws(
      () => loadEnv({ SLACK_BOT_TOKEN: secret, SLACK_CHANNEL: '#incidents' }),
      (error: unknown) =>
        error instanceof EnvError &&
        /SLACK_BOT_TOKEN: must be a Slack bot token \(xoxb-\.\.\.\) \(fix: copy the app's Bot User OAuth Token/.test(
          error.message,
        ) &&
        !error.message.includes(secret),
    );
    assert.throws(
      () => loadEnv({ SLACK_SIGNING_SECRET: 'short' }),
      /SLACK_SIGNING_SECRET: must be the Slack app's Signing Secret/,
    );
    assert.throws(
      () => loadEnv({ SLACK_BOT_TOKEN, SLACK_CHANNEL: 'incidents' }),
      /SLACK_CHANNEL: must be a channel ID/,
    );
  });
});
