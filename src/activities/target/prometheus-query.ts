/**
 * One instant PromQL query for the recovery check (policy.healthCheck.prometheus). Read-only, so
 * safe to run twice and to retry. It fetches and classifies failures; judging the value against
 * the SLO is the workflow's, through src/domain/prometheus-judgement.ts.
 */
import { FAILURE } from '../../domain/failure-types';
import type { PromAnswer, PromSeries } from '../../domain/prometheus-judgement';
import type { ActivityDeps } from '../deps';
import { currentContext, failure } from '../support/activity-context';

export interface PrometheusQueryInput {
  incidentId: string;
  /** Prometheus base URL (validated by the policy: http(s), no credentials). */
  url: string;
  query: string;
  timeoutMs: number;
}

export interface PrometheusQueryResult extends PromAnswer {
  latencyMs: number;
}

/** Only the first few series go into history: enough to name them in a message. */
const KEPT_SERIES = 5;
/** Prometheus' own error text is worth quoting; a proxy's HTML page is not. */
const MAX_ERROR_TEXT = 300;

const clip = (text: string): string =>
  text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}...` : text;

/** `{a="1",b="2"}` in Prometheus' own notation, without `__name__` (the query named it). */
function labelText(metric: Record<string, string> | undefined): string {
  const pairs = Object.entries(metric ?? {})
    .filter(([name]) => name !== '__name__')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `{${pairs.join(',')}}`;
}

interface ApiBody {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** The `/api/v1/query` endpoint under the base URL, keeping a path prefix such as /prometheus. */
export function queryEndpoint(base: string): URL {
  return new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`);
}

/** The series of a success body, or a final failure naming what is wrong with the answer. */
function seriesOf(body: ApiBody): PromSeries[] {
  const { resultType, result } = body.data ?? {};
  if (resultType === 'scalar' && Array.isArray(result)) return [{ labels: '{}', value: String(result[1]) }];
  if (resultType === 'vector' && Array.isArray(result))
    return (result as { metric?: Record<string, string>; value?: unknown[] }[]).map((s) => ({
      labels: labelText(s.metric),
      value: String(s.value?.[1]),
    }));
  if (resultType === 'matrix')
    throw failure(
      FAILURE.prometheusBadAnswer,
      'the query returns a range vector; the check needs one instant value (wrap the range in rate(...) or avg_over_time(...))',
    );
  throw failure(
    FAILURE.prometheusBadAnswer,
    `unexpected result type ${JSON.stringify(resultType)}; the check needs an instant vector or a scalar`,
  );
}

export function createPrometheusQueryActivities(deps: ActivityDeps) {
  return {
    /**
     * POSTs the query (a long PromQL expression would not fit a GET URL everywhere) with a timeout
     * and the activity's cancellation. Failure types (src/domain/failure-types.ts):
     * PrometheusUnavailable (retryable: no connection, timeout, 5xx, 429), PrometheusQueryRejected
     * (final: 4xx, e.g. bad PromQL) and PrometheusBadAnswer (final: not Prometheus' JSON).
     */
    async queryPrometheus(input: PrometheusQueryInput): Promise<PrometheusQueryResult> {
      const started = performance.now();
      const endpoint = queryEndpoint(input.url);
      const cancelled = currentContext()?.cancellationSignal;
      const signal = cancelled
        ? AbortSignal.any([cancelled, AbortSignal.timeout(input.timeoutMs)])
        : AbortSignal.timeout(input.timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ query: input.query }),
          signal,
          redirect: 'follow',
        });
        text = await response.text();
      } catch (error) {
        // Cancelled by the workflow: not a Prometheus problem, let the SDK report the cancellation.
        if (cancelled?.aborted) throw error;
        const reason =
          (error as Error).name === 'TimeoutError'
            ? `no answer within ${input.timeoutMs} ms`
            : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
        deps.log(`[prometheus] ${input.incidentId}: POST ${endpoint.href} failed: ${reason}`);
        throw failure(FAILURE.prometheusUnavailable, `Prometheus at ${input.url} did not answer: ${reason}`);
      }
      let body: ApiBody | undefined;
      try {
        body = JSON.parse(text) as ApiBody;
      } catch {
        body = undefined;
      }
      const prometheusError =
        body && typeof body.error === 'string'
          ? `${typeof body.errorType === 'string' ? `${body.errorType}: ` : ''}${clip(body.error)}`
          : `HTTP ${response.status}`;
      if (response.status >= 500 || response.status === 429)
        throw failure(
          FAILURE.prometheusUnavailable,
          `Prometheus at ${input.url} answered HTTP ${response.status} (${prometheusError})`,
        );
      if (response.status >= 400)
        throw failure(
          FAILURE.prometheusQueryRejected,
          `Prometheus at ${input.url} refused the query: HTTP ${response.status} (${prometheusError})`,
        );
      if (!body || typeof body !== 'object')
        throw failure(
          FAILURE.prometheusBadAnswer,
          `${endpoint.href} did not answer JSON (HTTP ${response.status}): is ${input.url} a Prometheus server?`,
        );
      if (body.status !== 'success')
        throw failure(
          FAILURE.prometheusQueryRejected,
          `Prometheus at ${input.url} refused the query: ${prometheusError}`,
        );
      const series = seriesOf(body);
      return {
        seriesCount: series.length,
        series: series.slice(0, KEPT_SERIES),
        latencyMs: Math.round(performance.now() - started),
      };
    },
  };
}
