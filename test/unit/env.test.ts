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
