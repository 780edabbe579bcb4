import { z } from 'zod';
import { buildOnce } from './build-once';

/**
 * The vocabulary of the incident response guide, as closed lists. `as const` arrays with derived
 * unions (not enums) so the same values serve zod, the workflow and the Web UI search attributes.
 */
export const SEVERITIES = ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The guide's four "Common Incident Scenarios", plus unknown for anything else. */
export const SCENARIOS = [
  'mcp-server-fails-to-start',
  'widget-build-fails',
  'visual-regression',
  'ci-pipeline-hangs',
  'unknown',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The guide's detection sources. */
export const SOURCES = ['ci-failure', 'monitoring-alert', 'slo-violation', 'user-report'] as const;
export type Source = (typeof SOURCES)[number];

/** The guide's lifecycle stages, in order, and the terminal one. */
export const STAGES = ['detection', 'triage', 'mitigation', 'resolution', 'review', 'closed'] as const;
export type Stage = (typeof STAGES)[number];

/** Mitigation options in the guide's order of preference, plus the visual-baseline update. */
export const MITIGATION_OPTIONS = [
  'revert-last-change',
  'disable-feature',
  'deploy-known-good',
  'update-visual-baselines',
  'workaround',
] as const;
export type MitigationOption = (typeof MITIGATION_OPTIONS)[number];

/** Labels that make the guide escalate at once. */
export const IMMEDIATE_ESCALATION_LABELS = ['security', 'data-loss'] as const;

/** Identifiers that end up in workflow IDs, file names and git refs: no spaces, no shell. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const safeName = (what: string) =>
  z
    .string()
    .regex(SAFE_NAME, `${what} must be 1-128 of A-Z a-z 0-9 . _ : @ - and start with a letter or digit`);

/** Built once per process (build-once.ts): every new incident's workflow parses its input with it. */
export const incidentInputSchema = buildOnce('incident-input-schema', () =>
  z
    .object({
      severity: z.enum(SEVERITIES),
      services: z.array(safeName('service')).min(1).max(32),
      scenario: z.enum(SCENARIOS).default('unknown'),
      summary: z.string().trim().min(1).max(1_000),
      source: z.enum(SOURCES),
      labels: z.array(safeName('label')).max(32).default([]),
      /** The alert's dedup key; the workflow ID is derived from it so a repeat cannot open a second incident. */
      fingerprint: safeName('fingerprint'),
      /** When the alert itself fired (ISO 8601), for time-to-detect; defaults to when the engine saw it. */
      alertedAt: z.iso.datetime({ offset: true }).optional(),
      /** Free-form context from the alert source (labels, links); shown in the report, never executed. */
      details: z.record(z.string().max(128), z.string().max(2_000)).optional(),
    })
    .strict(),
);

export type IncidentInput = z.infer<typeof incidentInputSchema>;
/** What callers send before defaults are applied. */
export type IncidentInputDraft = z.input<typeof incidentInputSchema>;

/** Workflow ID for an incident: one per dedup key, so signal-with-start lands on the open one. */
export const incidentWorkflowId = (fingerprint: string): string => `incident-${fingerprint}`;

/**
 * The guide's incident ID, `INCIDENT-YYYYMMDD-HHMMSS` (UTC), from the workflow's start time. The
 * guide's format has one-second resolution, so an alert storm can open several incidents in the
 * same second; the caller appends a short suffix when it needs uniqueness.
 */
export function formatIncidentId(at: Date): string {
  const iso = at.toISOString(); // 2026-11-27T16:30:00.000Z
  return `INCIDENT-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}
