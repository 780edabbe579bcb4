/**
 * The contract between the incident workflow (and the CLI, and drills) and the rollback child
 * workflows `widgetRollback`, `mcpRollback` and `fullRollback`. Every destructive target is an
 * explicit SHA or tag resolved before the child starts, so a retry never acts on "HEAD".
 */
import type { RollbackProcedure } from '../domain/scenarios';

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
}

export interface RollbackStepRecord {
  /** Stable kebab-case step ID, e.g. "revert-commit", "build-widgets". */
  step: string;
  status: 'succeeded' | 'failed' | 'undone' | 'skipped';
  startedAt: string;
  endedAt: string;
  detail?: string;
}

export interface RollbackResult {
  ok: boolean;
  procedure: RollbackProcedure;
  steps: RollbackStepRecord[];
  /** The step that failed, when ok is false. */
  failedStep?: string;
  /** HEAD of the working copy after the procedure (and any undo). */
  headAfter?: string;
}

export const ROLLBACK_WORKFLOW_TYPES: Record<RollbackProcedure, string> = {
  widget: 'widgetRollback',
  mcp: 'mcpRollback',
  full: 'fullRollback',
};
