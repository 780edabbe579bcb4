import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Severity } from '../contracts/incident';
import { type IncidentStatus, statusQuery } from '../contracts/messages';
import { SA } from '../contracts/search-attributes';
import { INCIDENT_WORKFLOW_TYPE } from '../contracts/messages';

/**
 * Incident history for metrics and recurring-incident analysis, read from Temporal itself (the
 * source of truth; no separate index to drift from it):
 * - visibility lists the incident workflows (type, start time and our search attributes narrow
 *   the list on the server);
 * - a completed incident's record is its workflow result (the final IncidentStatus), read from
 *   history without a worker;
 * - a running (or failed / terminated) one answers the `status` query, which needs a worker; when
 *   none answers in time it is reported as skipped, never guessed.
 * Runs that continued as new are skipped (the chain's latest run carries the whole state).
 */
export interface HistoryQuery {
  /** Only incidents whose workflow started at or after this (detection time is filtered later). */
  since?: Date;
  severity?: Severity;
  scenario?: string;
  /** Any of these services. */
  services?: string[];
  /** Also match incidents of this scenario OR these services (related-incident search). */
  matchAny?: boolean;
  /** Leave this workflow out (the asking incident). */
  excludeWorkflowId?: string;
  /** At most this many incident workflows are read (newest first). */
  limit?: number;
}

export interface HistoryResult {
  records: IncidentStatus[];
  skipped: { workflowId: string; reason: string }[];
}

export interface HistoryOptions {
  /** Per-incident bound on a `status` query (a query without a worker would wait). */
  queryTimeoutMs?: number;
  /** Incidents read at once. */
  concurrency?: number;
}

const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const quoted = (value: string, field: string): string => {
  if (!SAFE_VALUE.test(value))
    throw new Error(`refused ${field} ${JSON.stringify(value)} in a visibility query`);
  return `'${value}'`;
};

/** The visibility query; every value is validated before it is quoted. */
export function historyQuery(q: HistoryQuery): string {
  const clauses = [`WorkflowType = '${INCIDENT_WORKFLOW_TYPE}'`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (q.since) clauses.push(`StartTime >= '${q.since.toISOString()}'`);
  if (q.severity) clauses.push(`${SA.severity.name} = ${quoted(q.severity, 'severity')}`);
  const match: string[] = [];
  if (q.scenario) match.push(`${SA.scenario.name} = ${quoted(q.scenario, 'scenario')}`);
  if (q.services?.length)
    match.push(`(${q.services.map((s) => `${SA.services.name} = ${quoted(s, 'service')}`).join(' OR ')})`);
  if (match.length) clauses.push(q.matchAny ? `(${match.join(' OR ')})` : match.join(' AND '));
  if (q.excludeWorkflowId) clauses.push(`WorkflowId != ${quoted(q.excludeWorkflowId, 'workflowId')}`);
  return clauses.join(' AND ');
}

async function readRecord(
  client: Client,
  info: WorkflowExecutionInfo,
  queryTimeoutMs: number,
): Promise<IncidentStatus> {
  const handle = client.workflow.getHandle(info.workflowId, info.runId);
  if (info.status.name === 'COMPLETED') return (await handle.result()) as IncidentStatus;
  return client.withDeadline(Date.now() + queryTimeoutMs, () => handle.query(statusQuery));
}

/** Reads the incident records matching `q`, newest first. */
export async function gatherIncidentHistory(
  client: Client,
  q: HistoryQuery,
  options: HistoryOptions = {},
): Promise<HistoryResult> {
  const limit = q.limit ?? 500;
  const infos: WorkflowExecutionInfo[] = [];
  const seen = new Set<string>();
  for await (const info of client.workflow.list({ query: historyQuery(q), pageSize: 100 })) {
    if (seen.has(info.workflowId)) continue;
    seen.add(info.workflowId);
    infos.push(info);
    if (infos.length >= limit) break;
  }
  const records: (IncidentStatus | undefined)[] = new Array<IncidentStatus | undefined>(infos.length);
  const skipped: HistoryResult['skipped'] = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(options.concurrency ?? 8, infos.length) }, async () => {
    while (next < infos.length) {
      const i = next++;
      const info = infos[i]!;
      try {
        records[i] = await readRecord(client, info, options.queryTimeoutMs ?? 5_000);
      } catch (error) {
        skipped.push({
          workflowId: info.workflowId,
          reason: `${info.status.name.toLowerCase()}: ${(error as Error).message.split('\n')[0]}`,
        });
      }
    }
  });
  await Promise.all(workers);
  return { records: records.filter((r): r is IncidentStatus => r !== undefined), skipped };
}
