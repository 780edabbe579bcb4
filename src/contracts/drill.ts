/**
 * The rollback drill's public contract: its input, result and IDs, shared by the workflow, the
 * schedule client and the CLI (which never import the workflow itself). The guide's "Verify:
 * Rollback procedures work: test rollback quarterly".
 */
import type { RollbackProcedure, RollbackResult } from './rollback';

export const DRILL_WORKFLOW_TYPE = 'rollbackDrill';
/** The one schedule `incident drill schedule` creates or updates. */
export const DRILL_SCHEDULE_ID = 'rollback-drill-quarterly';
/** Prefix of drill workflow IDs (the schedule appends its own timestamp). */
export const DRILL_WORKFLOW_ID_PREFIX = 'rollback-drill';

export const DRILL_PROCEDURES: readonly RollbackProcedure[] = ['widget', 'mcp', 'full'];

export interface RollbackDrillInput {
  /** Procedures to drill, in order; default all three. */
  procedures?: RollbackProcedure[];
  /** Repository to clone; default the configured target (it is only ever read). */
  sourceRepoPath?: string;
  /** Keep the clones after the drill (for debugging); default removed. */
  keepClones?: boolean;
}

export interface DrillCheck {
  /** Stable kebab-case ID: rollback-succeeded, breaking-change-gone, source-untouched ... */
  check: string;
  ok: boolean;
  detail: string;
}

export interface DrillProcedureResult {
  procedure: RollbackProcedure;
  ok: boolean;
  startedAt: string;
  endedAt: string;
  rollbackWorkflowId: string;
  clonePath?: string;
  knownGood?: { tag: string; sha: string };
  /** The synthetic breaking commit the rollback had to undo. */
  badCommit?: string;
  mode?: 'revert' | 'checkout';
  rollback?: RollbackResult;
  checks: DrillCheck[];
  /** Why the drill could not run or verify this procedure. */
  error?: string;
}

export interface RollbackDrillResult {
  drillId: string;
  ok: boolean;
  startedAt: string;
  endedAt: string;
  sourceRepoPath?: string;
  procedures: DrillProcedureResult[];
  reportPath?: string;
  notified: boolean;
}
