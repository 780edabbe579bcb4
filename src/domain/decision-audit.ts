import type { DecisionRecord, IncidentStatus, PendingApproval } from '../contracts/messages';

/**
 * The audit trail of human decisions: what an approver was shown, and the report's appendix.
 * Pure (no crypto module in the workflow sandbox), so the workflow records it deterministically.
 */

/**
 * FNV-1a (32 bit) of `text`, as 8 hex digits: enough to tell whether two people saw the same
 * proposal text, not a security hash (the text itself is in the timeline).
 */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The target a rollback uses when the approver names none: what triage found. */
export function defaultTarget(
  option: PendingApproval['option'],
  repository: IncidentStatus['repository'],
): string | undefined {
  if (option === 'revert-last-change') return repository?.head;
  if (option === 'deploy-known-good') return repository?.knownGood?.tag;
  return undefined;
}

/**
 * What a decider saw in the proposal: the option, the target (theirs, else triage's), the plan's
 * size and a fingerprint of its text, so an audit can tell two approvers saw the same plan.
 */
export function proposalSeen(
  pending: PendingApproval,
  target: string | undefined,
  fallback?: string,
): string {
  const shown = target ?? fallback;
  const plan = pending.plan ?? [];
  return [
    `${pending.option} (${pending.risk})`,
    shown ? `target ${shown}${target ? '' : ' (found by triage)'}` : 'no target',
    plan.length ? `plan ${plan.length} lines, fingerprint ${fingerprint(plan.join('\n'))}` : 'no plan',
  ].join('; ');
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The report's "Decisions" appendix: one row per decision, channel "unknown" when not recorded. */
export function decisionsAppendix(decisions: readonly DecisionRecord[] | undefined): string {
  if (!decisions?.length) return '## Appendix: Decisions\n\nNo decisions recorded.\n';
  const rows = decisions.map(
    (d) =>
      `| ${d.at.slice(0, 10)} ${d.at.slice(11, 19)} | ${d.stage} | ${cell(d.decision)} | ${cell(d.by)} | ${d.via ?? 'unknown'} | ${cell(d.detail)} | ${cell(d.saw ?? '')} |`,
  );
  return [
    '## Appendix: Decisions',
    '',
    '| Time (UTC) | Stage | Decision | By | Via | Detail | Saw |',
    '|------------|-------|----------|----|-----|--------|-----|',
    ...rows,
    '',
  ].join('\n');
}
