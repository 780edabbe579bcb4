/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  createPrometheusQueryActivities,
  type PrometheusQueryInput,
  queryEndpoint,
} from '../../src/activities/target/prometheus-query';
import { FAILURE, FAILURE_RETRY } from '../../src/domain/failure-types';
import { tmpdir } from 'node:os';
import { freePort } from '../helpers/processes';
import { testDeps } from '../helpers/temporal';
import { quietActivityEnv } from '../helpers/runbook-deps';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A stub "Prometheus" whose answer each test sets; it records what it was asked. */
let server: Server;
let base: string;
let handler: Handler = (_q, _b, response) => response.end();
const asked: { method?: string; path?: string; body: string }[] = [];
before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      asked.push({ method: request.method, path: request.url, body });
      handler(request, body, response);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const lines: string[] = [];
const { queryPrometheus } = createPrometheusQueryActivities(testDeps(tmpdir(), lines));
const input = (overrides: Partial<PrometheusQueryInput> = {}): PrometheusQueryInput => ({
  incidentId: 'INCIDENT-20261130-050000-abcd',
  url: base,
  query: 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
  timeoutMs: 2_000,
  ...overrides,
});
const json =
  (status: number, body: unknown): Handler =>
  (_q, _b, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

async function failsWith(promise: Promise<unknown>, type: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApplicationFailure, String(error));
    assert.equal(error.type, type);
    assert.equal(error.nonRetryable, FAILURE_RETRY[type as keyof typeof FAILURE_RETRY] === 'final');
    assert.match(error.message, message);
    return true;
  });
}

describe('queryPrometheus', () => {
  it('POSTs the query form-encoded and returns the series, the same on a second run', async () => {
    handler = json(200, {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { job: 'mcp', code: '500' }, value: [1, '0.25'] }] },
    });
    asked.length = 0;
    const env = quietActivityEnv();
    const first = await env.run(queryPrometheus, input());
    const second = await env.run(queryPrometheus, input());
    assert.deepEqual(first.series, [{ labels: '{code="500",job="mcp"}', value: '0.25' }]);
    assert.equal(first.seriesCount, 1);
    assert.deepEqual({ ...second, latencyMs: 0 }, { ...first, latencyMs: 0 });
    assert.equal(asked[0]!.method, 'POST');
    assert.equal(asked[0]!.path, '/api/v1/query');
    assert.equal(new URLSearchParams(asked[0]!.body).get('query'), input().query);
  });

  it('keeps NaN and infinities as text, reads scalars, keeps a path prefix and only five series', async () => {
    handler = json(200, { status: 'success', data: { resultType: 'scalar', result: [1, 'NaN'] } });
    assert.deepEqual((await queryPrometheus(input())).series, [{ labels: '{}', value: 'NaN' }]);
    handler = json(200, {
      status: 'success',
      data: {
        resultType: 'vector',
        result: Array.from({ length: 9 }, (_, i) => ({ metric: { i: String(i) }, value: [1, '+Inf'] })),
      },
    });
    const many = await queryPrometheus(input());
    assert.equal(many.seriesCount, 9);
    assert.equal(many.series.length, 5);
    assert.equal(many.series[0]!.value, '+Inf');
    assert.equal(queryEndpoint('http://h:9090/prometheus').href, 'http://h:9090/prometheus/api/v1/query');
    assert.equal(queryEndpoint('http://h:9090/').href, 'http://h:9090/api/v1/query');
  });

  it('returns an empty result as zero series (the judgement fails it, not the activity)', async () => {
    handler = json(200, { status: 'success', data: { resultType: 'vector', result: [] } });
    assert.deepEqual((await queryPrometheus(input())).series, []);
  });

  it('refuses bad PromQL for good, quoting Prometheus', async () => {
    handler = json(400, {
      status: 'error',
      errorType: 'bad_data',
      error: 'parse error: unexpected end of input',
    });
    await failsWith(
      queryPrometheus(input({ query: 'sum((' })),
      FAILURE.prometheusQueryRejected,
      /refused the query: HTTP 400 \(bad_data: parse error: unexpected end of input\)/,
    );
    handler = json(404, {});
    await failsWith(queryPrometheus(input()), FAILURE.prometheusQueryRejected, /HTTP 404/);
  });

  it('calls 5xx and 429 unavailable (retryable)', async () => {
    handler = json(503, { status: 'error', errorType: 'timeout', error: 'query timed out' });
    await failsWith(
      queryPrometheus(input()),
      FAILURE.prometheusUnavailable,
      /HTTP 503 \(timeout: query timed out\)/,
    );
    handler = (_q, _b, response) => {
      response.statusCode = 429;
      response.end('slow down');
    };
    await failsWith(queryPrometheus(input()), FAILURE.prometheusUnavailable, /HTTP 429 \(HTTP 429\)/);
  });

  it('calls an answer that is not Prometheus JSON a bad answer', async () => {
    handler = (_q, _b, response) => {
      response.setHeader('content-type', 'text/html');
      response.end('<html>Grafana login</html>');
    };
    await failsWith(
      queryPrometheus(input()),
      FAILURE.prometheusBadAnswer,
      /did not answer JSON .*is .* a Prometheus server\?/,
    );
    handler = json(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    await failsWith(queryPrometheus(input()), FAILURE.prometheusBadAnswer, /range vector.*rate\(/);
    handler = json(200, { status: 'success', data: { resultType: 'string', result: [1, 'x'] } });
    await failsWith(queryPrometheus(input()), FAILURE.prometheusBadAnswer, /unexpected result type "string"/);
  });

  it('calls a hung or absent server unavailable, within the timeout', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    await failsWith(
      queryPrometheus(input({ timeoutMs: 300 })),
      FAILURE.prometheusUnavailable,
      /did not answer: no answer within 300 ms/,
    );
    assert.ok(Date.now() - started < 2_000);
    const nobody = `http://127.0.0.1:${await freePort()}`;
    await failsWith(
      queryPrometheus(input({ url: nobody })),
      FAILURE.prometheusUnavailable,
      /did not answer: .*ECONNREFUSED/,
    );
    assert.ok(lines.some((line) => line.includes('[prometheus] INCIDENT-20261130-050000-abcd')));
  });

  it('stops when the activity is cancelled', async () => {
    handler = () => undefined;
    const env = quietActivityEnv();
    const running = env.run(queryPrometheus, input({ timeoutMs: 30_000 }));
    setTimeout(() => env.cancel(), 100);
    const started = Date.now();
    await assert.rejects(running, (error: Error) => {
      assert.notEqual((error as ApplicationFailure).type, FAILURE.prometheusUnavailable);
      return true;
    });
    assert.ok(Date.now() - started < 5_000);
  });
});
