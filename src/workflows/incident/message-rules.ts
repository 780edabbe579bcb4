import { defaultTarget, proposalSeen } from '../../domain/decision-audit';
import {
  agreedTarget,
  approvalProgress,
  approversNow,
  countApproval,
  namedTarget,
  requiredApprovals,
} from '../../domain/four-eyes';
import { SEVERITIES } from '../../contracts/incident';
import type {
  AcknowledgeInput,
  ApprovalRecord,
  ApproveInput,
  PendingApproval,
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
  apply: (ctx, { by, via }) => {
    ctx.state.acknowledgedBy = by;
    ctx.state.acknowledgedAt = nowIso();
    ctx.metrics.acknowledged(ctx.state);
    const audit = ctx.audit({ decision: 'ack', by, via, detail: 'acknowledged' });
    ctx.record('acknowledged', `acknowledged by ${by}${audit}`);
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
    const detail = `${from} → ${input.severity}${input.reason ? `: ${input.reason}` : ''}`;
    const audit = ctx.audit({ decision: 'severity', by: input.by, via: input.via, detail });
    ctx.record(
      'severity',
      `severity ${from} → ${input.severity} by ${input.by}${input.reason ? `: ${input.reason}` : ''}${audit}`,
    );
    recountApprovals(ctx);
    ctx.publishSearchAttributes();
    if (ctx.state.notePath) ctx.markNoteStale();
    if (input.severity === 'SEV-2') ctx.requestSev2Recheck();
    if (input.severity === 'SEV-1' && from !== 'SEV-1')
      ctx.escalate('severity reassigned to SEV-1', 'severity-reassigned');
    return `severity is now ${input.severity}`;
  },
};

/**
 * Patch: an option needing more than one approval (policy `approvals.required`) keeps waiting
 * after the first. Before it, every approval decided at once; the marker is written only when an
 * approval is counted short of its number, so histories without four-eyes are unchanged.
 */
export const FOUR_EYES_PATCH = 'four-eyes-approval';

function authorize(
  ctx: IncidentContext,
  option: ApproveInput['option'],
  approver: string,
): string | undefined {
  const { severity, pendingApproval } = ctx.state;
  // Delegated groups widen who may decide on the option they were asked about, and only that one.
  const asked = pendingApproval?.option === option ? pendingApproval.asked : undefined;
  const allowed = approversNow(ctx.policy.approvers, severity, option, asked);
  if (allowed.includes(approver)) return undefined;
  return `${approver} may not approve ${option} for a ${severity} incident (allowed: ${allowed.join(', ') || 'nobody'})`;
}

/** What the decider was shown: the proposal's option, target and plan fingerprint. */
const seen = (ctx: IncidentContext, pending: PendingApproval, target: string | undefined) =>
  proposalSeen(pending, target, defaultTarget(pending.option, ctx.state.repository));

/**
 * The option has enough distinct approvals: decide it, with the target the approvers agreed on.
 * `approver` names them all (optionsTried shows who approved).
 */
function decideApproved(ctx: IncidentContext, pending: PendingApproval, comment?: string): void {
  const approvals = pending.approvals ?? [];
  const target = namedTarget(approvals);
  ctx.decide({
    kind: 'approved',
    input: {
      option: pending.option,
      approver: approvals.map((a) => a.by).join(', '),
      ...(comment ? { comment } : {}),
      ...(target ? { target } : {}),
    },
  });
}

/**
 * A reassigned severity can change how many approvals the pending option needs: show the new
 * number, and decide when the approvals already given are now enough.
 */
