import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeenSignatures, SLACK_MAX_AGE_MS, verifySlackSignature } from '../../src/api/slack-signature';
import { formBody, SLACK_SIGNING_SECRET, slackHeaders } from '../helpers/slack';

const NOW = Date.parse('2026-11-30T05:00:00Z');
const body = formBody({ type: 'block_actions' });
const check = (headers: Record<string, string>, raw = body, nowMs = NOW) =>
  verifySlackSignature({
    secret: SLACK_SIGNING_SECRET,
    rawBody: Buffer.from(raw),
    timestamp: headers['x-slack-request-timestamp'],
    signature: headers['x-slack-signature'],
    nowMs,
  });

describe('Slack request signatures (v0 HMAC-SHA256 of v0:timestamp:body)', () => {
  it('accepts a body signed with the signing secret within five minutes', () => {
    const headers = slackHeaders(body, { timestamp: NOW / 1000 - 60 });
    assert.deepEqual(check(headers), { ok: true, signature: headers['x-slack-signature'] });
  });

  it('refuses a forged signature, a signature over another body and a wrong secret', () => {
    const forged = slackHeaders(body, { timestamp: NOW / 1000, secret: 'not-the-signing-secret' });
    assert.deepEqual(check(forged), { ok: false, reason: 'X-Slack-Signature does not match the body' });
    const other = slackHeaders(`${body}&x=1`, { timestamp: NOW / 1000 });
    assert.equal(check(other).ok, false);
    const headers = slackHeaders(body, { timestamp: NOW / 1000 });
    assert.equal(check({ ...headers, 'x-slack-signature': `v0=${'0'.repeat(64)}` }).ok, false);
    assert.match(
      (check({ ...headers, 'x-slack-signature': 'sha256=abc' }) as { reason: string }).reason,
      /X-Slack-Signature missing or malformed/,
    );
    assert.match(
      (check({ ...headers, 'x-slack-request-timestamp': '12a' }) as { reason: string }).reason,
      /X-Slack-Request-Timestamp missing or malformed/,
    );
  });

  it('refuses a correctly signed request older or newer than five minutes (stale), before checking the HMAC', () => {
    const stale = slackHeaders(body, { timestamp: (NOW - SLACK_MAX_AGE_MS) / 1000 - 1 });
    assert.deepEqual(check(stale), {
      ok: false,
      reason: 'X-Slack-Request-Timestamp is more than 5 minutes from now (stale)',
    });
    const future = slackHeaders(body, { timestamp: (NOW + SLACK_MAX_AGE_MS) / 1000 + 1 });
    assert.equal(check(future).ok, false);
    const edge = slackHeaders(body, { timestamp: (NOW - SLACK_MAX_AGE_MS) / 1000 });
    assert.equal(check(edge).ok, true);
  });

  it('never quotes the headers it refuses', () => {
    const headers = slackHeaders(body, { timestamp: NOW / 1000, secret: 'x' });
    const result = check(headers) as { reason: string };
    assert.ok(!result.reason.includes(headers['x-slack-signature']!.slice(3, 20)));
  });
});

describe('replayed Slack requests', () => {
  it('accepts a signature once and refuses it again within its window, then forgets it', () => {
    const seen = new SeenSignatures();
    assert.equal(seen.firstSeen('v0=aa', NOW), true);
    assert.equal(seen.firstSeen('v0=aa', NOW + 1_000), false, 'replay');
    assert.equal(seen.firstSeen('v0=bb', NOW + 1_000), true, 'another request');
    // After two windows the timestamp check refuses the request anyway; the memory is released.
    assert.equal(seen.firstSeen('v0=cc', NOW + 2 * SLACK_MAX_AGE_MS + 2_000), true);
    assert.equal(seen.size, 1);
  });

  it('keeps at most `max` signatures, dropping the oldest', () => {
    const seen = new SeenSignatures(3);
    for (const s of ['a', 'b', 'c', 'd']) assert.equal(seen.firstSeen(s, NOW), true);
    assert.equal(seen.size, 3);
    assert.equal(seen.firstSeen('d', NOW), false);
  });
});
