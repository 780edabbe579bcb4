import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { DEFAULT_METRICS_ADDRESS, EnvError, loadEnv, metricsEndpoint } from '../../src/config/env';
import { deadlineReason, histogramBuckets, METRIC_PREFIX, METRICS } from '../../src/contracts/metrics';
import { installMetricsRuntime } from '../../src/temporal/metrics-runtime';

const listening = (server: Server) =>
  new Promise<number>((done) =>
    server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)),
  );

describe('metrics catalogue', () => {
  it('names every metric once, prefixed, counters without _total, histograms with their unit', () => {
    const defs = Object.values(METRICS);
    const names = defs.map((d) => d.name);
    assert.equal(new Set(names).size, names.length, 'no name twice');
    for (const def of defs) {
      assert.ok(def.name.startsWith(METRIC_PREFIX), def.name);
      assert.match(def.name, /^[a-z_]+$/, def.name);
      if (def.kind === 'counter')
        assert.doesNotMatch(def.name, /_total$/, `${def.name}: the exporter adds _total`);
      if (def.kind === 'histogram') assert.match(def.name, /_seconds$/, def.name);
    }
  });

  it('labels only closed lists: no incident, workflow or service identifiers', () => {
    for (const def of Object.values(METRICS))
      for (const label of def.labels)
        assert.doesNotMatch(
          label,
          /id$|^incident|^workflow|^service|^summary|^fingerprint/i,
          `${def.name}{${label}}`,
        );
  });

  it('gives every histogram increasing bucket bounds for the exporter', () => {
    const buckets = histogramBuckets();
    const histograms = Object.values(METRICS).filter((d) => d.kind === 'histogram');
    assert.equal(Object.keys(buckets).length, histograms.length);
    for (const bounds of Object.values(buckets))
      assert.ok(bounds.every((b, i) => i === 0 || b > bounds[i - 1]!));
  });

  it('labels deadline escalations by deadline and anything unknown as other', () => {
    assert.equal(deadlineReason('ack'), 'ack-deadline');
    assert.equal(deadlineReason('approval'), 'approval-deadline');
    assert.equal(deadlineReason('someday'), 'other');
  });
});

describe('metrics endpoints (WORKER_METRICS_ADDRESS, API_METRICS_ADDRESS)', () => {
  it('serves on loopback by default, worker and API on different ports', () => {
    const env = loadEnv({});
    assert.deepEqual(metricsEndpoint(env, 'worker'), {
      address: DEFAULT_METRICS_ADDRESS.worker,
      variable: 'WORKER_METRICS_ADDRESS',
      explicit: false,
    });
    assert.equal(metricsEndpoint(env, 'api').address, '127.0.0.1:9465');
    assert.notEqual(DEFAULT_METRICS_ADDRESS.worker, DEFAULT_METRICS_ADDRESS.api);
    assert.equal(env.WORKER_METRICS_INTERVAL_MS, 15_000);
  });

  it('accepts host:port, [ipv6]:port and off', () => {
    const env = loadEnv({ WORKER_METRICS_ADDRESS: '0.0.0.0:9100', API_METRICS_ADDRESS: 'off' });
    assert.deepEqual(metricsEndpoint(env, 'worker'), {
      address: '0.0.0.0:9100',
      variable: 'WORKER_METRICS_ADDRESS',
      explicit: true,
    });
    assert.equal(metricsEndpoint(env, 'api').address, 'off');
    assert.equal(loadEnv({ API_METRICS_ADDRESS: '[::1]:9465' }).API_METRICS_ADDRESS, '[::1]:9465');
  });

  it('refuses a bad address or port, and the same address for worker and API, naming the fix', () => {
    for (const bad of ['9464', 'http://127.0.0.1:9464', '127.0.0.1:70000', '127.0.0.1:0', 'on'])
      assert.throws(
        () => loadEnv({ WORKER_METRICS_ADDRESS: bad }),
        (error: unknown) =>
          error instanceof EnvError && /WORKER_METRICS_ADDRESS: .*fix: use host:port/.test(error.message),
        bad,
      );
    assert.throws(
      () => loadEnv({ WORKER_METRICS_ADDRESS: '127.0.0.1:9500', API_METRICS_ADDRESS: '127.0.0.1:9500' }),
      /API_METRICS_ADDRESS: must differ from WORKER_METRICS_ADDRESS/,
    );
    assert.throws(() => loadEnv({ API_METRICS_ADDRESS: '127.0.0.1:9464' }), /must differ/);
  });

  it('runs without metrics when the default port is taken, but fails when a chosen one is', async () => {
    const server = createServer();
    const port = await listening(server);
    try {
      const env = loadEnv({});
      const taken = `127.0.0.1:${port}`;
      const fallback = installMetricsRuntime(env, 'worker', {
        address: taken,
        variable: 'WORKER_METRICS_ADDRESS',
        explicit: false,
      });
      assert.equal(fallback.url, undefined);
      assert.match(fallback.note, /metrics off: the default .* is in use .*set WORKER_METRICS_ADDRESS/);
      assert.throws(
        () =>
          installMetricsRuntime(env, 'api', {
            address: taken,
            variable: 'API_METRICS_ADDRESS',
            explicit: true,
          }),
        /API_METRICS_ADDRESS=127\.0\.0\.1:\d+: .*in use.*fix: choose a free host:port/i,
      );
      assert.match(installMetricsRuntime(loadEnv({ API_METRICS_ADDRESS: 'off' }), 'api').note, /metrics off/);
    } finally {
      server.close();
    }
  });
});
