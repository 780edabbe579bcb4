import { formatIncidentId } from '../contracts/incident';

/**
 * The incident ID: the guide's `INCIDENT-YYYYMMDD-HHMMSS` (UTC, from workflow start time) plus a
 * four-character suffix derived from the workflow ID. The guide's format has one-second
 * resolution, and an alert storm opens several incidents (one per fingerprint) in the same
 * second; without the suffix they would share `incidents/<ID>/` and overwrite each other's note
 * and report. The suffix is a hash of the workflow ID, so it is deterministic on replay and the
 * same incident always gets the same ID.
 */
export function incidentIdFor(startTime: Date, workflowId: string): string {
  return `${formatIncidentId(startTime)}-${shortHash(workflowId)}`;
}

/** FNV-1a 32-bit, base 36, four characters: enough to tell apart the incidents of one second. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 36 ** 4).toString(36).padStart(4, '0');
}
