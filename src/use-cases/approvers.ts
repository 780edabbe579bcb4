import type { Policy } from '../contracts/policy';
import { allowedApprovers, isAuthorizedApprover } from '../domain/approval';
import type { Severity } from '../contracts/incident';
import type { MitigationOption } from '../contracts/incident';
import { ApproverNotAllowedError } from './errors';

/**
 * Checks an approver against the policy before the Update is sent, so a refused approval never
 * reaches the workflow. The workflow checks again with the same domain rule (src/domain/approval):
 * the policy it loaded is the one that counts when the two configs differ.
 */
export function assertMayApprove(
  policy: Policy,
  severity: Severity,
  option: MitigationOption,
  who: string,
): void {
  if (isAuthorizedApprover(policy.approvers, severity, option, who)) return;
  // A member of an approver group may approve once the workflow has delegated to that group;
  // only the workflow knows whether it has, so it decides (and refuses with the allowed list).
  if (policy.approvals.groups.some((group) => group.members.includes(who))) return;
  const allowed = allowedApprovers(policy.approvers, severity, option);
  throw new ApproverNotAllowedError(
    `${who} may not approve or reject ${option} on a ${severity} incident (allowed: ${allowed.join(', ') || 'nobody'})`,
  );
}
