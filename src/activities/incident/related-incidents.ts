import { gatherIncidentHistory } from '../../temporal/incident-history';
import { findRelated, type HistoryRecord } from '../../domain/recurring';
import type { RelatedIncident } from '../../domain/report';
import type { ActivityDeps } from '../deps';

/** The asking incident, as the lifecycle's review step knows it. */
export interface FindRelatedIncidentsInput {
  incidentId: string;
  workflowId: string;
  scenario: string;
  services: string[];
  /** The deepest of the 5 whys, when resolution recorded it; matches incidents with the same cause. */
  rootCause?: string;
}

/** How many past incidents are read; the newest are the ones a report needs. */
const HISTORY_LIMIT = 100;

/** "SEV-2 MCP server down (same scenario ... on mcp; detected 2026-11-20 14:30 UTC)". */
function describe(record: HistoryRecord, reasons: string[]): string {
  const when = `${record.detectedAt.slice(0, 10)} ${record.detectedAt.slice(11, 16)} UTC`;
  return `${record.severity} ${record.summary} (${reasons.join('; ')}; detected ${when})`;
}

export function createRelatedIncidentActivities(deps: ActivityDeps) {
  return {
    /**
     * The post-incident report's "Related Incidents": earlier or concurrent incidents with the
     * same scenario on a shared service, or the same root cause, newest first (at most 10), each
     * linked to its report folder. Reads Temporal visibility and the incidents' records
     * (src/temporal/incident-history.ts); read-only, so a retry is harmless. Without a Temporal
     * client it returns nothing and says so in the log.
     */
    async findRelatedIncidents(input: FindRelatedIncidentsInput): Promise<RelatedIncident[]> {
      if (!deps.client) {
        deps.log(
          `[related] ${input.incidentId}: no Temporal client configured; related incidents not searched`,
          { incidentId: input.incidentId, step: 'related-incidents' },
        );
        return [];
      }
      const { records } = await gatherIncidentHistory(
        deps.client,
        {
          ...(input.scenario !== 'unknown' ? { scenario: input.scenario } : {}),
          services: input.services,
          matchAny: true,
          excludeWorkflowId: input.workflowId,
          limit: HISTORY_LIMIT,
        },
        { queryTimeoutMs: 3_000, concurrency: 4 },
      );
      return findRelated(
        {
          workflowId: input.workflowId,
          scenario: input.scenario,
          services: input.services,
          ...(input.rootCause ? { rootCause: input.rootCause } : {}),
        },
        records.filter((r) => r.incidentId !== input.incidentId),
      ).map(({ record, reasons }) => ({
        incidentId: record.incidentId,
        summary: describe(record, reasons),
        ...(record.reportPath ? { link: `../${record.incidentId}/report.md` } : {}),
      }));
    },
  };
}
