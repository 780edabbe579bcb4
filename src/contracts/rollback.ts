/**
 * The contract between the incident workflow (and the CLI, and drills) and the rollback child
 * workflows `widgetRollback`, `mcpRollback` and `fullRollback` (plus `visualBaselinesUpdate`).
 * Every destructive target is an explicit SHA or tag, resolved once and recorded in workflow
 * history before any change, so a retry never acts on "HEAD".
 *
 * Starting one on its own (CLI `incident rollback`, a drill): workflow type from
 * `ROLLBACK_WORKFLOW_TYPES`, workflow ID `rollbackWorkflowId(procedure, incidentId)`, task queue
 * `incident-response`, one `RollbackInput` argument. A rollback never throws for a failed step:
 * it undoes what it did (newest first) and returns `ok: false` with `failedStep`.
 */
import type { StepFailure } from './step-failure';

/** The three rollback procedures of the guide, one child workflow type each. */
export type RollbackProcedure = 'widget' | 'mcp' | 'full';

export interface RollbackInput {
  /** Incident (or drill) the rollback belongs to; names the log folder and the fix branch. */
  incidentId: string;
  procedure: RollbackProcedure;
  /** Working copy to act on; defaults to the configured target repository. */
  repoPath?: string;
  /** revert: undo `badCommit` with a new commit; reset: move to `knownGood` (only if nothing came after); checkout: check out `knownGood`. */
  mode: 'revert' | 'reset' | 'checkout';
  /** Full 40-hex SHA of the commit to revert (mode revert). */
  badCommit?: string;
  /** Full SHA or tag of the known-good version (modes reset and checkout). */
  knownGood?: string;
  /**
   * mcpRollback in revert mode reverts only this part of `badCommit` (the guide's
   * `git revert HEAD -- platforms/mcp/`); default `target.paths.mcp`.
   */
  path?: string;
  /** mcpRollback in revert mode reverts the whole of `badCommit` instead of only `path`'s part. */
  revertWholeCommit?: boolean;
  /**
   * Services the procedure stops and starts (keys of target.services; others are ignored with a
   * note in the plan). Default: every configured service (mcpRollback: the first).
   */
  services?: string[];
}

export interface RollbackStepRecord {
  /** Stable kebab-case step ID, e.g. "revert-commit", "build-widgets". */
  step: string;
  status: 'succeeded' | 'failed' | 'undone' | 'skipped';
  startedAt: string;
  endedAt: string;
  detail?: string;
  /**
   * Why a failed step failed, when its activity said so in structured details: the command, its
   * exit code or timeout, the last meaningful output lines and the log path.
   */
  failure?: StepFailure;
  /** What the operator should know about a step that succeeded, e.g. a server it adopted. */
  note?: string;
}

export interface RollbackResult {
  ok: boolean;
  procedure: RollbackProcedure;
  steps: RollbackStepRecord[];
  /** The step that failed, when ok is false. */
  failedStep?: string;
  /** HEAD of the working copy after the procedure (and any undo). */
  headAfter?: string;
  /** Why the failed step failed (the activity's message). */
  error?: string;
  /** Where HEAD was saved before the first destructive step: `refs/incident-backup/<ID>`. */
  backupRef?: string;
  /** The revert commit made (or found from an earlier attempt), in revert mode. */
  revertCommit?: string;
  /**
   * Mode checkout succeeded: HEAD is detached at this tag or SHA, and `branchToRestore` (the
   * branch HEAD was on) still points at the broken commit until a fix lands on it.
   */
  detachedAt?: string;
  branchToRestore?: string;
}

/**
 * Workflow ID of a rollback: `rollback-<procedure>-<incidentId>`. One per incident and procedure,
 * so starting the same rollback twice (a CLI retry, a parent's retry) lands on the same execution.
 */
export const rollbackWorkflowId = (procedure: RollbackProcedure, incidentId: string): string =>
  `rollback-${procedure}-${incidentId}`;

/** Input of `visualBaselinesUpdate`, the visual-regression scenario's "intended change" branch. */
export interface VisualBaselinesInput {
  incidentId: string;
  repoPath?: string;
  /** The feature the change belongs to, for the commit message. */
  reason?: string;
}

/** Workflow ID of a baseline update: `visual-baselines-<incidentId>`. */
export const visualBaselinesWorkflowId = (incidentId: string): string => `visual-baselines-${incidentId}`;

export interface VisualBaselinesResult {
  ok: boolean;
  steps: RollbackStepRecord[];
  failedStep?: string;
  error?: string;
  /** The baselines commit (absent when the baselines already matched). */
  commit?: string;
  headAfter?: string;
}

export const ROLLBACK_WORKFLOW_TYPES: Record<RollbackProcedure, string> = {
  widget: 'widgetRollback',
  mcp: 'mcpRollback',
  full: 'fullRollback',
};
