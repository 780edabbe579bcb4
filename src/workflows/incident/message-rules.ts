import { allowedApprovers, isAuthorizedApprover } from '../../domain/approval';
import { SEVERITIES } from '../../contracts/incident';
import type {
  AcknowledgeInput,
  ApproveInput,
  FixReference,
  MitigationOutcomeInput,
  RejectInput,
  ResolveInput,
  ReviewInput,
  SetSeverityInput,
  WorkaroundInput,
} from '../../contracts/messages';
import { type IncidentLifecycle as IncidentContext, nowIso } from './lifecycle';

/**
 * The rule of each incoming message: one `check` (why it does not fit the current stage, or
 * undefined) and one `apply` (a small state change the stage code then acts on). The signal and
 * the Update of a message share the rule, so they can never disagree. Rules see only the
 * lifecycle (no workflow sandbox): search attributes and patch markers are its injected effects,
 * so they run in a plain unit test.
 */
export interface MessageRule<T> {
  name: string;
  check: (ctx: IncidentContext, input: T) => string | undefined;
  /**
   * Extra refusals for the signal only, run after `check`. Signals are in history, so a change to
   * what one may do must be patched here; an Update's validator runs in a read-only context
   * (no patch markers) and rejected Updates leave no history, so `check` alone guards them.
   */
  signalCheck?: (ctx: IncidentContext, input: T) => string | undefined;
  apply: (ctx: IncidentContext, input: T) => string;
}

export const who = (input: unknown) => {
  const i = input as { by?: string; approver?: string };
  return i.by ?? i.approver ?? 'someone';
};

export const acknowledgeRule: MessageRule<AcknowledgeInput> = {
  name: 'acknowledge',
  check: ({ state }, input) => {
    if (!input?.by) return 'acknowledge needs `by`';
    if (state.acknowledgedBy) return `already acknowledged by ${state.acknowledgedBy}`;
    if (state.stage === 'closed') return 'the incident is closed';
    return undefined;
  },
  apply: (ctx, { by }) => {
    ctx.state.acknowledgedBy = by;
    ctx.state.acknowledgedAt = nowIso();
    ctx.metrics.acknowledged(ctx.state);
    ctx.record('acknowledged', `acknowledged by ${by}`);
    return `acknowledged by ${by}`;
  },
};

export const setSeverityRule: MessageRule<SetSeverityInput> = {
  name: 'setSeverity',
  check: ({ state }, input) => {
    if (!input?.by) return 'setSeverity needs `by`';
    if (!SEVERITIES.includes(input.severity)) return `unknown severity ${String(input.severity)}`;
    if (state.stage === 'review' || state.stage === 'closed')
      return `severity is fixed once the incident is resolved (stage ${state.stage})`;
    if (input.severity === state.severity) return `severity is already ${state.severity}`;
    return undefined;
  },
  apply: (ctx, input) => {
    const from = ctx.state.severity;
    ctx.state.severity = input.severity;
    ctx.record(
      'severity',
      `severity ${from} → ${input.severity} by ${input.by}${input.reason ? `: ${input.reason}` : ''}`,
    );
    ctx.publishSearchAttributes();
    if (ctx.state.notePath) ctx.markNoteStale();
    if (input.severity === 'SEV-2') ctx.requestSev2Recheck();
    if (input.severity === 'SEV-1' && from !== 'SEV-1')
      ctx.escalate('severity reassigned to SEV-1', 'severity-reassigned');
    return `severity is now ${input.severity}`;
  },
};

function authorize(
  ctx: IncidentContext,
  option: ApproveInput['option'],
  approver: string,
): string | undefined {
  const { severity } = ctx.state;
  if (isAuthorizedApprover(ctx.policy.approvers, severity, option, approver)) return undefined;
  const allowed = allowedApprovers(ctx.policy.approvers, severity, option);
  return `${approver} may not approve ${option} for a ${severity} incident (allowed: ${allowed.join(', ') || 'nobody'})`;
}

export const approveRule: MessageRule<ApproveInput> = {
  name: 'approve',
  check: (ctx, input) => {
    const pending = ctx.state.pendingApproval;
    if (!input?.approver || !input.option) return 'approve needs `option` and `approver`';
    if (!pending) return `nothing is waiting for approval (stage ${ctx.state.stage})`;
    if (pending.option !== input.option)
      return `the option waiting for approval is ${pending.option}, not ${input.option}`;
    if (ctx.decision) return 'a decision on this option is already recorded';
    return authorize(ctx, input.option, input.approver);
  },
  apply: (ctx, input) => {
    ctx.decide({ kind: 'approved', input });
    ctx.record(
      'approved',
      `${input.option} approved by ${input.approver}${input.comment ? `: ${input.comment}` : ''}`,
    );
    return `${input.option} approved`;
  },
};

