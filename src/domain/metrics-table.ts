import { formatDuration } from '../contracts/duration';
import { SEVERITIES, type Severity } from '../contracts/incident';
import type { MeanStat, MetricSet, MetricsReport } from './metrics';

/**
 * The guide's "Incident Metrics" table (Metric | Target | Current) with the Current column filled
 * in, and the same rows as data for `--json`. Targets are the guide's; MTTA has none in the table,
 * so its target is the severity's response time from the guide's "Severity Levels".
 */
export interface TargetRow {
  metric: string;
  target: string;
  current: string;
  /** null when there was nothing to measure or the row has no target of its own. */
  met: boolean | null;
}

const MINUTE = 60_000;
export const TARGETS = {
  mttdMs: 5 * MINUTE,
  mttmSev1Ms: 15 * MINUTE,
  mttrMs: 120 * MINUTE,
  reviewPercent: 100,
} as const;

/** The guide's response times (Severity Levels), the acknowledgement target per severity. */
export const RESPONSE_TIME_TEXT: Record<Severity, string> = {
  'SEV-1': '15 min',
  'SEV-2': '1 hour',
  'SEV-3': '4 hours',
  'SEV-4': 'next business day',
};
const RESPONSE_TIME_MS: Partial<Record<Severity, number>> = {
  'SEV-1': 15 * MINUTE,
  'SEV-2': 60 * MINUTE,
  'SEV-3': 240 * MINUTE,
};

export const formatMean = (stat: MeanStat): string =>
  stat.meanMs === null ? 'no data' : `${formatDuration(stat.meanMs)} (n=${stat.n})`;
const formatMs = (value: number | null): string => (value === null ? 'no data' : formatDuration(value));
const under = (stat: MeanStat, limit: number): boolean | null =>
  stat.meanMs === null ? null : stat.meanMs < limit;

function reviewText(set: MetricSet): string {
  const r = set.review;
  if (r.percent === null) return r.pending ? `nothing due yet (${r.pending} pending)` : 'no data';
  const extra = [
    r.completedLate && `${r.completedLate} late`,
    r.missing && `${r.missing} missing`,
    r.pending && `${r.pending} pending`,
  ].filter(Boolean);
  return `${Math.round(r.percent * 10) / 10}% (${r.completedWithinWindow} of ${r.due} due${extra.length ? `; ${extra.join(', ')}` : ''})`;
}

/** The rows of the guide's table, plus MTTA and the split of MTTM. */
export function targetRows(report: MetricsReport): TargetRow[] {
  const { overall } = report;
  const sev1 = report.bySeverity['SEV-1'];
  const mttmSev1: MeanStat = sev1 ? sev1.mttm : { meanMs: null, n: 0 };
  const ackMet = SEVERITIES.map((s) => {
    const set = report.bySeverity[s];
    const limit = RESPONSE_TIME_MS[s];
    return set && limit !== undefined ? under(set.mtta, limit) : null;
  }).filter((v): v is boolean => v !== null);
  return [
    {
      metric: 'Mean Time to Detect (MTTD)',
      target: '<5 min',
      current: formatMean(overall.mttd),
      met: under(overall.mttd, TARGETS.mttdMs),
    },
    {
      metric: 'Mean Time to Acknowledge (MTTA)',
      target: 'SEV-1 15 min, SEV-2 1 hour, SEV-3 4 hours, SEV-4 next business day',
      current: formatMean(overall.mtta),
      met: ackMet.length ? ackMet.every(Boolean) : null,
    },
    {
      metric: 'Mean Time to Mitigate (MTTM)',
      target: '<15 min (SEV-1)',
      current: `SEV-1: ${formatMean(mttmSev1)}; all: ${formatMean(overall.mttm)}`,
      met: under(mttmSev1, TARGETS.mttmSev1Ms),
    },
    {
      metric: '- of which waiting for people (ack, approvals)',
      target: '',
      current: formatMs(overall.mttm.waitingForPeopleMs),
      met: null,
    },
    {
      metric: '- of which remediation ran',
      target: '',
      current: formatMs(overall.mttm.remediationMs),
      met: null,
    },
    {
      metric: '- of which triage and engine steps',
      target: '',
      current: formatMs(overall.mttm.otherMs),
      met: null,
    },
    {
      metric: 'Mean Time to Resolve (MTTR)',
      target: '<2 hours',
      current: formatMean(overall.mttr),
      met: under(overall.mttr, TARGETS.mttrMs),
    },
    {
      metric: 'Post-incident review completion',
      target: '100% within 48h',
      current: reviewText(overall),
      met: overall.review.percent === null ? null : overall.review.percent >= TARGETS.reviewPercent,
    },
  ];
}

const cell = (text: string) => text.replaceAll('|', '\\|');
const mark = (met: boolean | null) => (met === null ? '' : met ? ' (met)' : ' (missed)');

function periodText(report: MetricsReport): string {
  const { since, until } = report.period;
  const range =
    since || until ? `${since ?? 'the beginning'} to ${until ?? 'now'}` : 'all recorded incidents';
  return `${range}${report.severity ? `, ${report.severity} only` : ''}`;
}

/** Markdown: the guide's table, then one line per severity. */
export function renderMetricsTable(report: MetricsReport): string {
  const rows = targetRows(report)
    .map((row) => `| ${cell(row.metric)} | ${cell(row.target)} | ${cell(row.current)}${mark(row.met)} |`)
    .join('\n');
  const perSeverity = SEVERITIES.filter((s) => report.bySeverity[s])
    .map((s) => {
      const set = report.bySeverity[s]!;
      return `| ${s} | ${set.incidents} | ${formatMean(set.mttd)} | ${formatMean(set.mtta)} | ${formatMean(set.mttm)} | ${formatMs(set.mttm.waitingForPeopleMs)} | ${formatMs(set.mttm.remediationMs)} | ${formatMean(set.mttr)} | ${cell(reviewText(set))} |`;
    })
    .join('\n');
  return `## Incident Metrics

Period: ${periodText(report)}. Incidents: ${report.overall.incidents}.

| Metric | Target | Current |
|--------|--------|---------|
${rows}

### By severity

| Severity | Incidents | MTTD | MTTA | MTTM | waiting for people | remediation | MTTR | Review within 48h |
|----------|-----------|------|------|------|--------------------|-------------|------|-------------------|
${perSeverity || '| (none) | 0 | | | | | | | |'}
`;
}
