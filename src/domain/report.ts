import type { IncidentStatus, ReviewInput, VerificationRecord } from '../contracts/messages';
import { formatDuration } from '../contracts/duration';
import { scenarioSpec } from './scenarios';
import { endedText } from '../contracts/step-failure';

/**
 * The guide's post-incident report template, filled from the incident's real record. Pure, so the
 * workflow renders it deterministically and tests check it without a server; an activity writes
 * the text to incidents/<ID>/report.md.
 */
export interface RelatedIncident {
  incidentId: string;
  summary: string;
  link?: string;
}

export interface ReportInput {
  status: IncidentStatus;
  related: RelatedIncident[];
  /** Who owns the incident; the guide's primary by default. */
  owner: string;
  /** From the alert's details (`usersAffected`), when the source knows it. */
  usersAffected?: string;
  /** "Now" for a draft rendered before the incident is closed. */
  renderedAt: string;
}

const utcDate = (iso: string) => iso.slice(0, 10);
const utcTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
const hours = (ms: number) => `${(ms / 3_600_000).toFixed(2)} hours`;
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const checklist = (items: string[] | undefined, pending: string) =>
  items && items.length ? items.map((item) => `- [x] ${item}`).join('\n') : `- [ ] ${pending}`;

/** Duration from detection (or the alert, when earlier) to resolution, or to `until`. */
export function incidentDurationMs(status: IncidentStatus, until: string): number {
  const start = Math.min(
    Date.parse(status.detectedAt),
    status.alertedAt ? Date.parse(status.alertedAt) : Number.POSITIVE_INFINITY,
  );
  return Math.max(0, Date.parse(status.resolvedAt ?? until) - start);
}

/** Shown until a fix reference is recorded (resolve allows none; review can add it). */
export const FIX_PENDING = 'fix reference: pending';

const fixPending = (status: IncidentStatus): boolean => {
  const fix = status.resolution?.fix;
  return Boolean(status.resolution) && !(fix?.branch || fix?.commit || fix?.tag);
};

/** The action item while the fix reference is missing: how to give it, or that the review closed without it. */
function fixPendingItem(status: IncidentStatus): string {
  if (!fixPending(status)) return '';
  return status.review
    ? `- [ ] Record the fix reference (${FIX_PENDING}: the review closed without one)\n`
    : `- [ ] Record the fix reference (${FIX_PENDING}): \`incident review ${status.incidentId} --fix-commit <sha>\` (or \`--fix-branch\` / \`--fix-tag\`)\n`;
}

function rootCause(status: IncidentStatus): string {
  const resolution = status.resolution;
  if (!resolution) return '_Not recorded yet._';
  const chain = resolution.whys.map((why, i) => `${'  '.repeat(i)}${i === 0 ? '' : '→ '}${why}`).join('\n');
  const fix = [
    resolution.fix.branch && `branch \`${resolution.fix.branch}\``,
    resolution.fix.commit && `commit \`${resolution.fix.commit}\``,
    resolution.fix.tag && `tag \`${resolution.fix.tag}\``,
  ]
    .filter(Boolean)
    .join(', ');
  return `${resolution.whys.at(-1) ?? ''}\n\n5 Whys (recorded by ${resolution.by}):\n\n\`\`\`\n${chain}\n\`\`\`\n\n**Fix:** ${fix || FIX_PENDING}`;
}

/** The guide's MTTD for this incident: from the alert's own timestamp to the engine's detection. */
function timeToDetect(status: IncidentStatus): string {
  if (!status.alertedAt) return '';
  return ` Time to detect: ${formatDuration(Math.max(0, Date.parse(status.detectedAt) - Date.parse(status.alertedAt)))}.`;
}

/** deploy-known-good left HEAD detached at a tag: the broken branch still needs the fix. */
function restoreBranchItem(status: IncidentStatus): string {
  const detached = status.detachedHead;
  if (!detached) return '';
  const branch = detached.branch ? `branch \`${detached.branch}\`` : 'the branch HEAD was on';
  return `\n\n- [ ] Restore ${branch}: ${detached.option} left HEAD detached at \`${detached.at}\` while ${branch} still points at the broken commit; land the fix there and check it out again`;
}

