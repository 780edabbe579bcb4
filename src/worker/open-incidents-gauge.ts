import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { SEVERITIES, STAGES } from '../contracts/incident';
import { INCIDENT_WORKFLOW_TYPE, statusQuery } from '../contracts/messages';
import { instrument } from '../contracts/metrics';
import { SA } from '../contracts/search-attributes';

/** Running incidents are few; past this many in mitigation the approval gauges stop querying. */
const MAX_STATUS_QUERIES = 50;

export interface OpenIncidentCounts {
  /** `stage|severity` → running incidents. */
  byStageAndSeverity: Map<string, number>;
  approvalsWaiting: Map<string, number>;
  /** Severity → age in seconds of the oldest approval still waiting. */
  oldestApprovalAge: Map<string, number>;
}

/**
 * Counts running incidents by stage and severity from Visibility (the search attributes every
 * stage change upserts), and asks the `status` query of those in mitigation whether an approval
 * is waiting and since when.
 *
 * Why a periodic count and not a gauge kept by the workflows (entered/left counters): a count from
 * Visibility is right after a worker restart (counters reset, so entered − left would drift), after
 * a workflow is terminated or fails (it never "leaves" its stage), and when several workers share
 * the incidents (each would hold only part). The price is a Visibility list every interval and a
 * few seconds of lag; every worker reports the same numbers, so dashboards take
 * `max by (stage, severity)` across workers.
 */
export async function countOpenIncidents(client: Client, now = Date.now()): Promise<OpenIncidentCounts> {
  const byStageAndSeverity = new Map<string, number>();
  const inMitigation: string[] = [];
  const query = `WorkflowType = '${INCIDENT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  for await (const info of client.workflow.list({ query })) {
    const stage = info.typedSearchAttributes.get(SA.stage);
    const severity = info.typedSearchAttributes.get(SA.severity);
    if (!stage || !severity) continue; // started, not yet upserted: counted on the next round
    const key = `${stage}|${severity}`;
    byStageAndSeverity.set(key, (byStageAndSeverity.get(key) ?? 0) + 1);
    if (stage === 'mitigation') inMitigation.push(info.workflowId);
  }
  const approvalsWaiting = new Map<string, number>();
  const oldestApprovalAge = new Map<string, number>();
  const statuses = await Promise.all(
    inMitigation.slice(0, MAX_STATUS_QUERIES).map((id) =>
      client.workflow
        .getHandle(id)
        .query(statusQuery)
        .catch(() => undefined),
    ),
  );
  for (const status of statuses) {
    const pending = status?.pendingApproval;
    if (!status || !pending) continue;
    const age = Math.max(0, Math.round((now - Date.parse(pending.since)) / 1_000));
    approvalsWaiting.set(status.severity, (approvalsWaiting.get(status.severity) ?? 0) + 1);
    oldestApprovalAge.set(status.severity, Math.max(oldestApprovalAge.get(status.severity) ?? 0, age));
  }
  return { byStageAndSeverity, approvalsWaiting, oldestApprovalAge };
}

/**
 * Sets the open-incident and approval gauges every `intervalMs` until the returned stop is called.
 * Every stage and severity is set, zeros included, so a stage that empties drops to 0 instead of
 * keeping its last value. A failed round (server down) keeps the previous values and is reported
 * once per outage through `warn`.
 */
export function startOpenIncidentsGauge(options: {
  client: Client;
  meter: MetricMeter;
  intervalMs?: number;
  warn: (line: string) => void;
}): () => Promise<void> {
  const { client, meter, warn } = options;
  const open = instrument(meter, 'openIncidents');
  const waiting = instrument(meter, 'approvalsWaiting');
  const oldest = instrument(meter, 'oldestApprovalAge');
  let failing = false;
  const round = async () => {
    try {
      const counts = await countOpenIncidents(client);
      for (const stage of STAGES)
        for (const severity of SEVERITIES)
          open.set(counts.byStageAndSeverity.get(`${stage}|${severity}`) ?? 0, { stage, severity });
      for (const severity of SEVERITIES) {
        waiting.set(counts.approvalsWaiting.get(severity) ?? 0, { severity });
        oldest.set(counts.oldestApprovalAge.get(severity) ?? 0, { severity });
      }
      failing = false;
    } catch (error) {
      if (!failing) warn(`open-incident gauge: ${error instanceof Error ? error.message : String(error)}`);
      failing = true;
    }
  };
  let running = round();
  const timer = setInterval(() => {
    running = running.then(round);
  }, options.intervalMs ?? 10_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
