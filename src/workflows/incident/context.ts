import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Policy } from '../../contracts/policy';
import type { IncidentInput, Stage } from '../../contracts/incident';
import type {
  ApproveInput,
  IncidentStatus,
  MitigationOutcomeInput,
  NotificationDraft,
  RejectInput,
  WorkaroundInput,
} from '../../contracts/messages';
import { SA } from '../../contracts/search-attributes';

/** A human decision on the option being worked on, consumed by the mitigation loop. */
export type Decision =
  | { kind: 'approved'; input: ApproveInput }
  | { kind: 'rejected'; input: RejectInput }
  | { kind: 'outcome'; input: MitigationOutcomeInput };

/**
 * Everything one run of the incident workflow shares: the state answered by `status`, the
 * policy recorded at start, the notification outbox, and the decisions handlers leave for the
 * stage code. Handlers only write here; stage code reads and acts.
 */
export interface IncidentContext {
  incident: IncidentInput;
  state: IncidentStatus;
  policy: Policy;
  outbox: NotificationDraft[];
  decision?: Decision;
  workaround?: WorkaroundInput;
  /** The severity was reassigned after the incident note was written: rewrite it. */
  noteStale?: boolean;
  /** The incident was reassigned to SEV-2: check for other open SEV-2 incidents. */
  recheckSev2?: boolean;
  /** Set when the run is about to finish or continue as new: background loops wind down. */
  stopping: boolean;
}

export const nowIso = (): string => new Date().toISOString();

export function record(ctx: IncidentContext, kind: string, message: string): void {
  ctx.state.timeline.push({ at: nowIso(), stage: ctx.state.stage, kind, message });
}

/** Records an escalation and queues its notification (sent by the outbox loop). */
export function escalate(ctx: IncidentContext, reason: string): void {
  const { state } = ctx;
  state.escalations.push({ at: nowIso(), reason });
  record(ctx, 'escalated', `escalated to ${ctx.policy.escalationContact}: ${reason}`);
  ctx.outbox.push({
    kind: 'escalation',
    text: `ESCALATION to ${ctx.policy.escalationContact}: ${state.incidentId} ${state.severity} (${state.stage}): ${reason}`,
  });
}

/** Search attributes for the Web UI and `incident list`, refreshed on every transition. */
export function publishSearchAttributes(ctx: IncidentContext): void {
  const { state } = ctx;
  upsertSearchAttributes([
    { key: SA.incidentId, value: state.incidentId },
    { key: SA.severity, value: state.severity },
    { key: SA.stage, value: state.stage },
    { key: SA.services, value: state.services },
    { key: SA.scenario, value: state.scenario },
  ]);
}

/** Markdown shown as the workflow's current details in the Web UI. */
export function showDetails(ctx: IncidentContext, doing: string): void {
  const { state } = ctx;
  const deadlines = Object.entries(state.deadlines)
    .map(([name, at]) => `- ${name}: ${at}`)
    .join('\n');
  setCurrentDetails(
    `**${state.incidentId}** · ${state.severity} · stage **${state.stage}**\n\n${doing}\n\n` +
      `Services: ${state.services.join(', ')} · scenario: ${state.scenario}` +
      (state.acknowledgedBy ? ` · acknowledged by ${state.acknowledgedBy}` : ' · not acknowledged') +
      (deadlines ? `\n\nDeadlines (UTC):\n${deadlines}` : '') +
      `\n\nEscalations: ${state.escalations.length}`,
  );
}

export function transition(ctx: IncidentContext, stage: Stage, doing: string): void {
  const from = ctx.state.stage;
  ctx.state.stage = stage;
  if (from !== stage) record(ctx, 'stage', `${from} → ${stage}`);
  publishSearchAttributes(ctx);
  showDetails(ctx, doing);
}