function mitigationLine(status: IncidentStatus): string {
  const tried = status.optionsTried.map((attempt) => `${attempt.option} ${attempt.outcome}`).join(', ');
  return tried ? `Mitigation options: ${tried}.` : 'No mitigation option was tried.';
}

/** Why each failed engine action failed, with its output's last lines and log; empty when none. */
function failedSteps(status: IncidentStatus): string {
  const failed = status.optionsTried.filter((a) => a.outcome === 'failed' && a.failure);
  if (failed.length === 0) return '';
  const blocks = failed.map(({ option, at, failure }) => {
    const f = failure!;
    const how = f.command ? `\`${f.command}\` ${endedText(f)}` : endedText(f);
    return [
      `### ${option}: step ${f.step ?? 'unknown'} (${utcTime(at)} UTC)`,
      '',
      `${how} (${f.type})${f.tests ? `: ${f.tests}` : ''}`,
      ...(f.lines?.length ? ['', '```', ...f.lines.map((line) => line.replaceAll('```', "'''")), '```'] : []),
      ...(f.logPath ? ['', `Log: \`${f.logPath}\``] : []),
    ].join('\n');
  });
  return `\n## Failed Steps\n\n${blocks.join('\n\n')}\n`;
}

/** How the Prometheus half of the recovery check judged, for the report's one line. */
const promText = (prom: VerificationRecord['prometheus']): string =>
  prom ? ` (PromQL at ${prom.url}, value ${prom.bound === 'max' ? '≤' : '≥'} ${prom.threshold})` : '';

export function renderReport(input: ReportInput): string {
  const { status, related, owner } = input;
  const durationMs = incidentDurationMs(status, input.renderedAt);
  const review: ReviewInput | undefined = status.review;
  const spec = scenarioSpec(status.scenario);
  const timeline = status.timeline
    .map((entry) => `| ${utcTime(entry.at)} | ${cell(`${entry.stage}: ${entry.message}`)} |`)
    .join('\n');
  const budget = status.errorBudget
    ? `${status.errorBudget.consumedPercent}% (of a ${status.errorBudget.sloPercent}% SLO over ${formatDuration(status.errorBudget.windowMs)}; downtime ${formatDuration(status.errorBudget.downtimeMs)})`
    : 'not computed';
  const verification = status.verification
    ? status.verification.verified === 'not-configured'
      ? 'Recovery not verified: no health-check URL configured.'
      : `Recovery check: ${status.verification.probes} probes, ${status.verification.failures} failed, ${status.verification.verified ? 'verified' : 'not verified'}${promText(status.verification.prometheus)}.`
    : 'Recovery not checked yet.';
  const relatedLines = related.length
    ? related
        .map((r) => `- ${r.link ? `[${r.incidentId}](${r.link})` : r.incidentId}: ${r.summary}`)
        .join('\n')
    : '- None found';
  return `# Incident Report: ${status.incidentId}

**Date:** ${utcDate(status.detectedAt)}
**Severity:** ${status.severity}
**Duration:** ${hours(durationMs)}
**Owner:** ${owner}

## Summary

${status.summary}

Scenario: ${spec.title}. Source: ${status.source}.${timeToDetect(status)} ${mitigationLine(status)} ${verification}

## Impact

- **Users affected:** ${input.usersAffected ?? 'unknown'}
- **Services affected:** ${status.services.join(', ')}
- **Duration:** ${hours(durationMs)}
- **Error budget consumed:** ${budget}
- **Alerts received:** ${status.alerts.firing} firing, ${status.alerts.resolved} resolved

## Root Cause

${rootCause(status)}

## Timeline of Events

| Time (UTC) | Event |
|------------|-------|
${timeline}
${failedSteps(status)}
## What Went Well

${checklist(review?.wentWell, 'To be filled in at the review')}

## What Could Be Improved

${checklist(review?.toImprove, 'To be filled in at the review')}

## Action Items${restoreBranchItem(status)}

${fixPendingItem(status)}${review?.actionItems.length ? review.actionItems.map((item) => `- [ ] ${item}`).join('\n') : spec.prevention.map((item) => `- [ ] ${item} (suggested by the runbook)`).join('\n')}
${review?.notes ? `\n## Review Notes\n\n${review.notes}\n` : ''}
## Related Incidents

${relatedLines}
`;
}
