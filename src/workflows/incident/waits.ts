import { condition, patched, workflowInfo } from '@temporalio/workflow';
import { deadlineReason } from '../../contracts/metrics';
import { escalate, type IncidentContext, showDetails } from './context';

/**
 * How a wait ended: `done`, its deadline passed (`timeout`), or `continue-as-new`: the server
 * suggests continuing as new, or the history passed the size check ({@link continueAsNewDue}), and
 * the wait is a safe point to do so. Every caller returns `continue-as-new` at once, changing nothing, up
 * to the stage loop, which carries the state over; so no stage is ever half-carried.
 */
export type WaitEnd = 'done' | 'timeout' | 'continue-as-new';

/** How a stage ended: done (the stage loop moves on) or stopped at a safe point to continue as new. */
export type StageEnd = 'done' | 'continue-as-new';

/**
 * Backstop for servers that give no suggestion (before 1.20, or configured without one): well
 * under Temporal's hard limits of 51,200 events and 50 MB per history.
 */
const HISTORY_EVENTS_LIMIT = 20_000;
const HISTORY_BYTES_LIMIT = 20 * 1024 * 1024;

/**
 * Patch: continue as new on the size check too. A running incident that grew past the limits
 * without a suggestion kept running before this change and must replay as it ran; the marker is
 * written only the first time a history is that large, so other histories are unchanged.
 */
export const CONTINUE_AS_NEW_ON_SIZE_PATCH = 'continue-as-new-on-history-size';

/** True when this run should end at its next safe point and continue as new. */
export function continueAsNewDue(): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  const large = info.historyLength >= HISTORY_EVENTS_LIMIT || info.historySize >= HISTORY_BYTES_LIMIT;
  return large && patched(CONTINUE_AS_NEW_ON_SIZE_PATCH);
}

/** Waits until `done()` or the instant `until` (ms epoch; none = forever). */
export async function waitUntil(
  done: () => boolean,
  until: number | undefined,
  summary: string,
): Promise<WaitEnd> {
  const wake = () => done() || continueAsNewDue();
  if (until === undefined) await condition(wake);
  else {
    const remaining = until - Date.now();
    if (remaining > 0) await condition(wake, remaining, { summary });
  }
  if (done()) return 'done';
  return continueAsNewDue() ? 'continue-as-new' : 'timeout';
}

export interface EscalatingWait {
  /** Name in `status.deadlines` (ack, approval, action, workaround, review). */
  deadline: string;
  /**
   * The first deadline, ms epoch, computed from recorded state only (detection time, severity,
   * pending-since), so it is stable across replays and moves when the severity is reassigned.
   */
  firstDeadline: () => number;
  /** Why we escalate when it passes. */
  reason: () => string;
  summary: string;
}

/**
 * The guide's "escalate and keep waiting": wait for `done()`; each time the deadline passes,
 * escalate and wait again for the configured escalation interval. The running deadline and the
 * number of escalations live in the state, so a continued-as-new run resumes the same clock.
 */
export async function waitWithEscalation(
  ctx: IncidentContext,
  done: () => boolean,
  wait: EscalatingWait,
): Promise<'done' | 'continue-as-new'> {
  const { state } = ctx;
  const rounds = (state.escalationRounds ??= {});
  while (!done()) {
    const round = rounds[wait.deadline] ?? 0;
    const stored = state.deadlines[wait.deadline];
    const deadline = round === 0 || !stored ? wait.firstDeadline() : Date.parse(stored);
    state.deadlines[wait.deadline] = new Date(deadline).toISOString();
    showDetails(ctx, wait.summary);
    const moved = () => round === 0 && wait.firstDeadline() !== deadline;
    const end = await waitUntil(() => done() || moved(), deadline, wait.summary);
    if (end === 'continue-as-new') return end; // the deadline and its rounds carry over
    if (end === 'done') continue; // done (the loop ends) or the first deadline moved (wait on the new one)
    escalate(ctx, wait.reason(), deadlineReason(wait.deadline));
    rounds[wait.deadline] = round + 1;
    state.deadlines[wait.deadline] = new Date(Date.now() + ctx.policy.escalationInterval).toISOString();
  }
  delete state.deadlines[wait.deadline];
  delete rounds[wait.deadline];
  return 'done';
}
