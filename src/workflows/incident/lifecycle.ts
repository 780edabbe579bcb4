import type { Policy } from '../../contracts/policy';
import type { IncidentInput, Stage } from '../../contracts/incident';
import type {
  ApproveInput,
  DecisionRecord,
  IncidentStatus,
  MitigationOutcomeInput,
  NotificationDraft,
  RejectInput,
  WorkaroundInput,
} from '../../contracts/messages';
import type { EscalationReason } from '../../contracts/metrics';
import { type IncidentMetrics, noIncidentMetrics } from './metrics';

/** A human decision on the option being worked on, consumed by the mitigation loop. */
export type Decision =
  | { kind: 'approved'; input: ApproveInput }
  | { kind: 'rejected'; input: RejectInput }
  | { kind: 'outcome'; input: MitigationOutcomeInput };

/** The guide's stage order, plus the way back when the recovery check fails. */
export const LEGAL_TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  detection: ['triage'],
  triage: ['mitigation'],
  mitigation: ['resolution'],
  resolution: ['review', 'mitigation'],
  review: ['closed'],
  closed: [],
};

/** A stage change the guide does not allow: a bug in the stage loop, never an operator's doing. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly from: Stage,
    readonly to: Stage,
  ) {
    super(`illegal stage transition ${from} → ${to}`);
  }
}

/**
 * What the lifecycle needs from the workflow sandbox, injected so the lifecycle and the message
 * rules run in a plain unit test: search attributes (a command) and patch markers.
 */
export interface LifecycleEffects {
  publishSearchAttributes(state: IncidentStatus): void;
  /**
   * The pending approval's search attribute alone, when an approval starts or stops waiting;
   * absent for runs recorded before the attribute existed (APPROVAL_SINCE_PATCH).
   */
  publishApproval?(state: IncidentStatus): void;
  patched(patchId: string): boolean;
  /** The workflow's metrics; none in plain unit tests. */
  metrics?: IncidentMetrics;
  /** A log line per timeline entry (the workflow `log`); unit tests may leave it out. */
  log?(message: string, fields: Record<string, unknown>): void;
}

export const nowIso = (): string => new Date().toISOString();

/**
 * The incident's state and its legal transitions, in one place: the status answered by the
 * `status` query, the policy, the notification outbox, and what handlers leave for the stage loop
 * and the background loops (a decision, a workaround, a stale note, a SEV-2 recheck, stopping).
 * Handlers and loops change it only through these methods; stage changes happen only through
 * {@link moveTo}, which the stage loop alone calls.
 */
export class IncidentLifecycle {
  #decision: Decision | undefined;
  #workaround: WorkaroundInput | undefined;
  #noteStale = false;
  #recheckSev2 = false;
  #stopping = false;
  /** What the run last said it is doing (the Web UI details), so a handler can show them again. */
  doing = '';

  constructor(
    readonly incident: IncidentInput,
    readonly state: IncidentStatus,
    public policy: Policy,
    readonly outbox: NotificationDraft[],
    private readonly effects: LifecycleEffects,
  ) {}

  get decision(): Decision | undefined {
    return this.#decision;
  }
  get workaround(): WorkaroundInput | undefined {
    return this.#workaround;
  }
  get noteStale(): boolean {
    return this.#noteStale;
  }
  get recheckSev2(): boolean {
    return this.#recheckSev2;
  }
  /** Set when the run is about to finish or continue as new: background loops wind down. */
  get stopping(): boolean {
    return this.#stopping;
  }

  record(kind: string, message: string): void {
    this.state.timeline.push({ at: nowIso(), stage: this.state.stage, kind, message });
    // The timeline as log lines too, so a log search by incident ID finds what the report shows;
    // the SDK adds workflowId, runId and workflowType. `step` is the guide's stage.
    this.effects.log?.(message, { incidentId: this.state.incidentId, step: this.state.stage, kind });
  }

  /**
   * Records a human decision for the audit trail (`state.decisions`, the report's appendix) and
   * returns the timeline suffix naming its channel and what the decider saw.
   */
  audit(decision: Omit<DecisionRecord, 'at' | 'stage'>): string {
    const entry: DecisionRecord = { at: nowIso(), stage: this.state.stage, ...decision };
    (this.state.decisions ??= []).push(entry);
    const parts = [
      ...(decision.via ? [`via ${decision.via}`] : []),
      ...(decision.saw ? [`saw: ${decision.saw}`] : []),
    ];
    return parts.length ? ` [${parts.join('; ')}]` : '';
  }

  /**
   * Records an escalation and queues its notification (sent by the outbox loop). `why` is the
   * closed-list reason the escalation metric is labelled with; `reason` is the text people read.
   */
  escalate(reason: string, why: EscalationReason): void {
    const { state } = this;
    state.escalations.push({ at: nowIso(), reason });
    this.metrics.escalated(state, why);
    this.record('escalated', `escalated to ${this.policy.escalationContact}: ${reason}`);
    this.outbox.push({
      kind: 'escalation',
      text: `ESCALATION to ${this.policy.escalationContact}: ${state.incidentId} ${state.severity} (${state.stage}): ${reason}`,
    });
  }

  publishSearchAttributes(): void {
    this.effects.publishSearchAttributes(this.state);
  }

  /** Shows in Visibility whether (and since when) an approval waits; see LifecycleEffects. */
  publishApproval(): void {
    this.effects.publishApproval?.(this.state);
  }

  patched(patchId: string): boolean {
    return this.effects.patched(patchId);
  }

  get metrics(): IncidentMetrics {
    return this.effects.metrics ?? noIncidentMetrics;
  }

  /**
   * Moves to `to` if the guide allows it (staying in the same stage is no change); records the
   * change in the timeline. Returns whether the stage changed.
   */
  moveTo(to: Stage): boolean {
    const from = this.state.stage;
    if (from === to) return false;
    if (!LEGAL_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(from, to);
    this.state.stage = to;
    this.record('stage', `${from} → ${to}`);
    return true;
  }

  /** A handler's decision on the pending option; only one per pending option (see message-rules). */
  decide(decision: Decision): void {
    if (this.#decision) throw new Error('a decision on this option is already recorded');
    this.#decision = decision;
  }

  /** The decision a handler left, consumed once. */
  takeDecision(): Decision | undefined {
    const decision = this.#decision;
    this.#decision = undefined;
    return decision;
  }

  /** A new option is waiting: any earlier, stale decision is dropped. */
  clearDecision(): void {
    this.#decision = undefined;
  }

  recordWorkaround(workaround: WorkaroundInput): void {
    if (this.state.stage !== 'mitigation') throw new Error('a workaround is recorded during mitigation');
    if (this.#workaround) throw new Error('a workaround is already recorded');
    this.#workaround = workaround;
  }

  /** Mitigation ended (by the workaround or an option): the workaround is spent. */
  clearWorkaround(): void {
    this.#workaround = undefined;
  }

  /** The severity was reassigned after the incident note was written: rewrite it. */
  markNoteStale(): void {
    this.#noteStale = true;
  }

  /** The incident was reassigned to SEV-2: check for other open SEV-2 incidents. */
  requestSev2Recheck(): void {
    this.#recheckSev2 = true;
  }

  /** Consumes the stale-note flag; true when the note must be rewritten. */
  takeNoteStale(): boolean {
    const stale = this.#noteStale;
    this.#noteStale = false;
    return stale;
  }

  /** Consumes the SEV-2 recheck request. */
  takeSev2Recheck(): boolean {
    const recheck = this.#recheckSev2;
    this.#recheckSev2 = false;
    return recheck;
  }

  stop(): void {
    this.#stopping = true;
  }
}
