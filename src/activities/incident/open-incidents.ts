import type { Severity } from '../../contracts/incident';
import type { ActivityDeps } from '../deps';

export interface OpenIncidentCountInput {
  severity: Severity;
  /** The asking incident, never counted. */
  excludeWorkflowId: string;
}

export interface OpenIncidentCount {
  /** Undefined when visibility could not be asked (no client configured). */
  count?: number;
  detail: string;
}

/** Stages in which an incident still counts as open (not yet resolved). */
const OPEN_STAGES = ['detection', 'triage', 'mitigation', 'resolution'];

export function createOpenIncidentActivities(deps: ActivityDeps) {
  return {
    /**
     * Counts other running incidents of `severity` that are not yet resolved, through the
     * Temporal visibility API (search attributes IncidentSeverity and IncidentStage). Read-only,
     * safe to retry; visibility is eventually consistent, so an incident opened a moment ago may
     * be missed.
     */
    async countOpenIncidents(input: OpenIncidentCountInput): Promise<OpenIncidentCount> {
      if (!deps.client) return { detail: 'no Temporal client configured for visibility queries' };
      const stages = OPEN_STAGES.map((stage) => `IncidentStage = '${stage}'`).join(' OR ');
      const query =
        `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running' AND ` +
        `IncidentSeverity = '${input.severity}' AND (${stages}) AND WorkflowId != '${input.excludeWorkflowId.replaceAll("'", '')}'`;
      const { count } = await deps.client.workflow.count(query);
      return { count, detail: `${count} other open ${input.severity} incident(s)` };
    },
  };
}
