import type { MetricMeter } from '@temporalio/common';

/**
 * Every metric the engine emits itself, in one catalogue that the workflows, the activities, the
 * worker and the API all build their instruments from, so a name, unit or label is written once.
 * docs/operations.md (## Metrics) lists the same table for operators.
 *
 * Naming follows the Prometheus conventions: the `incident_engine_` prefix, the unit in the name
 * (`_seconds`), base units (seconds, not ms). Counters are named without `_total`: the exporter
 * appends it (`countersTotalSuffix`, see src/temporal/metrics-runtime.ts), as it does for the SDK's
 * own counters. Labels are closed lists (severity, stage, scenario, outcome, ...) and never
 * incident IDs, services or free text, so the number of series stays small.
 */
export const METRIC_PREFIX = 'incident_engine_';

/** Bucket bounds in seconds: incidents move in minutes to days, rollbacks in seconds to minutes. */
const HUMAN_SECONDS = [10, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 43_200, 86_400, 259_200];
const ROLLBACK_SECONDS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_800];
const REQUEST_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface CounterDef {
  kind: 'counter';
  name: string;
  description: string;
  labels: readonly string[];
}
interface HistogramDef {
  kind: 'histogram';
  name: string;
  description: string;
  labels: readonly string[];
  /** Bucket upper bounds (seconds); given to the exporter as a histogram bucket override. */
  buckets: readonly number[];
}
interface GaugeDef {
  kind: 'gauge';
  name: string;
  description: string;
  labels: readonly string[];
}
export type MetricDef = CounterDef | HistogramDef | GaugeDef;

const counter = (name: string, labels: readonly string[], description: string): CounterDef => ({
  kind: 'counter',
  name: METRIC_PREFIX + name,
  description,
  labels,
});
const histogram = (
  name: string,
  labels: readonly string[],
  buckets: readonly number[],
  description: string,
): HistogramDef => ({ kind: 'histogram', name: METRIC_PREFIX + name, description, labels, buckets });
const gauge = (name: string, labels: readonly string[], description: string): GaugeDef => ({
  kind: 'gauge',
  name: METRIC_PREFIX + name,
  description,
  labels,
});

export const METRICS = {
  // Incident workflow (src/workflows/incident/metrics.ts), through the workflow metricMeter.
  incidentsOpened: counter(
    'incidents_opened',
    ['severity', 'source', 'scenario'],
    'Incidents opened (a new incident workflow; a deduplicated alert does not count).',
  ),
  timeToAcknowledge: histogram(
    'time_to_acknowledge_seconds',
    ['severity'],
    HUMAN_SECONDS,
    'Detection to acknowledgement.',
  ),
  timeToMitigate: histogram(
    'time_to_mitigate_seconds',
    ['severity', 'scenario'],
    HUMAN_SECONDS,
    'Detection to mitigation (service restored).',
  ),
  timeToResolve: histogram(
    'time_to_resolve_seconds',
    ['severity', 'scenario'],
    HUMAN_SECONDS,
    'Detection to resolution (recovery check passed).',
  ),
  escalations: counter('escalations', ['reason', 'severity'], 'Escalations, by why they happened.'),
  approvalsRequested: counter(
    'approvals_requested',
    ['option', 'severity'],
    'Destructive mitigation options that started waiting for approval.',
  ),
  approvalWait: histogram(
    'approval_wait_seconds',
    ['option', 'outcome'],
    HUMAN_SECONDS,
    'How long an option waited for approval, by how the wait ended (approved, rejected, workaround).',
  ),
  // Rollback workflows (src/workflows/rollback/run-rollback.ts).
  rollbacks: counter('rollbacks', ['procedure', 'outcome'], 'Rollback procedures run, by outcome.'),
  rollbackDuration: histogram(
    'rollback_duration_seconds',
    ['procedure', 'outcome'],
    ROLLBACK_SECONDS,
    'Rollback procedure duration, lock to release.',
  ),
  // Activities (activity Context metricMeter): counted per attempt, retries included.
  notifications: counter(
    'notifications',
    ['kind', 'channel', 'outcome'],
    'Notification attempts (escalations, status updates) by channel (webhook, log) and outcome.',
  ),
  // Worker (src/worker/open-incidents-gauge.ts), from a periodic Visibility listing.
  openIncidents: gauge(
    'open_incidents',
    ['stage', 'severity'],
    'Running incident workflows by stage and severity, counted from Visibility every few seconds.',
  ),
  approvalsWaiting: gauge(
    'approvals_waiting',
    ['severity'],
    'Incidents whose mitigation waits for an approval now (Visibility and the status query).',
  ),
  oldestApprovalAge: gauge(
    'approval_oldest_age_seconds',
    ['severity'],
    'Age of the oldest approval still waiting; 0 when none waits.',
  ),
  // API (src/api/metrics.ts), through the API process's own SDK Runtime.
  webhookRequests: counter(
    'webhook_requests',
    ['route', 'status'],
    'Webhook requests by route (the route pattern, never the raw URL) and HTTP status.',
  ),
  webhookDuration: histogram(
    'webhook_request_duration_seconds',
    ['route'],
    REQUEST_SECONDS,
    'Webhook request handling time.',
  ),
  alertsDeduplicated: counter(
    'alerts_deduplicated',
    ['source'],
    'Firing alerts that joined an already open incident instead of opening one.',
  ),
} as const satisfies Record<string, MetricDef>;

export type MetricKey = keyof typeof METRICS;

/** Escalation reasons: the label values of `escalations`, one per place the workflow escalates. */
export const ESCALATION_REASONS = [
  'immediate',
  'severity-reassigned',
  'ack-deadline',
  'approval-deadline',
  'action-deadline',
  'workaround-deadline',
  'review-deadline',
  'all-options-failed',
  'recovery-check-failed',
  'other',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** The escalation reason of an escalating wait, from its deadline name (see waits.ts). */
export function deadlineReason(deadline: string): EscalationReason {
  const reason = `${deadline}-deadline`;
  return (ESCALATION_REASONS as readonly string[]).includes(reason) ? (reason as EscalationReason) : 'other';
}

/** Histogram bucket overrides for the exporter, keyed by metric name. */
export function histogramBuckets(): Record<string, number[]> {
  return Object.fromEntries(
    Object.values(METRICS).flatMap((def) => (def.kind === 'histogram' ? [[def.name, [...def.buckets]]] : [])),
  );
}

type Instrument<D extends MetricDef> = D extends CounterDef
  ? ReturnType<MetricMeter['createCounter']>
  : D extends HistogramDef
    ? ReturnType<MetricMeter['createHistogram']>
    : ReturnType<MetricMeter['createGauge']>;

/**
 * One instrument of the catalogue on a meter: the workflow's `metricMeter` (replay-safe: its
 * values go through a sink the SDK does not call while replaying), an activity's
 * `Context.metricMeter`, or the process Runtime's meter. Creating an instrument is cheap and has
 * no effect until a value is recorded.
 */
export function instrument<K extends MetricKey>(meter: MetricMeter, key: K): Instrument<(typeof METRICS)[K]> {
  const def: MetricDef = METRICS[key];
  switch (def.kind) {
    case 'counter':
      return meter.createCounter(def.name, undefined, def.description) as Instrument<(typeof METRICS)[K]>;
    case 'histogram':
      return meter.createHistogram(def.name, 'float', 's', def.description) as Instrument<
        (typeof METRICS)[K]
      >;
    case 'gauge':
      return meter.createGauge(def.name, 'int', undefined, def.description) as Instrument<
        (typeof METRICS)[K]
      >;
  }
}
