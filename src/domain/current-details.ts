import type { IncidentStatus } from '../contracts/messages';
import { approvalProgress } from './four-eyes';

/**
 * The Markdown the Web UI shows as the incident workflow's current details: what it is doing,
 * the approvals a pending option has and needs, who was asked, the deadlines. Pure, so a unit
 * test reads what an operator sees.
 */
export function currentDetails(state: IncidentStatus, doing: string): string {
  const pending = state.pendingApproval;
  const approvals = pending
    ? `\n\nApproval of ${pending.option}: ${approvalProgress(pending.approvals ?? [], pending.required ?? 1)}` +
      (pending.asked?.length
        ? ` · asked: ${pending.asked.map((a) => `${a.group} (${a.members.join(', ')}) at ${a.at}`).join('; ')}`
        : '')
    : '';
  const deadlines = Object.entries(state.deadlines)
    .map(([name, at]) => `- ${name}: ${at}`)
    .join('\n');
  return (
    `**${state.incidentId}** · ${state.severity} · stage **${state.stage}**\n\n${doing}\n\n` +
    `Services: ${state.services.join(', ')} · scenario: ${state.scenario}` +
    (state.acknowledgedBy ? ` · acknowledged by ${state.acknowledgedBy}` : ' · not acknowledged') +
    approvals +
    (deadlines ? `\n\nDeadlines (UTC):\n${deadlines}` : '') +
    `\n\nEscalations: ${state.escalations.length}`
  );
}
