import { isCancellation } from '@temporalio/workflow';
import { alertTrend } from '../../domain/alert-trend';
import { failureMessage } from '../../domain/failure-message';
import { formatDuration } from '../../contracts/duration';
import { scenarioSpec } from '../../domain/scenarios';
import type { TriageAnswers } from '../../contracts/messages';
import { run } from './activity-stubs';
import { type IncidentContext, record, showDetails } from './context';

/**
 * The guide's triage: snapshot the repository (what changed since known-good), run the scenario's
 * diagnostics, and answer the three questions in the timeline. A diagnostic that cannot run is
 * recorded as unavailable, never as passed, and triage moves on.
 */
export async function triage(ctx: IncidentContext): Promise<void> {
  const { state, policy } = ctx;
  const spec = scenarioSpec(state.scenario);
  showDetails(ctx, `triage: running ${spec.diagnostics.length} diagnostics`);

  let regression: string;
  try {
    const snapshot = await run(
      'snapshotRepository',
      'Snapshot the target repository (HEAD, known-good, commits since)',
      {
        incidentId: state.incidentId,
      },
    );
    state.repository = {
      head: snapshot.head,
      ...(snapshot.knownGood ? { knownGood: snapshot.knownGood } : {}),
    };
    const commits = snapshot.commitsSinceKnownGood;
    regression = snapshot.knownGood
      ? commits.length
        ? `likely regression: ${commits.length} commit(s) since known-good ${snapshot.knownGood.tag}: ${commits
            .slice(0, 5)
            .map((c) => `${c.sha.slice(0, 7)} ${c.subject}`)
            .join('; ')}`
        : `no commits since known-good ${snapshot.knownGood.tag}: not a code regression`
      : `unknown: no known-good version found; HEAD is ${snapshot.head.slice(0, 7)}`;
  } catch (error) {
    if (isCancellation(error)) throw error;
    regression = `unknown: repository snapshot unavailable (${failureMessage(error)})`;
  }
  record(ctx, 'triage-regression', `Is this a regression? ${regression}`);

  const diagnostics: TriageAnswers['diagnostics'] = [];
  for (const diagnostic of spec.diagnostics) {
    try {
      const result = await run('runDiagnostic', `Diagnostic ${diagnostic} for ${state.incidentId}`, {
        incidentId: state.incidentId,
        diagnostic,
      });
      diagnostics.push({ diagnostic, ok: result.ok, summary: result.summary });
      record(ctx, 'diagnostic', `${diagnostic}: ${result.ok ? 'ok' : 'FAILED'}: ${result.summary}`);
    } catch (error) {
      if (isCancellation(error)) throw error;
      const summary = failureMessage(error);
      diagnostics.push({ diagnostic, ok: 'unavailable', summary });
      record(ctx, 'diagnostic', `${diagnostic}: unavailable (${summary})`);
    }
  }

  const impact =
    `${state.severity}; services affected: ${state.services.join(', ')}; ` +
    `${state.alerts.firing} firing alert(s), ${state.alerts.resolved} resolved` +
    (state.alertedAt ? `; first alert at ${state.alertedAt}` : '');
  record(ctx, 'triage-impact', `What is the impact? ${impact}`);

  const trend = alertTrend(state.alertHistory ?? [], new Date(), policy.trendWindow);
  const trendText = `${trend.verdict}: ${trend.recent} firing alert(s) in the last ${formatDuration(trend.windowMs)}, ${trend.previous} in the ${formatDuration(trend.windowMs)} before`;
  record(ctx, 'triage-trend', `Is it getting worse? ${trendText}`);

  state.triage = { regression, impact, trend: trendText, diagnostics };
  if (spec.humanQuestion) record(ctx, 'question', spec.humanQuestion);
}
