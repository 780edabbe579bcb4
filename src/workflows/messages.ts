/**
 * The incident workflow's public contract: every signal, query and update, their payload types
 * and the task queue. Workflows, the API and the CLI all import this module and nothing else of
 * the workflow code, so clients never depend on the implementation.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentInput, Scenario, Severity, Source, Stage } from '../domain/incident';

export const TASK_QUEUE = 'incident-response';

/** Mitigation options in the guide's order of preference, plus the visual-baseline update. */
export const MITIGATION_OPTIONS = [
  'revert-last-change',
  'disable-feature',
  'deploy-known-good',
  'update-visual-baselines',
  'workaround',
] as const;
export type MitigationOption = (typeof MITIGATION_OPTIONS)[number];

export interface AcknowledgeInput {
  by: string;
}
export interface SetSeverityInput {
  severity: Severity;
  by: string;
  reason?: string;
}
export interface ApproveInput {
  option: MitigationOption;
  approver: string;
  comment?: string;
}
export interface RejectInput {
  option: MitigationOption;
  approver: string;
  reason?: string;
}
export interface WorkaroundInput {
  by: string;
  description: string;
}
export interface FixReference {
  branch?: string;
  commit?: string;
  tag?: string;
}
export interface ResolveInput {
  by: string;
  /** The 5 Whys, first "why did it fail" to the deepest cause. */
  whys: string[];
  fix: FixReference;
}
export interface ReviewInput {
  by: string;
  wentWell: string[];
  toImprove: string[];
  actionItems: string[];
  notes?: string;
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
export interface PendingApproval {
  option: MitigationOption;
  risk: 'safe' | 'destructive';
  since: string;
  deadline: string;
}
export interface OptionAttempt {
  option: MitigationOption;
  outcome: 'approved' | 'rejected' | 'succeeded' | 'failed' | 'skipped';
  at: string;
  by?: string;
  detail?: string;
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
  /** Deadlines still running (ISO 8601 UTC), keyed by name: ack, approval, review, statusUpdate. */
  deadlines: Record<string, string>;
  alerts: { firing: number; resolved: number; lastAt?: string };
  mitigatedAt?: string;
  resolvedAt?: string;
  reviewedAt?: string;
  closedAt?: string;
  reportPath?: string;
}

/** Start input of {@link incidentWorkflow}; `carried` is set only by continue-as-new. */
export interface IncidentWorkflowInput {
  incident: IncidentInput;
  carried?: IncidentStatus;
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
export const alertSignal = defineSignal<[AlertInput]>('alert');

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
