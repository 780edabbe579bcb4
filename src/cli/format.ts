import type { IncidentSummary } from '../use-cases/list';
import type { IncidentStatus, TimelineEntry } from '../contracts/messages';
import { failureLine } from '../contracts/step-failure';
import { approvalProgress } from '../domain/four-eyes';
import type { Palette } from './colour';

/** "16:41:03Z", or the date too when it is not today. */
export function shortTime(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const text = at.toISOString();
  return text.slice(0, 10) === now.toISOString().slice(0, 10)
    ? `${text.slice(11, 19)}Z`
    : `${text.slice(0, 16)}Z`;
}

/** "in 14m" / "3m ago", for deadlines. */
export function relative(iso: string, now = new Date()): string {
  const ms = new Date(iso).getTime() - now.getTime();
  if (Number.isNaN(ms)) return '';
  const abs = Math.abs(ms);
  const unit =
    abs >= 86_400_000
      ? `${Math.round(abs / 86_400_000)}d`
      : abs >= 3_600_000
        ? `${Math.round(abs / 3_600_000)}h`
        : abs >= 60_000
          ? `${Math.round(abs / 60_000)}m`
          : `${Math.round(abs / 1_000)}s`;
  return ms >= 0 ? `in ${unit}` : `${unit} ago`;
}

export function severityText(c: Palette, severity: string): string {
  if (severity === 'SEV-1') return c.bold(c.red(severity));
  if (severity === 'SEV-2') return c.red(severity);
  if (severity === 'SEV-3') return c.yellow(severity);
  return severity;
}

export function timelineLine(c: Palette, entry: TimelineEntry): string {
  const kind = /refused|failed|escalat/.test(entry.kind) ? c.red(entry.kind) : c.cyan(entry.kind);
  return `${c.dim(shortTime(entry.at))}  ${entry.stage.padEnd(10)} ${kind}  ${entry.message}`;
}

/**
 * The commands that answer what the incident waits for, as an operator types them: approve or
 * reject a proposed option, or record the outcome of (or pass on) one carried out by hand.
 */
export function answerCommands(
  status: Pick<IncidentStatus, 'pendingApproval' | 'pendingAction'>,
  id: string,
): string | undefined {
  if (status.pendingAction) {
    const option = status.pendingAction.option;
    return `incident outcome ${id} --option ${option} --result succeeded|failed (or incident reject ${id} --option ${option})`;
  }
  if (status.pendingApproval) {
    const option = status.pendingApproval.option;
    return `incident approve ${id} --option ${option} (or incident reject ${id} --option ${option})`;
  }
  return undefined;
}

/** The newest failed engine action's why: step, command, how it ended, its last lines, its log. */
export function lastFailureLines(c: Palette, status: IncidentStatus): string[] {
  const attempt = status.optionsTried.findLast((a) => a.outcome === 'failed' && a.failure);
  const failure = attempt?.failure;
  if (!attempt || !failure) return [];
  const { logPath, ...rest } = failure;
  return [
    `  ${c.red('last failure')}: ${attempt.option}, ${failureLine(rest)}`,
    ...(failure.lines ?? []).map((line) => `    ${c.dim('|')} ${line}`),
    ...(logPath ? [`    log: ${logPath}`] : []),
  ];
}

/** The readable `incident status` summary: what an operator needs at a glance, newest last. */
export function statusText(c: Palette, status: IncidentStatus, url: string, timelineLines = 8): string {
  const lines = [
    `${c.bold(status.incidentId)}  ${severityText(c, status.severity)}  stage: ${c.bold(status.stage)}`,
    `  ${status.summary}`,
    `  services: ${status.services.join(', ')}   scenario: ${status.scenario}   source: ${status.source}`,
    status.acknowledgedBy
      ? `  acknowledged by ${status.acknowledgedBy} at ${shortTime(status.acknowledgedAt ?? '')}`
      : `  ${c.yellow('not acknowledged')}`,
  ];
  const pending = status.pendingApproval;
  if (pending) {
    lines.push(
      `  ${c.yellow('pending approval')}: ${pending.option} (${pending.risk}) since ${shortTime(pending.since)}, deadline ${shortTime(pending.deadline)} (${relative(pending.deadline)})`,
    );
    for (const line of pending.plan ?? []) lines.push(`    ${line}`);
    lines.push(`    approvals: ${approvalProgress(pending.approvals ?? [], pending.required ?? 1)}`);
    for (const asked of pending.asked ?? [])
      lines.push(
        `    asked: group ${asked.group} (${asked.members.join(', ')}) at ${shortTime(asked.at)}; its members may approve too`,
      );
  }
  if (status.detachedHead)
    lines.push(
      `  ${c.yellow('HEAD detached')} at ${status.detachedHead.at}${status.detachedHead.branch ? `: branch ${status.detachedHead.branch} still broken, restore it with the fix` : ''}`,
    );
  if (status.pendingAction) {
    lines.push(
      `  ${c.yellow('waiting for outcome')}: ${status.pendingAction.option}: ${status.pendingAction.description}`,
    );
  }
  const answer = answerCommands(status, status.incidentId);
  if (answer) lines.push(`    answer with: ${answer}`);
  const deadlines = Object.entries(status.deadlines);
  if (deadlines.length > 0) {
    lines.push(
      `  deadlines: ${deadlines.map(([name, at]) => `${name} ${shortTime(at)} (${relative(at)})`).join(', ')}`,
    );
  }
  if (status.escalations.length > 0) {
    const last = status.escalations.at(-1)!;
    lines.push(
      `  ${c.red(`escalations: ${status.escalations.length}`)} (latest ${shortTime(last.at)}: ${last.reason})`,
    );
  }
  lines.push(`  alerts: ${status.alerts.firing} firing, ${status.alerts.resolved} resolved`);
  if (status.optionsTried.length > 0) {
    lines.push(`  options tried: ${status.optionsTried.map((o) => `${o.option} ${o.outcome}`).join(', ')}`);
  }
  lines.push(...lastFailureLines(c, status));
  const fix = status.resolution?.fix;
  if (status.resolution && !(fix?.branch || fix?.commit || fix?.tag))
    lines.push(
      `  ${c.yellow('fix reference: pending')} (add it: incident review ${status.incidentId} --fix-commit <sha> | --fix-branch | --fix-tag)`,
    );
  if (status.reportPath) lines.push(`  report: ${status.reportPath}`);
  const recent = timelineLines > 0 ? status.timeline.slice(-timelineLines) : [];
  if (recent.length > 0) {
    lines.push(
      `  recent timeline${status.timeline.length > recent.length ? ` (last ${recent.length} of ${status.timeline.length})` : ''}:`,
    );
    for (const entry of recent) lines.push(`    ${timelineLine(c, entry)}`);
  }
  lines.push(`  Web UI: ${url}`);
  return lines.join('\n');
}

export function listText(c: Palette, rows: (IncidentSummary & { url: string })[]): string {
  if (rows.length === 0) return 'no incidents match';
  const header = ['INCIDENT', 'SEV', 'STAGE', 'SERVICES', 'STATE', 'STARTED', 'WEB UI'];
  const table = rows.map((r) => [
    r.incidentId ?? r.workflowId,
    r.severity ?? '-',
    r.stage ?? '-',
    r.services.join(',') || '-',
    r.executionStatus.toLowerCase(),
    shortTime(r.startTime),
    r.url,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const render = (row: string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [
    c.bold(render(header)),
    ...table.map((row, i) => {
      const line = render(row);
      return rows[i]!.executionStatus === 'RUNNING' ? line : c.dim(line);
    }),
  ].join('\n');
}