export const rejectRule: MessageRule<RejectInput> = {
  name: 'reject',
  check: (ctx, input) => {
    if (!input?.approver || !input.option) return 'reject needs `option` and `approver`';
    const current = ctx.state.pendingApproval?.option ?? ctx.state.pendingAction?.option;
    if (!current) return `no mitigation option is waiting for a decision (stage ${ctx.state.stage})`;
    if (current !== input.option)
      return `the option waiting for a decision is ${current}, not ${input.option}`;
    if (ctx.decision) return 'a decision on this option is already recorded';
    return authorize(ctx, input.option, input.approver);
  },
  apply: (ctx, input) => {
    ctx.decide({ kind: 'rejected', input });
    ctx.record(
      'rejected',
      `${input.option} rejected by ${input.approver}${input.reason ? `: ${input.reason}` : ''}`,
    );
    return `${input.option} rejected; moving to the next option`;
  },
};

export const recordMitigationRule: MessageRule<MitigationOutcomeInput> = {
  // Named as an operator types it (`incident outcome`); the message itself is recordMitigation.
  name: 'outcome',
  check: (ctx, input) => {
    if (!input?.by || !input.option) return 'outcome needs `option` and `by`';
    if (input.outcome !== 'succeeded' && input.outcome !== 'failed')
      return 'outcome must be succeeded or failed';
    const pending = ctx.state.pendingAction;
    if (!pending) return `no human mitigation step is pending (stage ${ctx.state.stage})`;
    if (pending.option !== input.option)
      return `the pending human step is ${pending.option}, not ${input.option}`;
    if (ctx.decision) return 'an outcome for this option is already recorded';
    return undefined;
  },
  apply: (ctx, input) => {
    ctx.decide({ kind: 'outcome', input });
    ctx.record(
      'mitigation-outcome',
      `${input.option} ${input.outcome} (recorded by ${input.by})${input.detail ? `: ${input.detail}` : ''}`,
    );
    return `${input.option} recorded as ${input.outcome}`;
  },
};

export const workaroundRule: MessageRule<WorkaroundInput> = {
  name: 'workaround',
  check: (ctx, input) => {
    if (!input?.by || !input.description) return 'workaround needs `by` and `description`';
    if (ctx.state.stage !== 'mitigation')
      return `a workaround is recorded during mitigation, not ${ctx.state.stage}`;
    if (ctx.workaround) return 'a workaround is already recorded';
    return undefined;
  },
  apply: (ctx, input) => {
    ctx.recordWorkaround(input);
    ctx.record('workaround', `workaround by ${input.by}: ${input.description}`);
    return 'workaround recorded; service counts as restored';
  },
};

/**
 * Until this patch a resolve without a fix reference was refused. A resolve signal refused that
 * way in an incident already running must stay refused on replay (else the later resolve with
 * the fix would be the one refused, and the fix lost); new signals are accepted.
 */
export const RESOLVE_FIX_OPTIONAL_PATCH = 'resolve-fix-optional';

/** A fix reference names at least a branch, a commit or a tag. */
export const hasFix = (fix: FixReference | undefined): boolean =>
  Boolean(fix?.branch || fix?.commit || fix?.tag);

export const resolveRule: MessageRule<ResolveInput> = {
  name: 'resolve',
  check: (ctx, input) => {
    if (!input?.by) return 'resolve needs `by`';
    if (!Array.isArray(input.whys) || input.whys.length === 0 || input.whys.some((w) => !w?.trim()))
      return 'resolve needs the root cause as a non-empty chain of whys';
    if (ctx.state.stage !== 'resolution')
      return `resolve is accepted after mitigation, not during ${ctx.state.stage}`;
    if (ctx.state.resolution) return `already resolved by ${ctx.state.resolution.by}; recovery check running`;
    return undefined;
  },
  signalCheck: (ctx, input) =>
    hasFix(input.fix) || ctx.patched(RESOLVE_FIX_OPTIONAL_PATCH)
      ? undefined
      : 'resolve needs a fix reference (branch, commit or tag)',
  apply: (ctx, input) => {
    // The root cause is needed now; the fix reference may come later, with the review.
    ctx.state.resolution = { by: input.by, at: nowIso(), whys: [...input.whys], fix: { ...input.fix } };
    ctx.record('resolve', `root cause recorded by ${input.by}: ${input.whys.at(-1)}`);
    return 'resolution recorded; verifying recovery';
  },
};

export const reviewRule: MessageRule<ReviewInput> = {
  name: 'review',
  check: (ctx, input) => {
    if (!input?.by) return 'review needs `by`';
    if (
      !Array.isArray(input.wentWell) ||
      !Array.isArray(input.toImprove) ||
      !Array.isArray(input.actionItems)
    )
      return 'review needs wentWell, toImprove and actionItems lists';
    if (ctx.state.stage !== 'review')
      return `the review is accepted after resolution, not during ${ctx.state.stage}`;
    if (ctx.state.review) return `already reviewed by ${ctx.state.review.by}`;
    return undefined;
  },
  apply: (ctx, input) => {
    ctx.state.review = { ...input, at: nowIso() };
    if (ctx.state.resolution && hasFix(input.fix))
      ctx.state.resolution.fix = { ...ctx.state.resolution.fix, ...input.fix };
    ctx.record(
      'review',
      `post-incident review recorded by ${input.by}${hasFix(ctx.state.resolution?.fix) ? '' : '; fix reference still pending'}`,
    );
    return 'review recorded; closing the incident';
  },
};
