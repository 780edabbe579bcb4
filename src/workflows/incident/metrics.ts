import { metricMeter } from '@temporalio/workflow';
import type { MitigationOption } from '../../contracts/incident';
import type { IncidentStatus } from '../../contracts/messages';
import { type EscalationReason, instrument } from '../../contracts/metrics';
import type { Decision } from './lifecycle';

/**
 * The incident workflow's metrics (catalogue: src/contracts/metrics.ts). Recorded through the
 * workflow `metricMeter`, whose values leave the sandbox through a sink the SDK skips while
 * replaying: a replayed history or a worker picking up a cached-out workflow does not count again,
 * and no metric call adds a command, so histories recorded before metrics still replay. Around a
 * worker crash a workflow task that was running may be retried and count once more: metrics are
 * at-least-once, not exact.
 */
export interface IncidentMetrics {
  opened(state: IncidentStatus): void;
  acknowledged(state: IncidentStatus): void;
  mitigated(state: IncidentStatus): void;
  resolved(state: IncidentStatus): void;
  escalated(state: IncidentStatus, reason: EscalationReason): void;
  approvalRequested(state: IncidentStatus, option: MitigationOption): void;
  /** An approval wait ended: approved, rejected, or superseded by a workaround. */
  approvalEnded(option: MitigationOption, outcome: Decision['kind'] | 'workaround', since: string): void;
}

/** For the lifecycle outside the sandbox (unit tests): records nothing. */
export const noIncidentMetrics: IncidentMetrics = {
  opened: () => undefined,
  acknowledged: () => undefined,
  mitigated: () => undefined,
  resolved: () => undefined,
  escalated: () => undefined,
  approvalRequested: () => undefined,
  approvalEnded: () => undefined,
};

/** Seconds from an ISO instant to another (or to workflow now), never negative. */
function secondsBetween(from: string, to?: string): number {
  const end = to === undefined ? Date.now() : Date.parse(to);
  return Math.max(0, (end - Date.parse(from)) / 1_000);
}

export const workflowIncidentMetrics: IncidentMetrics = {
  opened: (state) =>
    instrument(metricMeter, 'incidentsOpened').add(1, {
      severity: state.severity,
      source: state.source,
      scenario: state.scenario,
    }),
  acknowledged: (state) => {
    if (!state.acknowledgedAt) return;
    instrument(metricMeter, 'timeToAcknowledge').record(
      secondsBetween(state.detectedAt, state.acknowledgedAt),
      { severity: state.severity },
    );
  },
  mitigated: (state) => {
    if (!state.mitigatedAt) return;
    instrument(metricMeter, 'timeToMitigate').record(secondsBetween(state.detectedAt, state.mitigatedAt), {
      severity: state.severity,
      scenario: state.scenario,
    });
  },
  resolved: (state) => {
    if (!state.resolvedAt) return;
    instrument(metricMeter, 'timeToResolve').record(secondsBetween(state.detectedAt, state.resolvedAt), {
      severity: state.severity,
      scenario: state.scenario,
    });
  },
  escalated: (state, reason) =>
    instrument(metricMeter, 'escalations').add(1, { reason, severity: state.severity }),
  approvalRequested: (state, option) =>
    instrument(metricMeter, 'approvalsRequested').add(1, { option, severity: state.severity }),
  approvalEnded: (option, outcome, since) =>
    instrument(metricMeter, 'approvalWait').record(secondsBetween(since), { option, outcome }),
};
