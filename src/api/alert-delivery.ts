import { workflowUrl } from '../config/env';
import { routeAlert, unsafeServiceNames } from '../config/alert-routing';
import { InvalidRequestError } from '../use-cases/errors';
import { type Context, context } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import { type IncidentInput, incidentInputSchema, incidentWorkflowId } from '../contracts/incident';
import { dedupKey } from '../use-cases/dedup-key';
import { incidentIdOfRun } from '../use-cases/lookup';
import { openIncident, recordAlert } from '../use-cases/open-incident';
import { parseOrThrow } from '../use-cases/validation';
import type { AlertInput } from '../contracts/messages';
import { clip, type NormalizedAlert } from '../intake/normalize';
import type { ApiContext } from './context';
import { KeyedCoalescer, openedIncident } from './alert-coalescer';

/** One alert on its way: the incident it would open and the signal payload that records it. */
export interface AlertItem {
  incident: IncidentInput;
  alert: AlertInput;
  /**
   * The request's trace context: a call runs under its first alert's, so its span joins that
   * request's trace, not the trace of whichever request happened to start the key's queue.
   */
  trace: Context;
}

/** What one coalesced call returned. */
export interface AlertCallResult {
  /** The call started the workflow (a firing batch that opened a new incident). */
  started: boolean;
  runId?: string;
  /** Resolved batches: whether an open incident took them. */
  recorded: boolean;
}

export type AlertCoalescer = KeyedCoalescer<AlertItem, AlertCallResult>;

/**
 * Batch bounds. A batch is one signal whose payloads (one per alert, each at most a few KiB: the
 * summary is clipped to 1,000 characters) must stay far below the server's blob size limits
 * (warning at 512 KiB, refusal at 2 MiB by default) and gRPC's 4 MiB message; 256 KiB and 100
 * alerts leave room for the start input and a payload codec's growth. The overflow goes next call.
 */
export const ALERT_BATCH_MAX_ITEMS = 100;
export const ALERT_BATCH_MAX_BYTES = 256 * 1024;
/** Per-payload overhead beyond the JSON (metadata: encoding). */
const PAYLOAD_OVERHEAD = 64;

/**
 * The API's one coalescer per process (src/api/alert-coalescer.ts): at most one call in flight
 * per incident workflow. Firing batches go as one signal-with-start (so a batch still opens a new
 * incident when the previous one closed), resolved ones as one plain signal that never starts one.
 */
export function createAlertCoalescer(
  client: Client,
  taskQueue: string,
  bounds: { maxItems?: number; maxBytes?: number } = {},
): AlertCoalescer {
  return new KeyedCoalescer<AlertItem, AlertCallResult>({
    kindOf: (item) => item.alert.status,
    sizeOf: (item) => Buffer.byteLength(JSON.stringify(item.alert)) + PAYLOAD_OVERHEAD,
    maxItems: bounds.maxItems ?? ALERT_BATCH_MAX_ITEMS,
    maxBytes: bounds.maxBytes ?? ALERT_BATCH_MAX_BYTES,
    send: async ({ kind, items }) => {
      const alerts = items.map((item) => item.alert);
      const { incident: first, trace } = items[0]!;
      if (kind === 'resolved') {
        const recorded = await context.with(trace, () => recordAlert(client, first.fingerprint, alerts));
        return { started: false, recorded };
      }
      const opened = await context.with(trace, () => openIncident(client, first, alerts, { taskQueue }));
      return { started: !opened.deduplicated, runId: opened.runId, recorded: true };
    },
  });
}

export interface IntakeResult {
  sourceKey: string;
  fingerprint: string;
  workflowId: string;
  /** The guide's incident ID; on single-alert webhooks (generic, github), not in Alertmanager batches. */
  incidentId?: string;
  status: 'firing' | 'resolved';
  /** firing: true when the alert landed on an already open incident. */
  deduplicated: boolean;
  /** resolved: whether an open incident recorded it (false: nothing was open). */
  recorded: boolean;
  url: string;
  severity?: string;
  scenario?: string;
  services?: string[];
}

/**
 * Validates every alert of a request into incident inputs before any is sent, so a request with
 * one bad alert starts nothing.
 */
export function prepareAlerts(ctx: ApiContext, alerts: NormalizedAlert[], root: string) {
  return alerts.map((alert, index) => {
    const fingerprint = dedupKey(alert.origin, alert.sourceKey);
    if (alert.labelField && unsafeServiceNames(ctx.config.alertRouting, alert.labels).length > 0) {
      const field = alert.labelField(ctx.config.alertRouting.serviceLabel);
      throw new InvalidRequestError(
        `${field}: must be service names (1-128 of A-Z a-z 0-9 . _ : @ -, comma-separated)`,
        field,
      );
    }
    const route = routeAlert(ctx.config.alertRouting, alert.labels);
    const incident = parseOrThrow(
      incidentInputSchema,
      {
        severity: route.severity,
        services: route.services,
        scenario: route.scenario,
        summary: clip(alert.summary.trim() || 'alert without summary', 1_000),
        source: alert.source,
        labels: route.labels,
        fingerprint,
        alertedAt: alert.alertedAt,
        details: alert.details,
      },
      alerts.length > 1 ? `${root}[${index}]` : root,
    );
    return { alert, incident };
  });
}

/**
 * Sends prepared alerts through the coalescer: firing ones open or join their incident
 * (signal-with-start), resolved ones are recorded on the open incident and never start one. Each
 * answer waits for the call that carried its alert; a failed call fails every request in it.
 * "Opened" (deduplicated: false) goes to exactly one alert per new incident: the first alert of
 * the call that started it ({@link openedIncident}).
 */
export async function deliverAlerts(
  ctx: ApiContext,
  prepared: ReturnType<typeof prepareAlerts>,
  options: { withIncidentId: boolean },
): Promise<IntakeResult[]> {
  const receivedAt = new Date().toISOString();
  return Promise.all(
    prepared.map(async ({ alert, incident }): Promise<IntakeResult> => {
      const signal: AlertInput = {
        fingerprint: incident.fingerprint,
        status: alert.status,
        receivedAt,
        summary: incident.summary,
        source: incident.source,
      };
      const workflowId = incidentWorkflowId(incident.fingerprint);
      const base = {
        sourceKey: alert.sourceKey,
        fingerprint: incident.fingerprint,
        workflowId,
        status: alert.status,
        url: workflowUrl(ctx.env, workflowId),
      };
      const delivered = await ctx.alerts.submit(workflowId, {
        incident,
        alert: signal,
        trace: context.active(),
      });
      if (alert.status === 'resolved') {
        const { recorded } = delivered.result;
        return { ...base, deduplicated: recorded, recorded };
      }
      const deduplicated = !openedIncident(delivered);
      if (deduplicated) ctx.metrics.alertDeduplicated(incident.source);
      // One describe per alert: worth it for single-alert callers who read the answer, not for
      // Alertmanager batches (Alertmanager discards the body; the describe cost 20-50% of ingest).
      const incidentId = options.withIncidentId
        ? await incidentIdOfRun(ctx.client, workflowId, delivered.result.runId).catch(() => undefined)
        : undefined;
      return {
        ...base,
        incidentId,
        deduplicated,
        recorded: true,
        severity: incident.severity,
        scenario: incident.scenario,
        services: incident.services,
      };
    }),
  );
}
