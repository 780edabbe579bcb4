import {
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { formatIncidentId, incidentInputSchema, type Stage } from '../domain/incident';
import { acknowledgeSignal, type IncidentStatus, type IncidentWorkflowInput, statusQuery } from './messages';
import { SA } from './search-attributes';

const { writeIncidentNote } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10 },
});

/**
 * One incident from detection to close. The workflow re-validates its input (a caller may not
 * have), derives the guide's incident ID from workflow time, writes the incident note, and keeps
 * its whole state in one object answered by the `status` query.
 */
export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentStatus> {
  const incident = incidentInputSchema.parse(input.incident);
  const now = new Date();
  const state: IncidentStatus = input.carried ?? {
    incidentId: formatIncidentId(workflowInfo().startTime),
    workflowId: workflowInfo().workflowId,
    stage: 'detection',
    severity: incident.severity,
    services: incident.services,
    scenario: incident.scenario,
    summary: incident.summary,
    source: incident.source,
    labels: incident.labels,
    fingerprint: incident.fingerprint,
    detectedAt: now.toISOString(),
    alertedAt: incident.alertedAt,
    optionsTried: [],
    timeline: [],
    escalations: [],
    deadlines: {},
    alerts: { firing: 1, resolved: 0, lastAt: now.toISOString() },
  };
  const record = (stage: Stage, kind: string, message: string) =>
    state.timeline.push({ at: new Date().toISOString(), stage, kind, message });

  setHandler(statusQuery, () => state);
  setHandler(acknowledgeSignal, ({ by }) => {
    if (state.acknowledgedBy) {
      record(
        state.stage,
        'refused',
        `acknowledge by ${by} refused: already acknowledged by ${state.acknowledgedBy}`,
      );
      return;
    }
    state.acknowledgedBy = by;
    state.acknowledgedAt = new Date().toISOString();
    record(state.stage, 'acknowledged', `acknowledged by ${by}`);
  });

  upsertSearchAttributes([
    { key: SA.incidentId, value: state.incidentId },
    { key: SA.severity, value: state.severity },
    { key: SA.stage, value: state.stage },
    { key: SA.services, value: state.services },
    { key: SA.scenario, value: state.scenario },
  ]);
  setCurrentDetails(`**${state.incidentId}** ${state.severity}: detection, waiting for acknowledgement`);
  record('detection', 'detected', `${state.severity} ${state.summary}`);
  await writeIncidentNote({
    incidentId: state.incidentId,
    severity: state.severity,
    detectedAt: state.detectedAt,
    summary: state.summary,
  });

  await condition(() => state.acknowledgedBy !== undefined);
  setCurrentDetails(`**${state.incidentId}** ${state.severity}: acknowledged by ${state.acknowledgedBy}`);
  return state;
}
