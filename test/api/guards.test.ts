import assert from 'node:assert/strict';
import crypto, { createHmac } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, it, mock } from 'node:test';
import { secretsEqual, verifyGithubSignature } from '../../src/api/auth';
import { jsonDepth, parseJsonBody } from '../../src/api/json-body';
import { listenAddress } from '../../src/api/listen-address';
import { dedupKey } from '../../src/use-cases/dedup-key';
import { listFiltersSchema, listQuery } from '../../src/use-cases/list';
import { stableUpdateId } from '../../src/use-cases/update-id';
import { loadEnv } from '../../src/config/env';
import { SAFE_NAME } from '../../src/contracts/incident';

describe('request guards', () => {
  it('counts JSON nesting without parsing, ignoring brackets inside strings', () => {
    assert.equal(jsonDepth('{"a":[{"b":"[[[[{{{{"}]}'), 3);
    assert.equal(jsonDepth('"\\"[[["'), 0);
    assert.throws(() => parseJsonBody(`${'['.repeat(33)}${']'.repeat(33)}`), /nests deeper than 32/);
    assert.deepEqual(parseJsonBody(`${'['.repeat(32)}${']'.repeat(32)}`) !== undefined, true);
  });

  it('refuses prototype keys anywhere in a body instead of dropping them', () => {
    assert.throws(() => parseJsonBody('{"a":{"__proto__":{"x":1}}}'), /"__proto__" is not allowed/);
    assert.throws(() => parseJsonBody('{"constructor":{"prototype":{}}}'), /not allowed/);
    assert.deepEqual(parseJsonBody('{"proto":"__proto__"}'), { proto: '__proto__' }, 'values are fine');
  });

  it('verifies GitHub signatures over the exact bytes, in constant time', () => {
    const body = Buffer.from('{"zen":"hi"}');
    const good = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
    assert.equal(verifyGithubSignature('s3cret', body, good), true);
    assert.equal(verifyGithubSignature('s3cret', body, good.toUpperCase().replace('SHA256', 'sha256')), true);
    assert.equal(verifyGithubSignature('other', body, good), false);
    assert.equal(verifyGithubSignature('s3cret', Buffer.from('{"zen":"hi"} '), good), false);
    assert.equal(verifyGithubSignature('s3cret', body, 'sha1=abc'), false);
    assert.equal(verifyGithubSignature('s3cret', body, undefined), false);
    assert.equal(secretsEqual('a', 'a'), true);
    assert.equal(secretsEqual('a', 'a-longer-value'), false);
  });

  it('listens on loopback without a token and refuses a public address without one', () => {
    assert.equal(listenAddress(loadEnv({})).host, '127.0.0.1');
    assert.match(listenAddress(loadEnv({})).note ?? '', /loopback only/);
    assert.throws(() => listenAddress(loadEnv({ API_HOST: '0.0.0.0' })), /needs API_TOKEN/);
    assert.equal(listenAddress(loadEnv({ API_TOKEN: 'x1'.repeat(8) + 'abcdefgh' })).host, '0.0.0.0');
  });
});

describe('bearer token comparison', () => {
  /*
   * Whether a naive early-exit compare (`===`) leaks over HTTP cannot be told from latencies here:
   * it differs by nanoseconds per character and a loopback request varies by tens of microseconds
   * (test/e2e/api-abuse.test.ts measures and prints both medians, and only catches gross leaks).
   * So this asserts the mechanism instead: every check goes through crypto.timingSafeEqual on two
   * equal-length SHA-256 digests, whatever the lengths of the token and the guess.
   */
  it('compares SHA-256 digests of equal length with crypto.timingSafeEqual, for every guess', () => {
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports(); // the named import in auth.ts now sees the spy
    try {
      const token = 'test-token-0123456789abcdef';
      const guesses = ['', 'x', token.slice(0, -1), `${token.slice(0, -1)}X`, token, `${token}-longer`];
      const results = guesses.map((guess) => secretsEqual(guess, token));
      assert.deepEqual(results, [false, false, false, false, true, false]);
      assert.equal(spy.mock.callCount(), guesses.length, 'one constant-time compare per check');
      for (const call of spy.mock.calls) {
        const [a, b] = call.arguments as [Buffer, Buffer];
        assert.equal(a.length, 32);
        assert.equal(b.length, 32);
      }
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });
});

describe('dedup keys, list queries and Update IDs', () => {
  it('keeps safe keys readable and hashes anything it had to change, so distinct keys never collide', () => {
    assert.equal(dedupKey('am', '3fa2c9e1d0b4a7f2'), 'am-3fa2c9e1d0b4a7f2');
    const a = dedupKey('generic', 'a/b');
    const b = dedupKey('generic', 'a_b');
    assert.notEqual(a, b);
    assert.match(a, /^generic-a_b-[0-9a-f]{16}$/);
    const long = dedupKey('gh', 'x'.repeat(500));
    assert.ok(long.length <= 128);
    for (const key of [a, b, long, dedupKey('generic', '💥 \u0000 ../../etc')]) assert.match(key, SAFE_NAME);
  });

  it('builds visibility queries only from validated values', () => {
    const filters = listFiltersSchema.parse({ severity: 'SEV-1', status: 'open', service: 'mcp-server' });
    assert.equal(
      listQuery(filters),
      "WorkflowType = 'incidentWorkflow' AND IncidentSeverity = 'SEV-1' AND IncidentServices = 'mcp-server' AND ExecutionStatus = 'Running'",
    );
    assert.equal(listFiltersSchema.safeParse({ service: "x' OR '1'='1" }).success, false);
  });

  it('derives the same Update ID for the same decision and a different one otherwise', () => {
    const id = stableUpdateId('ack', 'incident-a', { by: '@a' });
    assert.equal(stableUpdateId('ack', 'incident-a', { by: '@a' }), id);
    assert.notEqual(stableUpdateId('ack', 'incident-a', { by: '@b' }), id);
    assert.notEqual(stableUpdateId('ack', 'incident-b', { by: '@a' }), id);
    assert.match(id, /^ack-[0-9a-f]{32}$/);
  });
});
