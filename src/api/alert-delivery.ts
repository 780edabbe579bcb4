import { workflowUrl } from '../config/env';
import { routeAlert, unsafeServiceNames } from '../config/alert-routing';
import { InvalidRequestError } from '../use-cases/errors';
import { incidentInputSchema, incidentWorkflowId } from '../contracts/incident';
import { dedupKey } from '../use-cases/dedup-key';
import { incidentIdOfRun } from '../use-cases/lookup';
import { openIncident, recordAlert } from '../use-cases/open-incident';
import { parseOrThrow } from '../use-cases/validation';
import type { AlertInput } from '../contracts/messages';
import { clip, type NormalizedAlert } from '../intake/normalize';
import type { ApiContext } from './context';

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
 * Sends prepared alerts: firing ones open or join their incident (signal-with-start), resolved
 * ones are recorded on the open incident and never start one.
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
      if (alert.status === 'resolved') {
        const recorded = await recordAlert(ctx.client, incident.fingerprint, signal);
        return { ...base, deduplicated: recorded, recorded };
      }
      const opened = await openIncident(ctx.client, incident, signal, {
        taskQueue: ctx.env.TEMPORAL_TASK_QUEUE,
      });
      if (opened.deduplicated) ctx.metrics.alertDeduplicated(incident.source);
      // One describe per alert: worth it for single-alert callers who read the answer, not for
      // Alertmanager batches (Alertmanager discards the body; the describe cost 20-50% of ingest).
      const incidentId = options.withIncidentId
        ? await incidentIdOfRun(ctx.client, workflowId, opened.runId).catch(() => undefined)
        : undefined;
      return {
        ...base,
        incidentId,
        deduplicated: opened.deduplicated,
        recorded: true,
        severity: incident.severity,
        scenario: incident.scenario,
        services: incident.services,
      };
    }),
  );
}
