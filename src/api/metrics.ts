import { type MetricMeter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { instrument } from '../contracts/metrics';

/** The API's metrics (catalogue: src/contracts/metrics.ts), on the API process's Runtime meter. */
export interface ApiMetrics {
  /** A firing alert joined an open incident (signal-with-start found it running). */
  alertDeduplicated(source: string): void;
}

export function apiMetrics(meter: MetricMeter): ApiMetrics {
  const deduplicated = instrument(meter, 'alertsDeduplicated');
  return { alertDeduplicated: (source) => deduplicated.add(1, { source }) };
}

/**
 * Counts every request to a `/webhooks/...` route by its route pattern (never the raw URL, which
 * callers choose) and status, with its duration. On the root instance, so the hook reaches the
 * routes of every scope, refusals by the auth hooks (401) and body parsers (400, 413) included.
 * Paths that match no route have no pattern and are not counted: any URL would otherwise become
 * a label value.
 */
export function countWebhookRequests(app: FastifyInstance, meter: MetricMeter): void {
  const requests = instrument(meter, 'webhookRequests');
  const duration = instrument(meter, 'webhookDuration');
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route?.startsWith('/webhooks/')) {
      requests.add(1, { route, status: String(reply.statusCode) });
      duration.record(reply.elapsedTime / 1_000, { route });
    }
    done();
  });
}
