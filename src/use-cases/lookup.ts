import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { incidentWorkflowId, SAFE_NAME } from '../contracts/incident';
import { incidentIdFor } from '../domain/incident-id';
import { SA } from '../contracts/search-attributes';
import { IncidentNotFoundError, InvalidRequestError } from './errors';
import { INCIDENT_WORKFLOW_TYPE } from '../contracts/messages';

/** One incident run: the workflow ID, plus the run when the caller named a specific incident. */
export interface IncidentRef {
  workflowId: string;
  /** Set when looked up by incident ID: a fingerprint can have several incidents over time. */
  runId?: string;
  description: WorkflowExecutionDescription;
}

export interface LookupOptions {
  /**
   * How long to keep asking visibility for an incident ID. Visibility is eventually consistent
   * (about a second on the dev server), so an incident opened a moment ago may not be listed yet.
   */
  visibilityWaitMs?: number;
}

const INCIDENT_ID = /^INCIDENT-\d{8}-\d{6}(?:-[A-Za-z0-9]{1,32})?$/;

async function describe(client: Client, workflowId: string, runId?: string) {
  try {
    return await client.workflow.getHandle(workflowId, runId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

async function findByIncidentId(client: Client, incidentId: string, waitMs: number) {
  const query = `WorkflowType = '${INCIDENT_WORKFLOW_TYPE}' AND ${SA.incidentId.name} = '${incidentId}'`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    let newest: { workflowId: string; runId: string; startTime: Date } | undefined;
    for await (const info of client.workflow.list({ query, pageSize: 10 })) {
      if (!newest || info.startTime > newest.startTime) newest = info;
    }
    if (newest || Date.now() >= deadline) return newest;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Finds an incident by its guide ID (`INCIDENT-20261127-163000`, through the IncidentId search
 * attribute), its workflow ID (`incident-am-3fa2...`) or its dedup fingerprint. The ID is checked
 * against a strict pattern before it reaches a visibility query, so it cannot inject one.
 */
/** Refuses a string that cannot name an incident, before any connection is made. */
export function assertIncidentRef(id: string): void {
  if (!SAFE_NAME.test(id)) {
    throw new InvalidRequestError(
      `incident must be an incident ID (INCIDENT-YYYYMMDD-HHMMSS), a workflow ID or a fingerprint, got ${JSON.stringify(id.slice(0, 80))}`,
      'id',
    );
  }
}

export async function lookupIncident(
  client: Client,
  id: string,
  options: LookupOptions = {},
): Promise<IncidentRef> {
  assertIncidentRef(id);
  if (INCIDENT_ID.test(id)) {
    const found = await findByIncidentId(client, id, options.visibilityWaitMs ?? 3_000);
    const description = found && (await describe(client, found.workflowId, found.runId));
    if (!found || !description) throw new IncidentNotFoundError(id);
    return { workflowId: found.workflowId, runId: found.runId, description };
  }
  for (const workflowId of id.startsWith('incident-') ? [id] : [id, incidentWorkflowId(id)]) {
    const description = await describe(client, workflowId);
    if (description && description.type === INCIDENT_WORKFLOW_TYPE) return { workflowId, description };
  }
  throw new IncidentNotFoundError(id);
}

/** Reads one of our search attributes from a description (undefined until the workflow sets it). */
export const incidentIdOf = (description: WorkflowExecutionDescription): string | undefined =>
  description.typedSearchAttributes.get(SA.incidentId);

/**
 * The incident ID of a run without asking a worker: the IncidentId search attribute once the
 * workflow has set it, otherwise derived exactly as the workflow derives it (start time and
 * workflow ID, src/domain/incident-id.ts). One describe call, answered by the server alone.
 */
export async function incidentIdOfRun(client: Client, workflowId: string, runId?: string): Promise<string> {
  const description = await client.workflow.getHandle(workflowId, runId).describe();
  return incidentIdOf(description) ?? incidentIdFor(description.startTime, workflowId);
}
