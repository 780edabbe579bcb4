/**
 * Alert payloads (Alertmanager webhook, the generic shape, GitHub events) reduced to one shape that
 * routing and the incident input read. Below both entry points: the API's webhooks deliver these,
 * the CLI's `incident plan --alert` plans them.
 */
import type { Source } from '../contracts/incident';
import type { AlertOrigin } from '../use-cases/dedup-key';
import type { AlertmanagerPayload } from './schemas/alertmanager';
import type { GenericAlert } from './schemas/generic';

/** An alert from any webhook, reduced to what routing and the incident need. */
export interface NormalizedAlert {
  origin: AlertOrigin;
  /** The source's own dedup value (Alertmanager fingerprint, dedup_key, CI job identity). */
  sourceKey: string;
  status: 'firing' | 'resolved';
  summary: string;
  source: Source;
  /** Labels routing reads (service, severity, scenario and anything rules match on). */
  labels: Record<string, string>;
  alertedAt?: string;
  details: Record<string, string>;
  /**
   * The request field a label came from (`service`, `alerts.0.labels.service`), for sources whose
   * labels the caller writes; their unsafe service names are refused. GitHub's labels are derived
   * from the event, so it has none and keeps the default services for an odd name.
   */
  labelField?: (name: string) => string;
}

const MAX_DETAILS = 64;
/** Shortens free text to `max` characters, marking the cut with an ellipsis. */
export const clip = (value: string, max: number) =>
  value.length > max ? `${value.slice(0, max - 1)}…` : value;

/** Clips free text to what the incident input accepts; callers validated shape and size already. */
export function detailsFrom(entries: [string, string][]): Record<string, string> {
  return Object.fromEntries(entries.slice(0, MAX_DETAILS).map(([k, v]) => [clip(k, 128), clip(v, 2_000)]));
}

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
