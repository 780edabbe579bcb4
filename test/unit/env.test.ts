import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EnvError, loadEnv, RENAMED_VARIABLES, temporalAddress, workflowUrl } from '../../src/config/env';

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

  it('takes the worker cache size from WORKER_MAX_CACHED_WORKFLOWS (unset: the worker default), refusing a non-number', () => {
    assert.equal(loadEnv({}).WORKER_MAX_CACHED_WORKFLOWS, undefined);
    assert.equal(loadEnv({ WORKER_MAX_CACHED_WORKFLOWS: '400' }).WORKER_MAX_CACHED_WORKFLOWS, 400);
    assert.equal(loadEnv({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).WORKER_MAX_CACHED_WORKFLOWS, 0);
    assert.throws(
      () => loadEnv({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' }),
      /WORKER_MAX_CACHED_WORKFLOWS: .*fix: use a whole number of cached incidents/,
    );
    assert.throws(() => loadEnv({ WORKER_MAX_CACHED_WORKFLOWS: '-1' }), /WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('refuses half an mTLS pair, under the new names and the old', () => {
    assert.throws(
      () => loadEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/x.pem' }),
      /TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS needs both/,
    );
    assert.throws(
      () => loadEnv({ TEMPORAL_TLS_CERT_PATH: '/x.pem' }),
      /TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS needs both/,
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

  it('takes LOG_LEVEL (info by default) and refuses an unknown level with the list', () => {
    assert.equal(loadEnv({}).LOG_LEVEL, 'info');
    assert.equal(loadEnv({ LOG_LEVEL: 'debug' }).LOG_LEVEL, 'debug');
    assert.throws(() => loadEnv({ LOG_LEVEL: 'verbose' }), /LOG_LEVEL: .*fix: use one of trace, debug, info/);
    assert.throws(() => loadEnv({ LOG_FORMAT: 'xml' }), /LOG_FORMAT: /);
  });
});

describe('Temporal connection variables (envconfig, as the temporal CLI)', () => {
  const tls = (env: ReturnType<typeof loadEnv>) => env.temporalProfile.tls;

  it('still accepts the old TLS names for one release, mapped to the new ones with a warning naming each', () => {
    const env = loadEnv({
      TEMPORAL_TLS_CERT_PATH: '/certs/client.pem',
      TEMPORAL_TLS_KEY_PATH: '/certs/client.key',
      TEMPORAL_TLS_CA_PATH: '/certs/ca.pem',
    });
    assert.deepEqual(tls(env)?.clientCert, { path: '/certs/client.pem' });
    assert.deepEqual(tls(env)?.clientKey, { path: '/certs/client.key' });
    assert.deepEqual(tls(env)?.serverCACert, { path: '/certs/ca.pem' });
    assert.equal(env.deprecations.length, 3);
    for (const [old, current] of Object.entries(RENAMED_VARIABLES)) {
      assert.ok(
        env.deprecations.some((line) => line.includes(old) && line.includes(`use ${current}`)),
        `${old} -> ${current} in ${env.deprecations.join(' | ')}`,
      );
    }
  });

  it('prefers the new name when both are set, and says the old one is ignored', () => {
    const env = loadEnv({
      TEMPORAL_TLS_CA_PATH: '/old/ca.pem',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/new/ca.pem',
    });
    assert.deepEqual(tls(env)?.serverCACert, { path: '/new/ca.pem' });
    assert.match(env.deprecations.join('\n'), /TEMPORAL_TLS_CA_PATH is deprecated and ignored/);
  });

  it('warns about nothing and turns TLS off when only the new names or nothing are set', () => {
    assert.deepEqual(loadEnv({}).deprecations, []);
    assert.equal(tls(loadEnv({})), undefined);
    const env = loadEnv({
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/c.key',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    assert.deepEqual(env.deprecations, []);
    assert.equal(tls(env)?.serverName, 'temporal.internal');
  });

  it('keeps the yes/no spelling of TEMPORAL_TLS that this project accepted', () => {
    assert.equal(tls(loadEnv({ TEMPORAL_TLS: 'yes' }))?.disabled, false);
    assert.equal(tls(loadEnv({ TEMPORAL_TLS: 'no' }))?.disabled, true);
  });

  it('reads address, namespace and API key from a TEMPORAL_PROFILE of the TEMPORAL_CONFIG_FILE, variables winning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envconfig-'));
    try {
      const file = join(dir, 'temporal.toml');
      await writeFile(
        file,
        [
          '[profile.default]',
          'address = "127.0.0.1:1111"',
          '[profile.prod]',
          'address = "prod.example:7233"',
          'namespace = "prod-ns"',
          'api_key = "k-123"',
        ].join('\n'),
      );
      const byDefault = loadEnv({ TEMPORAL_CONFIG_FILE: file });
      assert.equal(temporalAddress(byDefault), '127.0.0.1:1111');
      assert.equal(byDefault.TEMPORAL_NAMESPACE, 'default');
      const prod = loadEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
      assert.equal(prod.TEMPORAL_ADDRESS, 'prod.example:7233');
      assert.equal(prod.TEMPORAL_NAMESPACE, 'prod-ns');
      assert.equal(prod.temporalProfile.apiKey, 'k-123');
      const overridden = loadEnv({
        TEMPORAL_CONFIG_FILE: file,
        TEMPORAL_PROFILE: 'prod',
        TEMPORAL_NAMESPACE: 'other',
      });
      assert.equal(overridden.TEMPORAL_NAMESPACE, 'other');
      assert.equal(overridden.TEMPORAL_ADDRESS, 'prod.example:7233');
      assert.throws(
        () => loadEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' }),
        (error: unknown) =>
          error instanceof EnvError &&
          /TEMPORAL_PROFILE: Profile 'nope' not found/.test(error.message) &&
          error.message.includes(file) &&
          !error.message.includes('k-123'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the config file when it is not valid TOML, without quoting it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envconfig-'));
    try {
      const file = join(dir, 'temporal.toml');
      await writeFile(file, '[profile.default]\napi_key = "secret-k\n');
      assert.throws(
        () => loadEnv({ TEMPORAL_CONFIG_FILE: file }),
        (error: unknown) =>
          error instanceof EnvError &&
          /TEMPORAL_CONFIG_FILE: /.test(error.message) &&
          !error.message.includes('secret-k'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
