/**
 * The incident workflow's public contract: every signal, query and update, their payload types
 * and the task queue. Workflows, the API and the CLI all import this module and nothing else of
 * the workflow code, so clients never depend on the implementation.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Policy } from './policy';
import type { IncidentInput, MitigationOption, Scenario, Severity, Source, Stage } from './incident';
import type { StepFailure } from './step-failure';

export const TASK_QUEUE = 'incident-response';
/** The incident workflow's type name, as clients start and list it. */
export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';

/** The channels a human decision can come through (recorded for the audit trail). */
export const DECISION_CHANNELS = ['cli', 'api', 'slack'] as const;
export type DecisionChannel = (typeof DECISION_CHANNELS)[number];
/**
 * Where a decision came from. Absent in histories recorded before it existed: unknown.
 * Set by the entry point (CLI, API, Slack), never taken from the requester.
 */
interface Via {
  via?: DecisionChannel;
}

export interface AcknowledgeInput extends Via {
  by: string;
}
export interface SetSeverityInput extends Via {
  severity: Severity;
  by: string;
  reason?: string;
}
export interface ApproveInput extends Via {
  option: MitigationOption;
  approver: string;
  comment?: string;
  /**
   * The commit (revert-last-change) or SHA/tag (deploy-known-good) the approver confirms. When
   * absent the workflow uses what triage found (HEAD, the known-good tag); a rollback never runs
   * against an unresolved "HEAD".
   */
  target?: string;
}
export interface RejectInput extends Via {
  option: MitigationOption;
  approver: string;
  reason?: string;
}
export interface WorkaroundInput extends Via {
  by: string;
  description: string;
}
export interface FixReference {
  branch?: string;
  commit?: string;
  tag?: string;
}
export interface ResolveInput extends Via {
  by: string;
  /** The 5 Whys, first "why did it fail" to the deepest cause. Required. */
  whys: string[];
  /** Optional at resolve (at 3 a.m. the fix may not exist yet); can be given later with `review`. */
  fix: FixReference;
}
export interface ReviewInput extends Via {
  by: string;
  wentWell: string[];
  toImprove: string[];
  actionItems: string[];
  notes?: string;
  /** The fix reference, when `resolve` went without one (root cause first, fix later). */
  fix?: FixReference;
}
/**
 * The outcome of an option a human carries out (no rollback procedure: disable-feature,
 * update-visual-baselines, workaround). The workflow shows such an option as `pendingAction`
 * (after approval when it is destructive) and waits for this record: `succeeded` ends mitigation,
 * `failed` moves to the next option. Refused unless `option` is the pending action.
 */
export interface MitigationOutcomeInput extends Via {
  option: MitigationOption;
  by: string;
  outcome: 'succeeded' | 'failed';
  detail?: string;
}

/** A repeated or resolved alert for an open incident (the API's signal-with-start payload). */
export interface AlertInput {
  fingerprint: string;
  status: 'firing' | 'resolved';
  receivedAt: string;
  summary: string;
  source: Source;
}

export interface TimelineEntry {
  /** ISO 8601 UTC. */
  at: string;
  stage: Stage;
  kind: string;
  message: string;
}
export interface Escalation {
  at: string;
  reason: string;
}
/** One approval of the pending option (four-eyes: several distinct people may be needed). */
export interface ApprovalRecord {
  by: string;
  at: string;
  via?: DecisionChannel;
  /** The commit or tag this approver confirmed, when they named one. */
  target?: string;
  comment?: string;
}
/** An approver group asked to approve because the deadline passed without enough approvals. */
export interface DelegationRecord {
  group: string;
  members: string[];
  at: string;
}
export interface PendingApproval {
  option: MitigationOption;
  risk: 'safe' | 'destructive';
  since: string;
  deadline: string;
  /** The rollback procedure the option runs, and every step it would take (one line each: id, argv, cwd, service, undo). */
  procedure?: 'widget' | 'mcp' | 'full';
  plan?: string[];
  /**
   * Distinct approvals the option needs (policy `approvals.required`, at the current severity);
   * absent in histories recorded before four-eyes: 1.
   */
  required?: number;
  /** The approvals given so far, one per distinct approver. */
  approvals?: ApprovalRecord[];
  /** Approver groups asked since (delegation); their members may approve this option too. */
  asked?: DelegationRecord[];
}
/**
 * One human decision for the audit trail: who, through which channel, when, what they decided
 * and, for approvals, what they were shown (the option, target and a fingerprint of the plan).
 */
