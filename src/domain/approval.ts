import type { Severity } from '../contracts/incident';
import type { MitigationOption } from '../contracts/incident';

/** Approvers per severity: a list per option, `*` for any option of that severity. */
export type ApproverTable = Record<Severity, Partial<Record<MitigationOption | '*', string[]>>>;
/** Options that run without a human approval, per severity (empty by default). */
export type AutoApproveTable = Partial<Record<Severity, MitigationOption[]>>;

/** The people who may approve `option` at `severity`: the option's own list, else the `*` list. */
export function allowedApprovers(
  table: ApproverTable,
  severity: Severity,
  option: MitigationOption,
): string[] {
  const row = table[severity];
  return row[option] ?? row['*'] ?? [];
}

export function isAuthorizedApprover(
  table: ApproverTable,
  severity: Severity,
  option: MitigationOption,
  approver: string,
): boolean {
  return allowedApprovers(table, severity, option).includes(approver);
}

export function isAutoApproved(
  table: AutoApproveTable,
  severity: Severity,
  option: MitigationOption,
): boolean {
  return table[severity]?.includes(option) ?? false;
}
