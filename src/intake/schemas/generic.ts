import { z } from 'zod';
import { SCENARIOS, SOURCES } from '../../contracts/incident';
import { freeText, isoDate, keyText } from './common';

const detailValue = z.union([freeText(z.string().max(2_000)), z.number(), z.boolean()]);
/** Keys and names: no control characters at all. */
const shortText = (max: number) => keyText(z.string().trim().min(1).max(max));

/**
 * The generic alert shape, modelled on PagerDuty Events API v2 but flat (documented in
 * docs/api.md). `dedup_key` is the dedup key: the same key lands on the same open incident.
 */
export const genericAlertSchema = z
  .object({
    dedup_key: shortText(255),
    /** PagerDuty's critical / error / warning / info, or the guide's SEV-1 ... SEV-4. */
    severity: z.enum(['critical', 'error', 'warning', 'info', 'SEV-1', 'SEV-2', 'SEV-3', 'SEV-4']),
    summary: freeText(z.string().trim().min(1).max(1_000)),
    /** The system that saw the problem (host, monitor, script). */
    source: shortText(255),
    event_action: z.enum(['trigger', 'resolve']).default('trigger'),
    component: shortText(128).optional(),
    group: shortText(128).optional(),
    class: shortText(128).optional(),
    /** Affected services, overriding routing. */
    service: z.union([shortText(128), z.array(shortText(128)).min(1).max(32)]).optional(),
    scenario: z.enum(SCENARIOS).optional(),
    /** The guide's detection source; default monitoring-alert. */
    detection_source: z.enum(SOURCES).default('monitoring-alert'),
    timestamp: isoDate.optional(),
    custom_details: z
      .record(keyText(z.string().min(1).max(128)), detailValue)
      .refine((details) => Object.keys(details).length <= 64, { message: 'at most 64 custom_details' })
      .default({}),
  })
  .strict();

export type GenericAlert = z.infer<typeof genericAlertSchema>;