export interface DecisionRecord {
  at: string;
  stage: Stage;
  /** The decision verb as the CLI names it: ack, severity, approve, reject, outcome, workaround, resolve, review. */
  decision: string;
  by: string;
  /** Absent for decisions sent before the channel was recorded (and for signals): unknown. */
  via?: DecisionChannel;
  detail: string;
  /** What the decider saw when deciding (approve/reject): option, target, plan summary and fingerprint. */
  saw?: string;
}
/** An option waiting for a human to carry it out and record the outcome ({@link MitigationOutcomeInput}). */
export interface PendingAction {
  option: MitigationOption;
  description: string;
  since: string;
  deadline: string;
}

/** The guide's three triage questions, answered from diagnostics and alerts. */
export interface TriageAnswers {
  regression: string;
  impact: string;
  trend: string;
  diagnostics: { diagnostic: string; ok: boolean | 'unavailable'; summary: string }[];
}

export interface ResolutionRecord {
  by: string;
  at: string;
  whys: string[];
  fix: FixReference;
}

export interface VerificationRecord {
  url?: string;
  /** The Prometheus judgement, when policy.healthCheck.prometheus is set. */
  prometheus?: { url: string; query: string; bound: 'max' | 'min'; threshold: number };
  startedAt: string;
  endedAt?: string;
  probes: number;
  failures: number;
  verified: boolean | 'not-configured';
  detail?: string;
}

export interface ErrorBudgetRecord {
  sloPercent: number;
  windowMs: number;
  downtimeMs: number;
  consumedPercent: number;
}

export interface OptionAttempt {
  option: MitigationOption;
  /** Mitigation round (a failed recovery check starts another). */
  round?: number;
  outcome: 'approved' | 'rejected' | 'succeeded' | 'failed' | 'skipped';
  at: string;
  by?: string;
  detail?: string;
  /** Why an engine action failed: the step, command, exit code, last output lines and log path. */
  failure?: StepFailure;
}

export interface IncidentStatus {
  incidentId: string;
  workflowId: string;
  stage: Stage;
  severity: Severity;
  services: string[];
  scenario: Scenario;
  summary: string;
  source: Source;
  labels: string[];
  fingerprint: string;
  detectedAt: string;
  alertedAt?: string;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  pendingApproval?: PendingApproval;
  optionsTried: OptionAttempt[];
  timeline: TimelineEntry[];
  escalations: Escalation[];
  /**
   * Deadlines still running (ISO 8601 UTC), keyed by name: ack, approval, action (a human step's
   * outcome), workaround, verification, review, statusUpdate.
   */
  deadlines: Record<string, string>;
  alerts: { firing: number; resolved: number; lastAt?: string };
  mitigatedAt?: string;
  resolvedAt?: string;
  reviewedAt?: string;
  closedAt?: string;
  reportPath?: string;
  /** Where the incident note (the guide's incident.txt) was written. */
  notePath?: string;
  /** A human option waiting for its outcome record. */
  pendingAction?: PendingAction;
  /**
   * deploy-known-good checked out a tag: HEAD is detached there while `branch` still points at the
   * broken commit; restoring the branch is an action item until a fix lands on it.
   */
  detachedHead?: { at: string; branch?: string; option: MitigationOption };
  /** Set once mitigation has tried every option without success; a `workaround` record is awaited. */
  awaitingWorkaround?: boolean;
  /** Mitigation rounds (a failed recovery check starts another) and the option being worked on. */
  mitigationRound?: number;
  currentOption?: MitigationOption;
  triage?: TriageAnswers;
  resolution?: ResolutionRecord;
  verification?: VerificationRecord;
  errorBudget?: ErrorBudgetRecord;
  review?: ReviewInput & { at: string };
  /** Every alert signal received, for the "getting worse" trend. */
  alertHistory?: { at: string; status: 'firing' | 'resolved' }[];
  /** Notifications sent for status updates (SEV-1/2 cadence). */
  statusUpdatesSent?: number;
  /** Escalations so far per running deadline (ack, approval, action, workaround, review). */
  escalationRounds?: Record<string, number>;
  /** Review reminders already sent. */
  reviewRemindersSent?: number;
  /** What triage found in the target repository, for rollback targets. */
  repository?: { head: string; knownGood?: { tag: string; sha: string } };
  /** How many runs (continue-as-new) this incident has spanned. */
  runs?: number;
  /** Every human decision, for the audit trail and the report's Decisions appendix. */
  decisions?: DecisionRecord[];
}

