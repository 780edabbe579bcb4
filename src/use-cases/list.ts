import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import { SCENARIOS, SEVERITIES, STAGES } from '../contracts/incident';
import { SA } from '../contracts/search-attributes';
import { INCIDENT_WORKFLOW_TYPE } from '../contracts/messages';

/** Filters for `incident list` and `GET /incidents`; every value is a closed list or a safe name. */
export const listFiltersSchema = z
  .object({
    stage: z.enum(STAGES).optional(),
    severity: z.enum(SEVERITIES).optional(),
    scenario: z.enum(SCENARIOS).optional(),
    service: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be a service name')
      .optional(),
    status: z.enum(['open', 'closed', 'all']).default('all'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export type ListFilters = z.infer<typeof listFiltersSchema>;

export interface IncidentSummary {
  workflowId: string;
  runId: string;
  incidentId?: string;
  severity?: string;
  stage?: string;
  services: string[];
  scenario?: string;
  /** Temporal's execution status: Running, Completed, Failed, Terminated ... */
  executionStatus: string;
  startTime: string;
  closeTime?: string;
}

/** Builds the visibility query; values come only from the validated enums and names above. */
export function listQuery(filters: ListFilters): string {
  const clauses = [`WorkflowType = '${INCIDENT_WORKFLOW_TYPE}'`];
  if (filters.stage) clauses.push(`${SA.stage.name} = '${filters.stage}'`);
  if (filters.severity) clauses.push(`${SA.severity.name} = '${filters.severity}'`);
  if (filters.scenario) clauses.push(`${SA.scenario.name} = '${filters.scenario}'`);
  if (filters.service) clauses.push(`${SA.services.name} = '${filters.service}'`);
  if (filters.status === 'open') clauses.push(`ExecutionStatus = 'Running'`);
  if (filters.status === 'closed') clauses.push(`ExecutionStatus != 'Running'`);
  return clauses.join(' AND ');
}

const summarize = (info: WorkflowExecutionInfo): IncidentSummary => ({
  workflowId: info.workflowId,
  runId: info.runId,
  incidentId: info.typedSearchAttributes.get(SA.incidentId),
  severity: info.typedSearchAttributes.get(SA.severity),
  stage: info.typedSearchAttributes.get(SA.stage),
  services: info.typedSearchAttributes.get(SA.services) ?? [],
  scenario: info.typedSearchAttributes.get(SA.scenario),
  executionStatus: info.status.name,
  startTime: info.startTime.toISOString(),
  closeTime: info.closeTime?.toISOString(),
});

/** Newest first, from visibility (eventually consistent: about a second behind on the dev server). */
export async function listIncidents(client: Client, filters: ListFilters): Promise<IncidentSummary[]> {
  const out: IncidentSummary[] = [];
  for await (const info of client.workflow.list({
    query: listQuery(filters),
    pageSize: Math.min(filters.limit, 100),
  })) {
    out.push(summarize(info));
    if (out.length >= filters.limit) break;
  }
  return out;
}
