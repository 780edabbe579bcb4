import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { SEVERITIES, STAGES } from '../contracts/incident';
import { INCIDENT_WORKFLOW_TYPE } from '../contracts/messages';
import { instrument } from '../contracts/metrics';
import { SA } from '../contracts/search-attributes';

export interface OpenIncidentCounts {
  /** `stage|severity` → running incidents. */
  byStageAndSeverity: Map<string, number>;
  approvalsWaiting: Map<string, number>;
  /** Severity → age in seconds of the oldest approval still waiting. */
  oldestApprovalAge: Map<string, number>;
}

/**
 * Counts running incidents by stage and severity, and the approvals waiting and since when, from
 * one Visibility listing: the search attributes every stage change upserts, and
 * `IncidentApprovalSince`, which an incident sets while an approval waits.
 *
 * Why not the `status` query for approvals (as before): every query is a task on the worker's one
 * workflow thread (a replay when the incident has left the cache), and the gauge sent up to 50 at
 * once every interval, which held that thread for 100-250 ms in front of new incidents' first
 * steps. Incidents started before the attribute existed (APPROVAL_SINCE_PATCH) are not counted as
 * waiting.
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
  const approvalsWaiting = new Map<string, number>();
  const oldestApprovalAge = new Map<string, number>();
  const query = `WorkflowType = '${INCIDENT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  for await (const info of client.workflow.list({ query })) {
    const stage = info.typedSearchAttributes.get(SA.stage);
    const severity = info.typedSearchAttributes.get(SA.severity);
    if (!stage || !severity) continue; // started, not yet upserted: counted on the next round
    const key = `${stage}|${severity}`;
    byStageAndSeverity.set(key, (byStageAndSeverity.get(key) ?? 0) + 1);
    const since = info.typedSearchAttributes.get(SA.approvalSince);
    if (!since) continue;
    const age = Math.max(0, Math.round((now - since.getTime()) / 1_000));
    approvalsWaiting.set(severity, (approvalsWaiting.get(severity) ?? 0) + 1);
    oldestApprovalAge.set(severity, Math.max(oldestApprovalAge.get(severity) ?? 0, age));
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
