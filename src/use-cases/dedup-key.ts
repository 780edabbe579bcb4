import { createHash } from 'node:crypto';

/** Where an alert came from; prefixes its dedup key so two sources never share an incident by accident. */
export type AlertOrigin = 'am' | 'gh' | 'generic';

const MAX_KEY = 128;

/**
 * Turns a source's own dedup value (Alertmanager fingerprint, GitHub repo + workflow + branch,
 * PagerDuty-style dedup_key) into a fingerprint that is safe in a workflow ID and a file name.
 * Values that are already safe are kept readable; anything rewritten or shortened gets a hash
 * suffix of the original, so two different values never collapse onto one incident.
 */
export function dedupKey(origin: AlertOrigin, value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._:@-]/g, '_');
  const plain = `${origin}-${cleaned}`;
  if (cleaned === value && plain.length <= MAX_KEY) return plain;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 16);
  return `${origin}-${cleaned.slice(0, MAX_KEY - origin.length - hash.length - 2)}-${hash}`;
}
