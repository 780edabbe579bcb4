import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Engine, startEngine } from '../helpers/engine-processes';
import { waitFor } from '../helpers/processes';

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

/** OTLP/HTTP JSON (what @opentelemetry/exporter-trace-otlp-http sends) to flat spans. */
function spansOf(body: unknown): ReceivedSpan[] {
  const { resourceSpans = [] } = body as {
    resourceSpans?: {
      resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
      scopeSpans?: { spans?: { name: string; traceId: string; spanId: string; parentSpanId?: string }[] }[];
    }[];
  };
  return resourceSpans.flatMap((rs) => {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({ service, ...s, parentSpanId: s.parentSpanId ?? '' })),
    );
  });
}

/**
 * The real processes with only the standard OTEL_* variables set, exporting to a stand-in OTLP
 * collector (an HTTP server that keeps what it is sent): the API's and the worker's spans arrive
 * under their own service names and share one trace.
 */
describe('traces exported over OTLP by the API and worker processes', () => {
  let root: string;
  let engine: Engine;
  let collector: Server;
  const received: ReceivedSpan[] = [];
  const saved = { ...process.env };

  before(async () => {
    collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces')
          received.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
    // startEngine hands this process's environment to the worker and the API.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
    delete process.env.OTEL_SERVICE_NAME;
    root = await mkdtemp(join(tmpdir(), 'incident-otlp-'));
    engine = await startEngine(root, { incidentsDir: join(root, 'incidents') });
  });
  after(async () => {
    await engine?.close();
    collector?.close();
    process.env = saved;
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('sends the API span, the signal-with-start and the activity to the collector in one trace', async () => {
    const opened = await engine.post('/webhooks/generic', {
      dedup_key: 'otlp-1',
      severity: 'SEV-3',
      summary: 'exported trace',
      source: 'ci',
    });
    assert.equal(opened.status, 202);
    await waitFor(
      () =>
        `a RunActivity span from incident-worker; received: ${received.map((s) => `${s.service}/${s.name}`).join(', ')}`,
      () =>
        Promise.resolve(
          received.some((s) => s.service === 'incident-worker' && s.name.startsWith('RunActivity:')),
        ),
      30_000,
    );
    const http = received.find((s) => s.name === 'POST /webhooks/generic');
    assert.equal(http?.service, 'incident-api');
    const start = received.find((s) => s.name === 'SignalWithStartWorkflow:incidentWorkflow');
    assert.equal(start?.service, 'incident-api');
    assert.equal(start.parentSpanId, http.spanId);
    const activity = received.find((s) => s.name === 'RunActivity:loadPolicy');
    assert.equal(activity?.service, 'incident-worker');
    assert.equal(activity.traceId, http.traceId, 'the worker continues the API request’s trace');
  });
});