function recountApprovals(ctx: IncidentContext): void {
  const pending = ctx.state.pendingApproval;
  if (!pending || ctx.decision) return;
  pending.required = requiredApprovals(ctx.policy.approvals, ctx.state.severity, pending.option);
  // Only a four-eyes wait (patched) leaves approvals without a decision; none before it.
  if (!pending.approvals?.length || pending.approvals.length < pending.required) return;
  decideApproved(ctx, pending);
  ctx.record(
    'approved',
    `${pending.option} approved: ${approvalProgress(pending.approvals, pending.required)} after the severity changed`,
  );
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
    const refusal = authorize(ctx, input.option, input.approver);
    if (refusal) return refusal;
    const agreed = agreedTarget(pending.approvals ?? [], input.target);
    return 'conflict' in agreed ? agreed.conflict : undefined;
  },
  apply: (ctx, input) => {
    const pending = ctx.state.pendingApproval!;
    const so = pending.approvals ?? [];
    const required = requiredApprovals(ctx.policy.approvals, ctx.state.severity, input.option);
    pending.required = required;
    const count = countApproval(so, input.approver, required);
    const saw = seen(ctx, pending, input.target ?? namedTarget(so));
    if (count.kind === 'repeat') {
      // Not an error: the approver learns it counts once, and nothing else changes.
      const progress = approvalProgress(so, required);
      const audit = ctx.audit({
        decision: 'approve',
        by: input.approver,
        via: input.via,
        detail: `${input.option}: repeat approval, not counted (${progress})`,
        saw,
      });
      ctx.record(
        'approval-repeated',
        `${input.option}: ${input.approver} approved again; counted once (${progress})${audit}`,
      );
      return `${input.approver} has already approved ${input.option}; it counts once: ${progress}; waiting for another approver`;
    }
    const approval: ApprovalRecord = {
      by: input.approver,
      at: nowIso(),
      ...(input.via ? { via: input.via } : {}),
      ...(input.target ? { target: input.target } : {}),
      ...(input.comment ? { comment: input.comment } : {}),
    };
    pending.approvals = [...so, approval];
    const progress = approvalProgress(pending.approvals, required);
    const audit = ctx.audit({
      decision: 'approve',
      by: input.approver,
      via: input.via,
      detail: `${input.option} (${progress})${input.comment ? `: ${input.comment}` : ''}`,
      saw,
    });
    if (count.kind === 'waiting' && ctx.patched(FOUR_EYES_PATCH)) {
      ctx.record(
        'approval',
        `${input.option} approved by ${input.approver}${input.comment ? `: ${input.comment}` : ''}; ${progress}, waiting for another approver${audit}`,
      );
      return `${progress}; waiting for another approver`;
    }
    decideApproved(ctx, pending, input.comment);
    ctx.record(
      'approved',
      `${input.option} approved by ${input.approver}${input.comment ? `: ${input.comment}` : ''}${required > 1 ? ` (${progress})` : ''}${audit}`,
    );
    return required > 1 ? `${input.option} approved (${progress})` : `${input.option} approved`;
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
    // One reject is enough whatever the number of approvals: four eyes guard the destructive
    // path, not the safe one.
    ctx.decide({ kind: 'rejected', input });
    const pending = ctx.state.pendingApproval;
    const audit = ctx.audit({
      decision: 'reject',
      by: input.approver,
      via: input.via,
      detail: `${input.option}${input.reason ? `: ${input.reason}` : ''}`,
      ...(pending ? { saw: seen(ctx, pending, namedTarget(pending.approvals ?? [])) } : {}),
    });
    ctx.record(
      'rejected',
      `${input.option} rejected by ${input.approver}${input.reason ? `: ${input.reason}` : ''}${audit}`,
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
    const detail = `${input.option} ${input.outcome}${input.detail ? `: ${input.detail}` : ''}`;
    const audit = ctx.audit({ decision: 'outcome', by: input.by, via: input.via, detail });
    ctx.record(
      'mitigation-outcome',
      `${input.option} ${input.outcome} (recorded by ${input.by})${input.detail ? `: ${input.detail}` : ''}${audit}`,
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
    const audit = ctx.audit({
      decision: 'workaround',
      by: input.by,
      via: input.via,
      detail: input.description,
    });
    ctx.record('workaround', `workaround by ${input.by}: ${input.description}${audit}`);
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
    const audit = ctx.audit({
      decision: 'resolve',
      by: input.by,
      via: input.via,
      detail: `root cause: ${input.whys.at(-1)}`,
    });
    ctx.record('resolve', `root cause recorded by ${input.by}: ${input.whys.at(-1)}${audit}`);
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
    const audit = ctx.audit({
      decision: 'review',
      by: input.by,
      via: input.via,
      detail: 'post-incident review',
    });
    ctx.record(
      'review',
      `post-incident review recorded by ${input.by}${hasFix(ctx.state.resolution?.fix) ? '' : '; fix reference still pending'}${audit}`,
    );
    return 'review recorded; closing the incident';
  },
};