/** Start input of {@link incidentWorkflow}; `carried` is set only by continue-as-new. */
export interface IncidentWorkflowInput {
  incident: IncidentInput;
  carried?: IncidentStatus;
  /**
   * The lifecycle policy (src/contracts/policy.ts, parsed). Normally absent: the workflow loads the
   * worker's policy with the `loadPolicy` activity, which records it in history. Continue-as-new
   * carries it so a long incident keeps the rules it started with.
   */
  policy?: Policy;
  /** Notifications queued but not yet sent when the run continued as new. */
  outbox?: NotificationDraft[];
  /**
   * Set by signal-with-start callers (the API): the opening alert arrives as the first `alert`
   * signal, so the initial state must not count it a second time.
   */
  openedByAlertSignal?: boolean;
}

/** A notification the workflow has decided to send (escalation, approval request, reminder, status update). */
export interface NotificationDraft {
  kind: 'escalation' | 'approval-request' | 'status-update' | 'reminder' | 'info';
  text: string;
  /** Approval requests: what is proposed, so a chat message can show the steps and offer Approve / Reject. */
  proposal?: NotificationProposal;
}

/** An option waiting for approval as a notification carries it: the exact steps come from the plan. */
export interface NotificationProposal {
  option: MitigationOption;
  risk: 'safe' | 'destructive';
  description: string;
  /** One line per step, from {@link PendingApproval.plan}; absent when the option has no procedure. */
  plan?: string[];
}

/** Result of a Workflow Update: accepted or the reason it was refused. */
export interface UpdateResult {
  accepted: boolean;
  message: string;
  stage: Stage;
}

export const acknowledgeSignal = defineSignal<[AcknowledgeInput]>('acknowledge');
export const setSeveritySignal = defineSignal<[SetSeverityInput]>('setSeverity');
export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');
export const workaroundSignal = defineSignal<[WorkaroundInput]>('workaround');
export const resolveSignal = defineSignal<[ResolveInput]>('resolve');
export const reviewSignal = defineSignal<[ReviewInput]>('review');
/**
 * One or more alerts, one payload each: the API coalesces a burst for one incident into one signal
 * (issue 15). A handler that reads only its first argument (a worker bundle from before batches)
 * still counts a batch once; the current one counts every payload.
 */
export const alertSignal = defineSignal<[AlertInput, ...AlertInput[]]>('alert');
export const recordMitigationSignal = defineSignal<[MitigationOutcomeInput]>('recordMitigation');

export const statusQuery = defineQuery<IncidentStatus>('status');

/**
 * Updates for callers that need a yes or no (API, CLI): same payloads as the signals, with a
 * validator that refuses, before anything is written to history, what does not fit the stage.
 */
export const acknowledgeUpdate = defineUpdate<UpdateResult, [AcknowledgeInput]>('acknowledgeUpdate');
export const approveUpdate = defineUpdate<UpdateResult, [ApproveInput]>('approveUpdate');
export const rejectUpdate = defineUpdate<UpdateResult, [RejectInput]>('rejectUpdate');
export const resolveUpdate = defineUpdate<UpdateResult, [ResolveInput]>('resolveUpdate');
export const reviewUpdate = defineUpdate<UpdateResult, [ReviewInput]>('reviewUpdate');
export const recordMitigationUpdate = defineUpdate<UpdateResult, [MitigationOutcomeInput]>(
  'recordMitigationUpdate',
);
export const setSeverityUpdate = defineUpdate<UpdateResult, [SetSeverityInput]>('setSeverityUpdate');
export const workaroundUpdate = defineUpdate<UpdateResult, [WorkaroundInput]>('workaroundUpdate');
