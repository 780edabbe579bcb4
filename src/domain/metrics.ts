import type { IncidentStatus } from '../contracts/messages';
import { SEVERITIES, type Severity } from '../contracts/incident';

/**
 * The guide's "Incident Metrics", computed from the incidents' own recorded times (the `status`
 * each incident workflow keeps). Pure: the CLI, tests and any future dashboard share it.
 *
 * Definitions (every mean is over the incidents that have both ends of the interval; `n` says
 * how many that was):
 * - MTTD, time to detect: `detectedAt - alertedAt` (when the alert fired to when the engine opened
 *   the incident). Incidents without an `alertedAt` (manual starts) have no detection time and are
 *   left out rather than counted as zero.
 * - MTTA, time to acknowledge: `acknowledgedAt - detectedAt`.
 * - MTTM, time to mitigate: `mitigatedAt - detectedAt`, split into time waiting for people (the
 *   acknowledgement, and each destructive option waiting for its approval), time remediation ran
 *   (rollback child workflows, and options a human carries out until their outcome is recorded),
 *   and the rest (triage diagnostics, the engine's own steps).
 * - MTTR, time to resolve: `resolvedAt - detectedAt`. MTTD + MTTR is the report's "Duration".
 * - Review completion: of the incidents whose review was due (resolved more than 48 hours before
 *   `now`, or already reviewed), the share reviewed within 48 hours of resolution.
 */
export type IncidentRecord = Pick<
  IncidentStatus,
  | 'incidentId'
  | 'workflowId'
  | 'severity'
  | 'services'
  | 'scenario'
  | 'summary'
  | 'stage'
  | 'detectedAt'
  | 'alertedAt'
  | 'acknowledgedAt'
  | 'mitigatedAt'
  | 'resolvedAt'
  | 'reviewedAt'
  | 'closedAt'
  | 'optionsTried'
  | 'timeline'
> &
  Partial<Pick<IncidentStatus, 'resolution' | 'review' | 'reportPath'>>;

export const REVIEW_WINDOW_MS = 48 * 3_600_000;

export interface MeanStat {
  /** Mean in milliseconds, null when no incident had both ends of the interval. */
  meanMs: number | null;
  n: number;
}

export interface MitigationSplit {
  /** Mean time waiting for people (acknowledgement, approvals). */
  waitingForPeopleMs: number | null;
  /** Mean time remediation ran (rollback workflows, human-run options until their outcome). */
  remediationMs: number | null;
  /** Mean of the rest: triage, the engine's own steps. */
  otherMs: number | null;
}

export interface ReviewStat {
  /** Incidents whose review was due (reviewed, or resolved more than 48 h ago). */
  due: number;
  completedWithinWindow: number;
  completedLate: number;
  missing: number;
  /** Resolved less than 48 h ago and not yet reviewed: not counted either way. */
  pending: number;
  /** completedWithinWindow / due, in percent; null when nothing was due. */
  percent: number | null;
}

export interface MetricSet {
  incidents: number;
  mttd: MeanStat;
  mtta: MeanStat;
  mttm: MeanStat & MitigationSplit;
  mttr: MeanStat;
  review: ReviewStat;
}

export interface MetricsFilter {
  /** Incidents detected at or after this instant. */
  since?: Date;
  /** Incidents detected before this instant. */
  until?: Date;
  severity?: Severity;
}

export interface MetricsReport {
  period: { since?: string; until?: string };
  severity?: Severity;
  generatedAt: string;
  overall: MetricSet;
  bySeverity: Partial<Record<Severity, MetricSet>>;
}

const ms = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
};

/** `to - from` in ms, undefined unless both exist and `to` is not before `from`. */
export function interval(from: string | undefined, to: string | undefined): number | undefined {
  const a = ms(from);
  const b = ms(to);
  return a === undefined || b === undefined || b < a ? undefined : b - a;
}

function mean(values: (number | undefined)[]): MeanStat {
  const present = values.filter((v): v is number => v !== undefined);
  return {
    meanMs: present.length ? present.reduce((sum, v) => sum + v, 0) / present.length : null,
    n: present.length,
  };
}

