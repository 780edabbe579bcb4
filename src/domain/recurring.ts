import type { Scenario } from '../contracts/incident';
import type { IncidentRecord } from './metrics';

/**
 * The guide's "Recurring incidents: analyse incident history for patterns", as pure functions:
 * group the history by service and scenario and by root cause, flag groups with more than one
 * incident, and find the incidents related to a new one for its report's "Related Incidents".
 */
export type HistoryRecord = Pick<
  IncidentRecord,
  'incidentId' | 'workflowId' | 'severity' | 'services' | 'scenario' | 'summary' | 'detectedAt'
> &
  Partial<Pick<IncidentRecord, 'resolution' | 'reportPath' | 'stage'>>;

/**
 * A root cause as a grouping key: the deepest of the 5 whys, lower case, punctuation and extra
 * spaces removed, so "Package.json wasn't updated." and "package json wasnt updated" match.
 */
export function normalizeRootCause(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const key = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return key || undefined;
}

export const rootCauseOf = (record: Pick<HistoryRecord, 'resolution'>): string | undefined =>
  record.resolution?.whys.at(-1);

export interface RecurringGroup {
  kind: 'service-scenario' | 'root-cause';
  /** "mcp / mcp-server-fails-to-start" or the root cause as first written. */
  label: string;
  service?: string;
  scenario?: Scenario;
  rootCause?: string;
  /** Oldest first. */
  incidents: { incidentId: string; workflowId: string; detectedAt: string }[];
  /** More than one incident: a recurring pattern. */
  repeated: boolean;
}

const byDetection = (a: HistoryRecord, b: HistoryRecord) => a.detectedAt.localeCompare(b.detectedAt);
const ref = (r: HistoryRecord) => ({
  incidentId: r.incidentId,
  workflowId: r.workflowId,
  detectedAt: r.detectedAt,
});

/**
 * Groups by (service, scenario) (an incident on two services is in two groups) and by normalised
 * root cause. Unclassified incidents (`unknown`) form no service-scenario group: "unknown" twice
 * is not a pattern. Repeated groups first, largest first.
 */
export function groupRecurring(records: HistoryRecord[]): RecurringGroup[] {
  const groups = new Map<string, RecurringGroup>();
  const add = (key: string, make: () => Omit<RecurringGroup, 'incidents' | 'repeated'>, r: HistoryRecord) => {
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ...make(), incidents: [], repeated: false }));
    if (!group.incidents.some((i) => i.workflowId === r.workflowId)) group.incidents.push(ref(r));
  };
  for (const r of [...records].sort(byDetection)) {
    if (r.scenario !== 'unknown') {
      for (const service of new Set(r.services)) {
        add(
          `s:${service}\u0000${r.scenario}`,
          () => ({
            kind: 'service-scenario',
            label: `${service} / ${r.scenario}`,
            service,
            scenario: r.scenario,
          }),
          r,
        );
      }
    }
    const cause = rootCauseOf(r);
    const key = normalizeRootCause(cause);
    if (key) add(`r:${key}`, () => ({ kind: 'root-cause', label: cause!, rootCause: cause! }), r);
  }
  const out = [...groups.values()];
  for (const g of out) g.repeated = g.incidents.length > 1;
  return out.sort(
    (a, b) =>
      Number(b.repeated) - Number(a.repeated) ||
      b.incidents.length - a.incidents.length ||
      a.label.localeCompare(b.label),
  );
}

export interface RelatedTarget {
  workflowId: string;
  scenario: string;
  services: string[];
  rootCause?: string;
}

export interface RelatedMatch {
  record: HistoryRecord;
  /** Why it is related: "same scenario on mcp", "same root cause". */
  reasons: string[];
}

/**
 * Other incidents related to `target`: the same (known) scenario on a shared service, or the same
 * root cause. Newest first, at most `limit`.
 */
export function findRelated(target: RelatedTarget, history: HistoryRecord[], limit = 10): RelatedMatch[] {
  const targetCause = normalizeRootCause(target.rootCause);
  const matches: RelatedMatch[] = [];
  const seen = new Set<string>([target.workflowId]);
  for (const r of [...history].sort(byDetection).reverse()) {
    if (seen.has(r.workflowId)) continue;
    const reasons: string[] = [];
    const shared = r.services.filter((s) => target.services.includes(s));
    if (target.scenario !== 'unknown' && r.scenario === target.scenario && shared.length)
      reasons.push(`same scenario (${r.scenario}) on ${shared.join(', ')}`);
    if (targetCause && normalizeRootCause(rootCauseOf(r)) === targetCause) reasons.push('same root cause');
    if (!reasons.length) continue;
    seen.add(r.workflowId);
    matches.push({ record: r, reasons });
    if (matches.length >= limit) break;
  }
  return matches;
}
