import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
} from '@temporalio/common';
import type { z } from 'zod';

/**
 * The one error-to-text of the engine, safe in workflow code: the innermost reason, not the
 * "Activity task failed" / "Child Workflow execution failed" wrappers, and for an
 * ApplicationFailure its catalogued type first (`MergeConflict: ...`).
 */
export function failureMessage(error: unknown): string {
  if ((error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) && error.cause)
    return failureMessage(error.cause);
  if (error instanceof ApplicationFailure) return `${error.type ?? 'Error'}: ${error.message}`;
  if (error instanceof TimeoutFailure) return `timed out (${String(error.timeoutType)})`;
  return error instanceof Error ? error.message : String(error);
}

/** The innermost reason alone, without its type: what a refused Update or failed call said. */
export function failureReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null | undefined)?.cause;
  if ((error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) && cause)
    return failureReason(cause);
  return error instanceof Error ? error.message : String(error);
}

/**
 * Zod issues as one line, `field: reason; ...`, each path under `root`. Used where the text must
 * stay on one line (workflow failure messages, the environment check); `z.prettifyError` gives
 * the same content over several lines.
 */
export function issuesLine(error: z.ZodError, root?: string, whole = root ?? 'input'): string {
  return error.issues
    .map(
      (issue) => `${[root, ...issue.path.map(String)].filter(Boolean).join('.') || whole}: ${issue.message}`,
    )
    .join('; ');
}
