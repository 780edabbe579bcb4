import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../src/temporal/tracing';
import { type ApiHarness, eventually, startApiHarness } from './harness';

/**
 * One trace from the webhook to the activities, on a real dev server with a real worker and the
 * API in this process. Tracing is started before the harness, as the entry points do, so the
 * API's hooks, the signal-with-start and the worker (plugin and traced bundle) all pick it up.
 */
describe('traces from the webhook through the workflow to its activities', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let h: ApiHarness;
  before(async () => {
    tracing = startTracing('incident-test', { spanProcessor: new SimpleSpanProcessor(exporter) });
    h = await startApiHarness('traces');
  });
  after(async () => {
    await h?.close();
    await tracing?.shutdown();
  });

  it('chains POST /webhooks/generic → SignalWithStartWorkflow → RunWorkflow → StartActivity → RunActivity in one trace', async () => {
    const traceparentTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const opened = await h.call('/webhooks/generic', {
      json: { dedup_key: 'traces-1', severity: 'warning', summary: 'traced alert', source: 'monitoring' },
      // A caller's W3C trace context: the engine's spans join the caller's trace.
      headers: { traceparent: `00-${traceparentTrace}-00f067aa0ba902b7-01` },
    });
    assert.equal(opened.status, 202, await opened.clone().text());
    const { workflowId } = (await opened.json()) as { workflowId: string };

    const spans = () => exporter.getFinishedSpans();
    const named = (prefix: string) => spans().filter((span) => span.name.startsWith(prefix));
    // loadPolicy runs first in every incident opened from an alert.
    await eventually(() => Promise.resolve(named('RunActivity:').length > 0 ? true : undefined), 30_000);
    // The workflow's own span is exported when its run ends (the sink sends finished spans only);
    // an incident waits for acknowledgement, so cancel it to end the run (it ends as Cancelled;
    // the terminate below only makes sure nothing is left running if it did not).
    const handle = h.temporal.client.workflow.getHandle(workflowId);
    await handle.cancel();
    await eventually(() => Promise.resolve(named('RunWorkflow:').length > 0 ? true : undefined), 30_000);
    await handle.terminate('trace test done').catch(() => undefined);

    const all = spans();
    const byId = new Map(all.map((span) => [span.spanContext().spanId, span]));
    const chainOf = (span: ReadableSpan): string[] => {
      const names = [span.name];
      for (
        let parent = byId.get(span.parentSpanId ?? '');
        parent;
        parent = byId.get(parent.parentSpanId ?? '')
      )
        names.unshift(parent.name);
      return names;
    };
    for (const span of all) console.log(`span: ${chainOf(span).join(' → ')}`);
    const activity = named('RunActivity:')[0]!;
    const chain = chainOf(activity);
    console.log(`span chain: ${chain.join(' → ')}`);
    assert.deepEqual(chain.slice(0, 4), [
      'POST /webhooks/generic',
      'SignalWithStartWorkflow:incidentWorkflow',
      'RunWorkflow:incidentWorkflow',
      `StartActivity:${activity.name.slice('RunActivity:'.length)}`,
    ]);
    assert.equal(chain.at(-1), activity.name);

    const http = named('POST /webhooks/generic')[0]!;
    assert.equal(http.parentSpanId, '00f067aa0ba902b7', 'the caller’s traceparent is the HTTP span’s parent');
    assert.equal(http.attributes['http.response.status_code'], 202);
    const traceIds = new Set(
      chain.map((name) => all.find((span) => span.name === name)!.spanContext().traceId),
    );
    assert.deepEqual([...traceIds], [traceparentTrace], 'one trace, the caller’s');
    assert.equal(
      named('SignalWithStartWorkflow:')[0]!.attributes.temporalWorkflowId,
      workflowId,
      'the signal-with-start span names the workflow',
    );
  });
});
