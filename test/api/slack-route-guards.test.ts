import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { buildApi } from '../../src/api/server';
import { parseEngineConfig } from '../../src/config/engine-config';
import { loadEnv } from '../../src/config/env';
import { clickPayload, formBody, SLACK_SIGNING_SECRET, slackHeaders } from '../helpers/slack';

/**
 * The route's guards before any call to Temporal, through Fastify's inject: the client is a trap
 * that fails the test if anything reaches it.
 */
const trap = new Proxy({} as Client, {
  get: (_target, name) => {
    if (name === 'then') return undefined;
    throw new Error(`the Temporal client was used (${String(name)}) by a request that must be refused first`);
  },
});
const api = (env: Record<string, string> = { SLACK_SIGNING_SECRET }) =>
  buildApi({
    client: trap,
    env: loadEnv(env),
    config: parseEngineConfig({ slack: { users: { U0ALICE: '@alice' } } }),
  });
const click = (userId = 'U0MALLORY') =>
  formBody(clickPayload({ actionId: 'incident-ack', value: JSON.stringify({ w: 'incident-x' }), userId }));

describe('POST /webhooks/slack/interactions guards', () => {
  it('answers 503 without SLACK_SIGNING_SECRET, saying which variable to set', async () => {
    const app = await api({});
    const body = click();
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/slack/interactions',
      headers: slackHeaders(body),
      payload: body,
    });
    assert.equal(response.statusCode, 503);
    assert.match(response.json<{ error: string }>().error, /set SLACK_SIGNING_SECRET/);
  });

  it('needs no bearer token (Slack cannot send one) but refuses JSON bodies with 415', async () => {
    const app = await api({ SLACK_SIGNING_SECRET, API_TOKEN: 'test-token-0123456789abcdef' });
    const body = click();
    const unknown = await app.inject({
      method: 'POST',
      url: '/webhooks/slack/interactions',
      headers: slackHeaders(body),
      payload: body,
    });
    assert.equal(unknown.statusCode, 403, 'reached the member check without a bearer token');
    const json = JSON.stringify({ payload: {} });
    const wrongType = await app.inject({
      method: 'POST',
      url: '/webhooks/slack/interactions',
      headers: { ...slackHeaders(json), 'content-type': 'application/json' },
      payload: json,
    });
    assert.equal(wrongType.statusCode, 415);
  });

  it('refuses two payload fields, invalid percent-encoding and a prototype key with 400 naming the field', async () => {
    const app = await api();
    const send = (body: string) =>
      app.inject({
        method: 'POST',
        url: '/webhooks/slack/interactions',
        headers: slackHeaders(body),
        payload: body,
      });
    const two = await send(`${click()}&payload=%7B%7D`);
    assert.equal(two.statusCode, 400);
    assert.equal(two.json<{ field: string }>().field, 'payload');
    const bytes = await send('payload=%7B%22a%22%3A%22%ff%22%7D');
    assert.equal(bytes.statusCode, 400);
    assert.match(bytes.json<{ error: string }>().error, /percent-encoded UTF-8/);
    const proto = await send(formBody('{"type":"block_actions","__proto__":{"polluted":1}}'));
    assert.equal(proto.statusCode, 400);
    assert.match(proto.json<{ error: string }>().error, /"__proto__" is not allowed/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('never echoes the signature or the body in a refusal', async () => {
    const app = await api();
    const body = click();
    const headers = slackHeaders(body, { secret: 'forged-secret-0123456789' });
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/slack/interactions',
      headers,
      payload: body,
    });
    assert.equal(response.statusCode, 401);
    assert.ok(!response.body.includes(headers['x-slack-signature']!.slice(3)));
    assert.ok(!response.body.includes('U0MALLORY'));
  });
});
