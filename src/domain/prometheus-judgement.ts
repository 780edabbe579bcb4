/**
 * The recovery check's verdict on one Prometheus answer (issue 13 item 4): pure, so the workflow
 * judges in replay-safe code and the unit tests cover every case without a server. The
 * activity (src/activities/target/prometheus-query.ts) only fetches.
 */
import { type PrometheusCheck, sloThreshold } from '../contracts/policy';

/** One series of an instant-query answer, as it travels through workflow history. */
export interface PromSeries {
  /** `{code="500",job="mcp"}`, for messages. */
  labels: string;
  /**
   * The value exactly as Prometheus wrote it ("0.25", "NaN", "+Inf"): history payloads are JSON,
   * where NaN would silently become null.
   */
  value: string;
}

export interface PromAnswer {
  /** How many series the query returned (only the first few travel in `series`). */
  seriesCount: number;
  series: PromSeries[];
}

export interface PromThreshold {
  bound: 'max' | 'min';
  value: number;
}

export interface PromVerdict {
  ok: boolean;
  /** The single value, when there was one. */
  value?: number;
  /** One line for the timeline and the escalation: what was seen against what was required. */
  detail: string;
}

/** The threshold a check applies, with `'slo'` resolved from the SLO's availability. */
export function thresholdOf(check: PrometheusCheck, availabilityPercent: number): PromThreshold {
  const bound = check.max !== undefined ? 'max' : 'min';
  const written = check.max ?? check.min!;
  return { bound, value: written === 'slo' ? sloThreshold(bound, availabilityPercent) : written };
}

export const describeThreshold = (t: PromThreshold): string => `${t.bound === 'max' ? '≤' : '≥'} ${t.value}`;

/** Prometheus' float text: Go's formatting, so infinities are "+Inf" / "-Inf" (Number() says NaN). */
export function parsePromValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return text.trim() === '' ? Number.NaN : Number(text);
}

const shown = (value: number): string =>
  Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);

/**
 * Passes only for exactly one finite value on the right side of the threshold. No series, several
 * series and NaN all fail: each means the query does not measure what the check needs (no data
 * is not good news), and the detail says how to fix the query.
 */
export function judgePrometheus(answer: PromAnswer, threshold: PromThreshold): PromVerdict {
  if (answer.seriesCount === 0)
    return {
      ok: false,
      detail:
        'the query returned no series (no data: is the service scraped? if no series means no errors, append `or vector(0)`)',
    };
  if (answer.seriesCount > 1)
    return {
      ok: false,
      detail: `the query returned ${answer.seriesCount} series (${answer.series[0]!.labels}, ...); it must return one value: aggregate it, e.g. sum(...)`,
    };
  const value = parsePromValue(answer.series[0]!.value);
  if (Number.isNaN(value))
    return {
      ok: false,
      detail: 'the query returned NaN (no requests in its range? 0/0 is not a ratio)',
    };
  const ok = threshold.bound === 'max' ? value <= threshold.value : value >= threshold.value;
  return {
    ok,
    value,
    detail: `value ${shown(value)} ${ok ? 'within' : 'outside'} ${describeThreshold(threshold)}`,
  };
}
