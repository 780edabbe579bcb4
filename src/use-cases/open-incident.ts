import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { encodeWorkflowIdConflictPolicy, type Payload, WorkflowNotFoundError } from '@temporalio/common';
import { type IncidentInput, incidentWorkflowId } from '../contracts/incident';
import {
  type AlertInput,
  alertSignal,
  INCIDENT_WORKFLOW_TYPE,
  type IncidentWorkflowInput,
} from '../contracts/messages';
import { tracedSignalWithStart } from '../temporal/trace-headers';

export interface OpenIncidentOptions {
  taskQueue: string;
}

export interface OpenIncidentResult {
  workflowId: string;
  runId: string;
  /** false when this call started the incident; true when the alert landed on an open one. */
  deduplicated: boolean;
}

const alertList = (alert: AlertInput | readonly AlertInput[]): readonly AlertInput[] =>
  'status' in alert ? [alert] : alert;

async function encode(client: Client, values: unknown[]): Promise<Payload[]> {
  const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;
  let payloads = values.map((value) => payloadConverter.toPayload(value));
  for (const codec of payloadCodecs) payloads = await codec.encode(payloads);
  return payloads;
}

/**
 * Opens the incident for `incident.fingerprint`, or records the alert(s) on the one already open,
 * in one atomic signal-with-start. Several alerts travel as one `alert` signal with one payload
 * per alert (the API's coalescer, src/api/alert-coalescer.ts): the workflow counts each payload as
 * one alert. The SDK's `signalWithStart` drops the server's `started` flag
 * (it returns only the run ID), so this sends the same request itself and reads the flag: the
 * only race-free way to tell a new incident from a deduplicated alert under concurrency.
 *
 * Safe to retry: a retry lands on the incident the first call opened (deduplicated: true) and
 * adds one more alert entry to its timeline.
 */
export async function openIncident(
  client: Client,
  incident: IncidentInput,
  alert: AlertInput | readonly AlertInput[],
  options: OpenIncidentOptions,
): Promise<OpenIncidentResult> {
  const workflowId = incidentWorkflowId(incident.fingerprint);
  const input: IncidentWorkflowInput = { incident, openedByAlertSignal: true };
  const [summary] = await encode(client, [`${incident.severity} ${incident.summary}`.slice(0, 200)]);
  const payloads = await encode(client, [input]);
  const signalPayloads = await encode(client, [...alertList(alert)]);
  const response = await tracedSignalWithStart(INCIDENT_WORKFLOW_TYPE, workflowId, (header) =>
    client.workflowService.signalWithStartWorkflowExecution({
      namespace: client.options.namespace,
      identity: client.options.identity,
      requestId: randomUUID(),
      workflowId,
      workflowType: { name: INCIDENT_WORKFLOW_TYPE },
      taskQueue: { name: options.taskQueue },
      input: { payloads },
      signalName: alertSignal.name,
      signalInput: { payloads: signalPayloads },
      workflowIdConflictPolicy: encodeWorkflowIdConflictPolicy('USE_EXISTING'),
      userMetadata: { summary },
      header,
    }),
  );
  return { workflowId, runId: response.runId, deduplicated: !response.started };
}

/**
 * Records alert(s) on the open incident for their fingerprint without ever starting one: a
 * "resolved" notification for an incident that is not open has nothing to resolve. Several
 * alerts go as one signal, one payload each. Returns false when no incident is open.
 */
export async function recordAlert(
  client: Client,
  fingerprint: string,
  alert: AlertInput | readonly AlertInput[],
): Promise<boolean> {
  const [first, ...rest] = alertList(alert);
  try {
    await client.workflow.getHandle(incidentWorkflowId(fingerprint)).signal(alertSignal, first!, ...rest);
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
