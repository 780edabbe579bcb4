/**
 * What the engine would do for an incident, without doing any of it: the stages, the deadlines
 * with their wall-clock times, the mitigation options in order and, for each option that runs a
 * rollback, every step of the procedure (src/domain/procedures.ts). `incident plan` and
 * `POST /plan` print it. Pure: the caller passes the config, the incident and the clock.
 */
import { ackDeadline, type AckTarget } from './ack-deadline';
import type { BusinessHours } from './business-hours';
import { formatDuration } from '../contracts/duration';
import {
  IMMEDIATE_ESCALATION_LABELS,
  type Scenario,
  type Severity,
  STAGES,
  type Stage,
} from '../contracts/incident';
import {
  buildProcedure,
  describeStep,
  type ProcedurePlan,
  ProcedurePlanError,
  type ProcedureTarget,
} from './procedures';
import { type MitigationStep, scenarioSpec, UNKNOWN_LEAST_DESTRUCTIVE } from './scenarios';

export interface PlanPolicy {
  ackDeadlines: Record<Severity, AckTarget>;
  businessHours: BusinessHours;
  escalationContact: string;
  escalationInterval: number;
  approvalDeadline: number;
  approvers: Record<Severity, Partial<Record<string, string[]>>>;
  autoApprove: Partial<Record<Severity, string[]>>;
  rollbackTimeout: number;
  healthCheck: {
    url?: string;
    interval: number;
    duration: number;
    prometheus?: { url: string; max?: number | 'slo'; min?: number | 'slo' };
  };
  statusUpdates: { interval: number; severities: Severity[] };
  review: { deadline: number };
}

/** What the recovery check will do: an HTTP probe, a PromQL judgement, both, or nothing. */
function recoveryCheckText(check: PlanPolicy['healthCheck']): string {
  const prom = check.prometheus;
  const parts = [
    check.url ? `a probe of ${check.url}` : undefined,
    prom
      ? `a PromQL check at ${prom.url} (value ${prom.max !== undefined ? `≤ ${prom.max}` : `≥ ${prom.min}`})`
      : undefined,
  ].filter(Boolean);
  if (parts.length === 0) return 'not verified: no policy.healthCheck.url';
  return `${parts.join(' and ')} every ${formatDuration(check.interval)} for ${formatDuration(check.duration)} after the fix`;
}

export interface PlanIncident {
  severity: Severity;
  services: string[];
  scenario: Scenario;
  summary: string;
  labels: string[];
  incidentId?: string;
  /** Open incident: where it is and what triage found. */
  stage?: Stage;
  detectedAt?: string;
  repository?: { head?: string; knownGood?: { tag: string } };
}

export interface PlanDeadline {
  name: string;
  /** Wall-clock time (ISO 8601 UTC) when it is known now; otherwise how long after what. */
  at?: string;
  after?: string;
}

export interface PlanOption {
  option: string;
  risk: 'safe' | 'destructive';
  description: string;
  /** Who may approve it at this severity; `auto` when the policy approves it. */
  approval: 'none' | 'auto' | string[];
  procedure?: ProcedurePlan;
  /** Why no procedure could be planned (e.g. no known-good tag yet). */
  unplanned?: string;
  /** Carried out by the engine without a rollback (CI cancel, baseline update), or by a human. */
  by: 'rollback' | 'engine' | 'human';
}

export interface IncidentPlan {
  incident: PlanIncident;
  plannedAt: string;
  stages: { stage: Stage; what: string; current?: boolean }[];
  escalatesAtOnce: string[];
  deadlines: PlanDeadline[];
  options: PlanOption[];
}

const STAGE_TEXT: Record<Stage, string> = {
  detection: 'write the incident note, wait for an acknowledgement (escalating at its deadline)',
  triage: 'run the scenario diagnostics, record regression / impact / trend',
  mitigation: 'propose the options below in order; destructive ones wait for approval',
  resolution: 'record root cause and fix, probe health to verify recovery',
  review: 'render the post-incident report, wait for the review',
  closed: 'nothing more runs',
};

/** The scenario's options as the workflow will offer them. */
export const mitigationOptionsFor = (scenario: Scenario): MitigationStep[] =>
  scenario === 'unknown' ? UNKNOWN_LEAST_DESTRUCTIVE : scenarioSpec(scenario).mitigations;

function approvalOf(policy: PlanPolicy, severity: Severity, step: MitigationStep): PlanOption['approval'] {
  if (step.risk !== 'destructive') return 'none';
  if (policy.autoApprove[severity]?.includes(step.option)) return 'auto';
  const row = policy.approvers[severity];
  return row[step.option] ?? row['*'] ?? [];
}

