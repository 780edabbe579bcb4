/**
 * An alert body (Alertmanager webhook or generic shape) turned into what the engine would do for
 * it, with the same schemas and routing as the webhooks, but starting nothing.
 */
import { targetAsRun } from '../config/runbook-as-run';
import type { EngineConfig } from '../config/engine-config';
import { routeAlert } from '../config/alert-routing';
import { incidentInputSchema } from '../contracts/incident';
import { type IncidentPlan, planIncident } from '../domain/incident-plan';
import { parseOrThrow } from '../use-cases/validation';
import type { IncidentStatus } from '../contracts/messages';
import { dedupKey } from '../use-cases/dedup-key';
import { fromAlertmanager, fromGeneric } from './normalize';
import { alertmanagerPayloadSchema } from './schemas/alertmanager';
import { genericAlertSchema } from './schemas/generic';

/**
 * `config` with each runbook argv as it will run in the target repository (the guide's pnpm
 * defaults follow its package manager), the same rule the planRollback activity and the run use.
 */
export const configAsRun = async (config: EngineConfig): Promise<EngineConfig> => ({
  ...config,
  target: await targetAsRun(config.target),
});

/** One plan per firing alert of the body; `alerts` (an array) marks the Alertmanager shape. */
export function planAlertBody(config: EngineConfig, body: unknown, now: Date): IncidentPlan[] {
  const isAlertmanager =
    typeof body === 'object' && body !== null && Array.isArray((body as { alerts?: unknown }).alerts);
  const alerts = isAlertmanager
    ? fromAlertmanager(parseOrThrow(alertmanagerPayloadSchema, body))
    : [fromGeneric(parseOrThrow(genericAlertSchema, body))];
  return alerts
    .filter((alert) => alert.status === 'firing')
    .map((alert) => {
      const route = routeAlert(config.alertRouting, alert.labels);
      const incident = parseOrThrow(incidentInputSchema, {
        severity: route.severity,
        services: route.services,
        scenario: route.scenario,
        summary: alert.summary.trim().slice(0, 1_000) || 'alert without summary',
        source: alert.source,
        labels: route.labels,
        fingerprint: dedupKey(alert.origin, alert.sourceKey),
      });
      return planIncident(incident, config.policy, config.target, now);
    });
}

/** The plan for an open incident, from its status (stage, triage's HEAD and known-good tag). */
export function planOpenIncident(config: EngineConfig, status: IncidentStatus, now: Date): IncidentPlan {
  return planIncident(
    {
      severity: status.severity,
      services: status.services,
      scenario: status.scenario,
      summary: status.summary,
      labels: status.labels,
      incidentId: status.incidentId,
      stage: status.stage,
      detectedAt: status.detectedAt,
      ...(status.repository ? { repository: status.repository } : {}),
    },
    config.policy,
    config.target,
    now,
  );
}
