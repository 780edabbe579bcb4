import type { MitigationOption, Severity } from '../contracts/incident';
import type { ApprovalRecord, DelegationRecord } from '../contracts/messages';
import type { Policy } from '../contracts/policy';
import { type ApproverTable, allowedApprovers } from './approval';

/**
 * Four-eyes approval and delegation, as pure rules the workflow (and its unit tests) apply.
 * `rules` is undefined for a policy recorded before these rules existed: one approval, no groups.
 */
export type ApprovalRules = Policy['approvals'] | undefined;
export type ApproverGroup = Policy['approvals']['groups'][number];

/** Distinct approvals `option` needs at `severity`: the option's own number, else `*`, else 1. */
export function requiredApprovals(
  rules: ApprovalRules,
  severity: Severity,
  option: MitigationOption,
): number {
  const row = rules?.required[severity];
  return row?.[option] ?? row?.['*'] ?? 1;
}

/**
 * Who may approve or reject now: the approvers table's list for the severity and option, plus
 * the members of every group asked so far (delegation widens the list, never narrows it).
 */
export function approversNow(
  table: ApproverTable,
  severity: Severity,
  option: MitigationOption,
  asked: readonly DelegationRecord[] = [],
): string[] {
  const people = [...allowedApprovers(table, severity, option), ...asked.flatMap((a) => a.members)];
  return [...new Set(people)];
}

/** How one more approval counts. */
export type ApprovalCount =
  /** The same person approved before: it does not count twice. */
  | { kind: 'repeat'; count: number; required: number }
  /** Counted, but fewer than `required` distinct people have approved. */
  | { kind: 'waiting'; count: number; required: number }
  /** Counted, and enough distinct people have approved: the option may proceed. */
  | { kind: 'enough'; count: number; required: number };

/** Counts `approver` against the approvals so far; only distinct people count. */
export function countApproval(
  approvals: readonly ApprovalRecord[],
  approver: string,
  required: number,
): ApprovalCount {
  const distinct = new Set(approvals.map((a) => a.by));
  if (distinct.has(approver)) return { kind: 'repeat', count: distinct.size, required };
  const count = distinct.size + 1;
  return { kind: count >= required ? 'enough' : 'waiting', count, required };
}

/** The target the approvals so far named (they agree, see {@link agreedTarget}); undefined when none did. */
export const namedTarget = (approvals: readonly ApprovalRecord[]): string | undefined =>
  approvals.find((a) => a.target !== undefined)?.target;

/**
 * The target the approvals agree on, or a refusal: approvers who name a commit or tag must name
 * the same one, so the second pair of eyes confirms what the first saw. An approval without a
 * target agrees with any.
 */
export function agreedTarget(
  approvals: readonly ApprovalRecord[],
  target: string | undefined,
): { target?: string } | { conflict: string } {
  const named = approvals.find((a) => a.target !== undefined);
  if (named && target !== undefined && target !== named.target)
    return {
      conflict: `${named.by} approved target ${named.target}, not ${target}: approve the same target or reject`,
    };
  const agreed = target ?? named?.target;
  return agreed === undefined ? {} : { target: agreed };
}

/**
 * The group to ask after the deadline has passed `round` times (1, 2, ...): every
 * `delegateAfter`-th missed deadline asks the next group in the configured order, once each; a
 * group already asked, or none left, gives undefined.
 */
export function groupDue(
  rules: ApprovalRules,
  round: number,
  asked: readonly DelegationRecord[],
): ApproverGroup | undefined {
  const groups = rules?.groups ?? [];
  const every = rules?.delegateAfter ?? 2;
  if (groups.length === 0 || round < every || round % every !== 0) return undefined;
  const group = groups[round / every - 1];
  if (!group || asked.some((a) => a.group === group.name)) return undefined;
  return group;
}

/** "1 of 2 approvals (@alice)". */
export function approvalProgress(approvals: readonly ApprovalRecord[], required: number): string {
  const who = approvals.map((a) => a.by).join(', ');
  return `${approvals.length} of ${required} approval${required === 1 ? '' : 's'}${who ? ` (${who})` : ''}`;
}