/** The rollback input the incident workflow would build (mitigation-actions' rollbackInput). */
function procedureFor(incident: PlanIncident, step: MitigationStep, target: ProcedureTarget) {
  const procedure = step.procedure!;
  const base = { incidentId: incident.incidentId ?? '<incident-id>', procedure, services: incident.services };
  const input =
    step.option === 'revert-last-change'
      ? {
          ...base,
          mode: 'revert' as const,
          ...(procedure === 'mcp' && !step.revertWholeCommit
            ? {}
            : { badCommit: incident.repository?.head, revertWholeCommit: step.revertWholeCommit }),
        }
      : { ...base, mode: 'checkout' as const, knownGood: incident.repository?.knownGood?.tag };
  return buildProcedure(input, target);
}

/** The plan for `incident` under `policy` and `target`, as of `now`. */
export function planIncident(
  incident: PlanIncident,
  policy: PlanPolicy,
  target: ProcedureTarget,
  now: Date,
): IncidentPlan {
  const detectedAt = incident.detectedAt ? new Date(incident.detectedAt) : now;
  const escalatesAtOnce = [
    ...(incident.severity === 'SEV-1' ? ['SEV-1'] : []),
    ...incident.labels.filter((l) => (IMMEDIATE_ESCALATION_LABELS as readonly string[]).includes(l)),
  ];
  const deadlines: PlanDeadline[] = [
    {
      name: `acknowledge (${incident.severity})`,
      at: ackDeadline(incident.severity, detectedAt, policy.ackDeadlines, policy.businessHours).toISOString(),
    },
    {
      name: 'approval of each destructive option',
      after: `${formatDuration(policy.approvalDeadline)} after it is proposed, then escalation every ${formatDuration(policy.escalationInterval)} to ${policy.escalationContact}`,
    },
    { name: 'each rollback', after: `fails after ${formatDuration(policy.rollbackTimeout)}` },
    {
      name: 'recovery verification',
      after: recoveryCheckText(policy.healthCheck),
    },
    { name: 'post-incident review', after: `${formatDuration(policy.review.deadline)} after resolution` },
  ];
  if (policy.statusUpdates.severities.includes(incident.severity))
    deadlines.push({
      name: 'status updates',
      at: new Date(detectedAt.getTime() + policy.statusUpdates.interval).toISOString(),
      after: `every ${formatDuration(policy.statusUpdates.interval)} while open`,
    });
  const options = mitigationOptionsFor(incident.scenario).map((step): PlanOption => {
    const option: PlanOption = {
      option: step.option,
      risk: step.risk,
      description: step.description,
      approval: approvalOf(policy, incident.severity, step),
      by: step.procedure ? 'rollback' : step.action ? 'engine' : 'human',
    };
    if (step.procedure)
      try {
        option.procedure = procedureFor(incident, step, target);
      } catch (error) {
        if (!(error instanceof ProcedurePlanError)) throw error;
        option.unplanned = error.message;
      }
    return option;
  });
  const current = incident.stage;
  return {
    incident,
    plannedAt: now.toISOString(),
    stages: STAGES.map((stage) => ({
      stage,
      what: STAGE_TEXT[stage],
      ...(stage === current ? { current: true } : {}),
    })),
    escalatesAtOnce,
    deadlines,
    options,
  };
}

/** The plan as lines for a terminal. */
export function incidentPlanText(plan: IncidentPlan): string {
  const { incident } = plan;
  const lines = [
    `${incident.incidentId ?? 'new incident'}: ${incident.severity}, scenario ${incident.scenario}, services ${incident.services.join(', ')}`,
    `  ${incident.summary}`,
    plan.escalatesAtOnce.length ? `  escalates at once: ${plan.escalatesAtOnce.join(', ')}` : '',
    'Stages:',
    ...plan.stages.map((s) => `  ${s.current ? '>' : ' '} ${s.stage}: ${s.what}`),
    'Deadlines:',
    ...plan.deadlines.map((d) => `  - ${d.name}: ${[d.at, d.after].filter(Boolean).join(', ')}`),
    'Options, in order:',
  ];
  for (const [i, o] of plan.options.entries()) {
    const approval =
      o.approval === 'none'
        ? 'no approval'
        : o.approval === 'auto'
          ? 'auto-approved by policy'
          : `approval by ${o.approval.join(', ') || 'nobody configured'}`;
    lines.push(`  ${i + 1}. ${o.option} (${o.risk}, ${approval}): ${o.description}`);
    if (o.unplanned) lines.push(`     cannot be planned: ${o.unplanned}`);
    const p = o.procedure;
    if (!p) continue;
    lines.push(
      `     ${p.procedure} rollback, mode ${p.mode}, in ${p.repoPath}; services: ${p.services.join(', ') || 'none'}${p.path ? `; path ${p.path}` : ''}`,
    );
    for (const note of p.notes) lines.push(`     note: ${note}`);
    for (const step of p.steps) lines.push(`     - ${describeStep(step)}`);
  }
  return lines.filter((l) => l !== '').join('\n');
}
