import type { Command } from 'commander';
import { z } from 'zod';
import { gatherIncidentHistory } from '../../temporal/incident-history';
import { parseOrThrow } from '../../use-cases/validation';
import { SEVERITIES } from '../../contracts/incident';
import { computeMetrics, filterRecords } from '../../domain/metrics';
import { renderMetricsTable, targetRows } from '../../domain/metrics-table';
import { groupRecurring } from '../../domain/recurring';
import { example, withContext } from '../action';

interface MetricsOptions {
  since?: string;
  until?: string;
  severity?: string;
}

const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'must be an ISO 8601 date (2026-10-01) or date-time (2026-10-01T00:00:00Z)',
  })
  .transform((value) => new Date(value));

const metricsOptionsSchema = z
  .object({
    since: instant.optional(),
    until: instant.optional(),
    severity: z.enum(SEVERITIES).optional(),
  })
  .strict();

/**
 * `incident metrics`: the guide's Incident Metrics table with its Current column filled from the
 * incidents' own recorded times (Temporal is the source: visibility, then each incident's result
 * or `status` query), per severity, plus the recurring patterns in the period.
 */
export function registerMetrics(program: Command): void {
  const command = program
    .command('metrics')
    .description("the guide's incident metrics (MTTD, MTTA, MTTM, MTTR, review within 48h)")
    .option('--since <date>', 'incidents detected at or after (ISO 8601 date or date-time)')
    .option('--until <date>', 'incidents detected before (ISO 8601 date or date-time)')
    .option('--severity <sev>', SEVERITIES.join(', '))
    .option('--json', 'print JSON');
  example(
    command,
    'incident metrics --since 2026-10-01 --until 2027-01-01',
    'incident metrics --severity SEV-1 --json',
  );
  command.action(
    withContext<MetricsOptions>(async (ctx, _args, opts) => {
      const filter = parseOrThrow(metricsOptionsSchema, {
        since: opts.since,
        until: opts.until,
        severity: opts.severity,
      });
      const { records, skipped } = await gatherIncidentHistory(await ctx.client(), {
        ...(filter.since ? { since: filter.since } : {}),
        ...(filter.severity ? { severity: filter.severity } : {}),
      });
      const report = computeMetrics(records, filter, new Date());
      const recurring = groupRecurring(filterRecords(records, filter)).filter((g) => g.repeated);
      ctx.print({ ...report, targets: targetRows(report), recurring, skipped }, () =>
        [
          renderMetricsTable(report),
          recurring.length
            ? `### Recurring incidents\n\n${recurring.map((g) => `- ${g.label}: ${g.incidents.length} incidents (${g.incidents.map((i) => i.incidentId).join(', ')})`).join('\n')}\n`
            : '### Recurring incidents\n\nNone in this period.\n',
          ...(skipped.length
            ? [
                `Not counted (no record available): ${skipped.map((s) => `${s.workflowId} (${s.reason})`).join('; ')}`,
              ]
            : []),
        ].join('\n'),
      );
    }),
  );
}
