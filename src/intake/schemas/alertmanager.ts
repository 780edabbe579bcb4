import { z } from 'zod';
import { annotationMap, isoDate, keyText, labelMap } from './common';

/**
 * Prometheus Alertmanager's webhook payload, version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). Strict: a field
 * Alertmanager does not send is refused, naming the field.
 */
export const alertmanagerAlertSchema = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: labelMap,
    annotations: annotationMap.default({}),
    startsAt: isoDate,
    /** "0001-01-01T00:00:00Z" while firing. */
    endsAt: z.string().max(64).optional(),
    generatorURL: keyText(z.string().max(2_000)).optional(),
    /**
     * Alertmanager sends 16 hex digits, but any non-empty string is taken (relays and tests send
     * others): it is made safe for a workflow ID by dedupKey, as every other source's key is.
     */
    fingerprint: keyText(z.string().min(1).max(256)),
  })
  .strict();

export const alertmanagerPayloadSchema = z
  .object({
    version: z.literal('4'),
    groupKey: z.string().max(4_000).optional(),
    truncatedAlerts: z.number().int().min(0).optional(),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().max(256).optional(),
    groupLabels: labelMap.optional(),
    commonLabels: labelMap.optional(),
    commonAnnotations: annotationMap.optional(),
    externalURL: z.string().max(2_000).optional(),
    alerts: z.array(alertmanagerAlertSchema).min(1).max(500),
  })
  .strict();

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
