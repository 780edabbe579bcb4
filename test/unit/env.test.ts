import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvError, loadEnv, temporalAddress, workflowUrl } from '../../src/config/env';

describe('environment settings', () => {
  it('defaults to the local dev server, namespace default and the guide task queue', () => {
    const env = loadEnv({});
    assert.equal(temporalAddress(env), '127.0.0.1:7233');
    assert.equal(env.TEMPORAL_NAMESPACE, 'default');
    assert.equal(env.TEMPORAL_TASK_QUEUE, 'incident-response');
    assert.equal(env.TEMPORAL_UI_PORT, 8233);
  });

  it('follows the configured ports and links to the workflow page in the Web UI', () => {
    const env = loadEnv({
      TEMPORAL_PORT: '17233',
      TEMPORAL_UI_PORT: '18233',
      TEMPORAL_NAMESPACE: 'ops team',
    });
    assert.equal(temporalAddress(env), '127.0.0.1:17233');
    assert.equal(
      workflowUrl(env, 'incident-a/b'),
      'http://localhost:18233/namespaces/ops%20team/workflows/incident-a%2Fb',
    );
  });

  it('names the variable and the fix when a value is wrong', () => {
    assert.throws(
      () => loadEnv({ TEMPORAL_ADDRESS: 'http://temporal:7233' }),
      (error: unknown) =>
        error instanceof EnvError &&
        /TEMPORAL_ADDRESS: must be host:port/.test(error.message) &&
        /fix: unset it/.test(error.message),
    );
    assert.throws(() => loadEnv({ API_PORT: '70000' }), /API_PORT: .*fix: use a free TCP port/);
    assert.throws(() => loadEnv({ API_TOKEN: 'short' }), /API_TOKEN: must be at least 16 characters/);
  });

  it('refuses an API_TOKEN without real entropy, giving the reason but never the token', () => {
    const weak = [
      ' '.repeat(16),
      '\t'.repeat(20),
      `  ${'a'.repeat(16)}  `,
      'aaaaaaaaaaaaaaaaaaaaaaaa',
      'abababababababababababab',
      'a1a1a1a1a1a1a1a1a1a1',
      '0000000000000000',
      'abcdefghijklmnop',
      'tok en with spaces 1234',
    ];
    for (const token of weak) {
      assert.throws(
        () => loadEnv({ API_TOKEN: token }),
        (error: unknown) =>
          error instanceof EnvError &&
          /API_TOKEN: /.test(error.message) &&
          /openssl rand -hex 32/.test(error.message) &&
          (token.trim() === '' || !error.message.includes(token.trim())),
        JSON.stringify(token),
      );
    }
  });

  it('accepts generated tokens and trims surrounding whitespace', () => {
    const hex = 'a3f1c9e07b2d4e8f9a1b6c3d5e7f0a2b';
    assert.equal(loadEnv({ API_TOKEN: hex }).API_TOKEN, hex);
    assert.equal(loadEnv({ API_TOKEN: ` ${hex}\n` }).API_TOKEN, hex);
    const base64 = 'q9Z3xW7+Lm2/Pk8Rt4Vy0A==';
    assert.equal(loadEnv({ API_TOKEN: base64 }).API_TOKEN, base64);
    assert.equal(
      loadEnv({ API_TOKEN: 'test-token-0123456789abcdef' }).API_TOKEN,
      'test-token-0123456789abcdef',
    );
  });

  it('takes the API request timeout from API_REQUEST_TIMEOUT_MS, 60 s by default, within bounds', () => {
    assert.equal(loadEnv({}).API_REQUEST_TIMEOUT_MS, 60_000);
    assert.equal(loadEnv({ API_REQUEST_TIMEOUT_MS: '5000' }).API_REQUEST_TIMEOUT_MS, 5_000);
    assert.throws(
      () => loadEnv({ API_REQUEST_TIMEOUT_MS: '10' }),
      /API_REQUEST_TIMEOUT_MS: .*fix: use milliseconds/,
    );
  });

  it('refuses half an mTLS pair', () => {
    assert.throws(
      () => loadEnv({ TEMPORAL_TLS_CERT_PATH: '/x.pem' }),
      /TEMPORAL_TLS_KEY_PATH: mTLS needs both/,
    );
  });

  it('treats an empty variable as unset', () => {
    assert.equal(
      loadEnv({ GITHUB_WEBHOOK_SECRET: '', TEMPORAL_ADDRESS: '' }).GITHUB_WEBHOOK_SECRET,
      undefined,
    );
  });

  it('accepts a Temporal Cloud API key setting', () => {
    const env = loadEnv({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'key',
      TEMPORAL_NAMESPACE: 'ns.acct',
    });
    assert.equal(env.TEMPORAL_API_KEY, 'key');
  });
});
