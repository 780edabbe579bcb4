import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../client/validation';
import type { ApiContext } from '../context';
import { deliverAlerts, detailsFrom, type NormalizedAlert, prepareAlerts } from '../intake';
import { alertmanagerPayloadSchema, type AlertmanagerPayload } from '../schemas/alertmanager';
import { type GenericAlert, genericAlertSchema } from '../schemas/generic';

const SLO_HINT = /slo|error.?budget|burn.?rate/i;

export function fromAlertmanager(payload: AlertmanagerPayload): NormalizedAlert[] {
  return payload.alerts.map((alert, index) => {
    const labels = { ...(payload.commonLabels ?? {}), ...alert.labels };
    const name = labels.alertname ?? 'alert';
    return {
      origin: 'am',
      sourceKey: alert.fingerprint,
      status: alert.status,
      summary: alert.annotations.summary ?? alert.annotations.description ?? name,
      source: SLO_HINT.test(name) || labels.slo !== undefined ? 'slo-violation' : 'monitoring-alert',
      labels,
      alertedAt: alert.startsAt.startsWith('0001-') ? undefined : alert.startsAt,
      details: detailsFrom([
        ...Object.entries(labels).map(([k, v]): [string, string] => [`label.${k}`, v]),
        ...Object.entries(alert.annotations).map(([k, v]): [string, string] => [`annotation.${k}`, v]),
        ...(alert.generatorURL ? [['generatorURL', alert.generatorURL] as [string, string]] : []),
      ]),
      labelField: (label) =>
        alert.labels[label] !== undefined ? `alerts.${index}.labels.${label}` : `commonLabels.${label}`,
    };
  });
}

export function fromGeneric(alert: GenericAlert): NormalizedAlert {
  const details = Object.entries(alert.custom_details).map(([k, v]): [string, string] => [k, String(v)]);
  const labels: Record<string, string> = Object.fromEntries(details);
  Object.assign(labels, { severity: alert.severity, source: alert.source });
  for (const key of ['component', 'group', 'class', 'scenario'] as const) {
    if (alert[key]) labels[key] = alert[key];
  }
  if (alert.service) labels.service = [alert.service].flat().join(',');
  return {
    origin: 'generic',
    sourceKey: alert.dedup_key,
    status: alert.event_action === 'resolve' ? 'resolved' : 'firing',
    summary: alert.summary,
    source: alert.detection_source,
    labels,
    alertedAt: alert.timestamp,
    details: detailsFrom([['source', alert.source], ...details]),
    labelField: (label) =>
      ['service', 'severity', 'source', 'component', 'group', 'class', 'scenario'].includes(label) &&
      (alert as Record<string, unknown>)[label] !== undefined
        ? label
        : `custom_details.${label}`,
  };
}

/**
 * `POST /webhooks/alertmanager` and `POST /webhooks/generic`: validate the whole body, then open or
 * join one incident per dedup key. 202 because the incident runs on after the answer.
 */
export function alertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/webhooks/alertmanager', async (request, reply) => {
    const payload = parseOrThrow(alertmanagerPayloadSchema, request.body);
    const prepared = prepareAlerts(ctx, fromAlertmanager(payload), 'alerts');
    const incidents = await deliverAlerts(ctx, prepared, { withIncidentId: false });
    return reply.code(202).send({ accepted: incidents.length, incidents });
  });

  app.post('/webhooks/generic', async (request, reply) => {
    const alert = parseOrThrow(genericAlertSchema, request.body);
    const [result] = await deliverAlerts(ctx, prepareAlerts(ctx, [fromGeneric(alert)], ''), {
      withIncidentId: true,
    });
    return reply.code(202).send(result);
  });
}