/** Sum of the overlap of [start, end) intervals with [lo, hi), intervals merged first. */
function coveredMs(intervals: [number, number][], lo: number, hi: number): number {
  const clipped = intervals
    .map(([a, b]): [number, number] => [Math.max(a, lo), Math.min(b, hi)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [curA, curB] = [Number.NaN, Number.NaN];
  for (const [a, b] of clipped) {
    if (Number.isNaN(curA) || a > curB) {
      if (!Number.isNaN(curA)) total += curB - curA;
      [curA, curB] = [a, b];
    } else curB = Math.max(curB, b);
  }
  if (!Number.isNaN(curA)) total += curB - curA;
  return total;
}

/** First time at or after `from` that satisfies `pick`, in ms. */
function firstAfter<T>(items: T[], from: number, at: (item: T) => string, pick: (item: T) => boolean) {
  let best: number | undefined;
  for (const item of items) {
    const t = ms(at(item));
    if (t === undefined || t < from || !pick(item)) continue;
    if (best === undefined || t < best) best = t;
  }
  return best;
}

export interface MitigationBreakdown {
  totalMs: number;
  waitingForPeopleMs: number;
  remediationMs: number;
  otherMs: number;
}

/**
 * Splits one incident's detection-to-mitigation time. People: [detectedAt, acknowledgedAt] and
 * each `proposed` option that waits for approval until its approved/rejected record. Remediation:
 * each `rollback-started` until its `rollback-succeeded`/`mitigation-failed` entry, and each
 * option proposed for a human to carry out until its outcome record. Time counted as people is
 * not counted again as remediation.
 */
export function mitigationBreakdown(record: IncidentRecord): MitigationBreakdown | undefined {
  const total = interval(record.detectedAt, record.mitigatedAt);
  if (total === undefined) return undefined;
  const lo = ms(record.detectedAt)!;
  const hi = ms(record.mitigatedAt)!;
  const people: [number, number][] = [];
  const remediation: [number, number][] = [];
  const ack = ms(record.acknowledgedAt);
  people.push([lo, ack ?? hi]);
  for (const entry of record.timeline) {
    const start = ms(entry.at);
    if (start === undefined) continue;
    if (entry.kind === 'proposed') {
      // The lifecycle writes "<option> (<risk>) waits for approval: ..." or "<option> is for a human ...".
      const option = entry.message.split(' ')[0];
      const forApproval = /waits for approval/.test(entry.message);
      const end =
        firstAfter(
          record.optionsTried,
          start,
          (a) => a.at,
          (a) =>
            a.option === option &&
            (forApproval ? a.outcome === 'approved' || a.outcome === 'rejected' : a.outcome !== 'approved'),
        ) ?? hi;
      (forApproval ? people : remediation).push([start, end]);
    } else if (entry.kind === 'rollback-started') {
      const end =
        firstAfter(
          record.timeline,
          start,
          (e) => e.at,
          (e) => e.kind === 'rollback-succeeded' || e.kind === 'mitigation-failed',
        ) ?? hi;
      remediation.push([start, end]);
    }
  }
  const waitingForPeopleMs = coveredMs(people, lo, hi);
  const remediationAll = coveredMs([...remediation, ...people], lo, hi);
  const remediationMs = remediationAll - waitingForPeopleMs;
  return {
    totalMs: total,
    waitingForPeopleMs,
    remediationMs,
    otherMs: total - waitingForPeopleMs - remediationMs,
  };
}

/** When the review was recorded: the final `reviewedAt`, else the review record's own time. */
const reviewedAt = (record: IncidentRecord): string | undefined => record.reviewedAt ?? record.review?.at;

function reviewStat(records: IncidentRecord[], now: Date, windowMs: number): ReviewStat {
  const stat: ReviewStat = {
    due: 0,
    completedWithinWindow: 0,
    completedLate: 0,
    missing: 0,
    pending: 0,
    percent: null,
  };
  for (const record of records) {
    const resolved = ms(record.resolvedAt);
    if (resolved === undefined) continue;
    const reviewed = ms(reviewedAt(record));
    if (reviewed !== undefined) {
      stat.due++;
      if (reviewed - resolved <= windowMs) stat.completedWithinWindow++;
      else stat.completedLate++;
    } else if (now.getTime() - resolved > windowMs) {
      stat.due++;
      stat.missing++;
    } else stat.pending++;
  }
  stat.percent = stat.due ? (100 * stat.completedWithinWindow) / stat.due : null;
  return stat;
}

/** The metric set of one group of incidents. */
export function computeMetricSet(
  records: IncidentRecord[],
  now: Date,
  reviewWindowMs = REVIEW_WINDOW_MS,
): MetricSet {
  const breakdowns = records
    .map(mitigationBreakdown)
    .filter((b): b is MitigationBreakdown => b !== undefined);
  const splitMean = (key: keyof MitigationBreakdown) => mean(breakdowns.map((b) => b[key])).meanMs;
  return {
    incidents: records.length,
    mttd: mean(records.map((r) => interval(r.alertedAt, r.detectedAt))),
    mtta: mean(records.map((r) => interval(r.detectedAt, r.acknowledgedAt))),
    mttm: {
      ...mean(breakdowns.map((b) => b.totalMs)),
      waitingForPeopleMs: splitMean('waitingForPeopleMs'),
      remediationMs: splitMean('remediationMs'),
      otherMs: splitMean('otherMs'),
    },
    mttr: mean(records.map((r) => interval(r.detectedAt, r.resolvedAt))),
    review: reviewStat(records, now, reviewWindowMs),
  };
}

/** Keeps the incidents detected in [since, until) of the given severity. */
export function filterRecords<T extends IncidentRecord>(records: T[], filter: MetricsFilter): T[] {
  return records.filter((record) => {
    const detected = ms(record.detectedAt);
    if (detected === undefined) return false;
    if (filter.since && detected < filter.since.getTime()) return false;
    if (filter.until && detected >= filter.until.getTime()) return false;
    return !filter.severity || record.severity === filter.severity;
  });
}

/** Metrics over the period, overall and per severity (only severities that had incidents). */
export function computeMetrics(
  records: IncidentRecord[],
  filter: MetricsFilter,
  now: Date,
  reviewWindowMs = REVIEW_WINDOW_MS,
): MetricsReport {
  const selected = filterRecords(records, filter);
  const bySeverity: Partial<Record<Severity, MetricSet>> = {};
  for (const severity of SEVERITIES) {
    const group = selected.filter((r) => r.severity === severity);
    if (group.length) bySeverity[severity] = computeMetricSet(group, now, reviewWindowMs);
  }
  return {
    period: { since: filter.since?.toISOString(), until: filter.until?.toISOString() },
    ...(filter.severity ? { severity: filter.severity } : {}),
    generatedAt: now.toISOString(),
    overall: computeMetricSet(selected, now, reviewWindowMs),
    bySeverity,
  };
}
