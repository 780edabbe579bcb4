import { condition, workflowInfo } from '@temporalio/workflow';
import { escalate, type IncidentContext, showDetails } from './context';

/** Thrown out of a wait when the server suggests continue-as-new; the main loop carries the state over. */
export class ContinueAsNewRequested extends Error {
  constructor() {
    super('continue-as-new suggested');
    this.name = 'ContinueAsNewRequested';
  }
}

/**
 * Waits until `done()` or the instant `until` (ms epoch; none = forever). Returns true when done.
 * Also wakes when the history grows large enough for continue-as-new, and then throws
 * {@link ContinueAsNewRequested} (only if not done) so no stage is ever half-carried.
 */
export async function waitUntil(
  done: () => boolean,
  until: number | undefined,
  summary: string,
): Promise<boolean> {
  const wake = () => done() || workflowInfo().continueAsNewSuggested;
  if (until === undefined) await condition(wake);
  else {
    const remaining = until - Date.now();
    if (remaining > 0) await condition(wake, remaining, { summary });
  }
  if (done()) return true;
  if (workflowInfo().continueAsNewSuggested) throw new ContinueAsNewRequested();
  return false;
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
): Promise<void> {
  const { state } = ctx;
  const rounds = (state.escalationRounds ??= {});
  while (!done()) {
    const round = rounds[wait.deadline] ?? 0;
    const stored = state.deadlines[wait.deadline];
    const deadline = round === 0 || !stored ? wait.firstDeadline() : Date.parse(stored);
    state.deadlines[wait.deadline] = new Date(deadline).toISOString();
    showDetails(ctx, wait.summary);
    const moved = () => round === 0 && wait.firstDeadline() !== deadline;
    const woke = await waitUntil(() => done() || moved(), deadline, wait.summary);
    if (woke) continue; // done (the loop ends) or the first deadline moved (wait on the new one)
    escalate(ctx, wait.reason());
    rounds[wait.deadline] = round + 1;
    state.deadlines[wait.deadline] = new Date(Date.now() + ctx.policy.escalationInterval).toISOString();
  }
  delete state.deadlines[wait.deadline];
  delete rounds[wait.deadline];
}
