import { trace } from '@opentelemetry/api';
import type { Payload } from '@temporalio/common';
import { SPAN_DELIMITER, SpanName } from '@temporalio/interceptors-opentelemetry';
import {
  headersWithContext,
  instrument,
  RUN_ID_ATTR_KEY,
  WORKFLOW_ID_ATTR_KEY,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { activeTracing } from './tracing';

/**
 * A signal-with-start sent straight to the workflow service (open-incident.ts does, to read the
 * server's `started` flag) skips the client interceptors, so it would start the incident outside
 * the caller's trace. This does what the interceptor's signalWithStart does: a
 * `SignalWithStartWorkflow:<type>` span, and the trace context in the `_tracer-data` header that
 * the workflow interceptor reads to parent its RunWorkflow span.
 *
 * Tracing off: `send` runs unchanged with no header, exactly as before.
 */
export function tracedSignalWithStart<T extends { runId: string }>(
  workflowType: string,
  workflowId: string,
  send: (header: { fields: Record<string, Payload> } | undefined) => Promise<T>,
): Promise<T> {
  if (!activeTracing()) return send(undefined);
  return instrument({
    // The interceptor's own tracer name, so both paths group alike in a tracing backend.
    tracer: trace.getTracer('@temporalio/interceptor-client'),
    spanName: `${SpanName.WORKFLOW_SIGNAL_WITH_START}${SPAN_DELIMITER}${workflowType}`,
    fn: async (span) => {
      span.setAttribute(WORKFLOW_ID_ATTR_KEY, workflowId);
      const result = await send({ fields: headersWithContext({}) });
      span.setAttribute(RUN_ID_ATTR_KEY, result.runId);
      return result;
    },
  });
}
