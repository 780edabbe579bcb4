/**
 * Cross-checks of the approval policy that zod cannot make field by field: a number of required
 * approvals the approvers table can never reach, and an option both auto-approved and four-eyes.
 * Messages name fields and counts, never the people listed (the config's own text stays in it).
 */
import { MITIGATION_OPTIONS, SEVERITIES, type MitigationOption } from '../contracts/incident';
import type { Policy } from '../contracts/policy';
import { allowedApprovers } from '../domain/approval';
import { requiredApprovals } from '../domain/four-eyes';
import type { ConfigIssue } from './config-issue';

/** The options a `required` row entry governs: its own option, or for `*` every option not listed. */
function governed(row: Partial<Record<MitigationOption | '*', number>>, key: string): MitigationOption[] {
  if (key !== '*') return [key as MitigationOption];
  return MITIGATION_OPTIONS.filter((option) => row[option] === undefined);
}

/**
 * N approvals must be reachable from the approvers table alone: delegated groups join only after
 * missed deadlines, and a rollback that cannot proceed before then is a config mistake.
 */
export function approvalIssues(policy: Policy): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const severity of SEVERITIES) {
    const row = policy.approvals.required[severity] ?? {};
    for (const [key, needed] of Object.entries(row)) {
      if (needed === undefined) continue;
      for (const option of governed(row, key)) {
        const allowed = allowedApprovers(policy.approvers, severity, option).length;
        if (needed > allowed) {
          const table = policy.approvers[severity][option] ? option : '*';
          issues.push({
            path: `policy.approvals.required.${severity}.${key}`,
            message: `needs ${needed} distinct approvers for ${option}, but policy.approvers.${severity}.${table} allows only ${allowed}; add approvers there or lower the number`,
          });
          break;
        }
      }
    }
    (policy.autoApprove[severity] ?? []).forEach((option, i) => {
      const needed = requiredApprovals(policy.approvals, severity, option);
      if (needed > 1)
        issues.push({
          path: `policy.autoApprove.${severity}.${i}`,
          message: `${option} is auto-approved, but policy.approvals.required.${severity} asks ${needed} approvers for it; remove one of the two`,
        });
    });
  }
  return issues;
}
