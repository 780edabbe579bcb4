import { log, patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Stage } from '../../contracts/incident';
import { currentDetails } from '../../domain/current-details';
import type { IncidentStatus } from '../../contracts/messages';
import { SA } from '../../contracts/search-attributes';
import type { EscalationReason } from '../../contracts/metrics';
import { IncidentLifecycle, type LifecycleEffects } from './lifecycle';
import { workflowIncidentMetrics } from './metrics';

export { type Decision, nowIso } from './lifecycle';

/** Everything one run of the incident workflow shares: the lifecycle (state and legal transitions). */
export type IncidentContext = IncidentLifecycle;

/**
 * Patch: the incident shows a waiting approval as the `IncidentApprovalSince` search attribute, so
 * the worker's approval gauges read Visibility instead of querying every incident in mitigation.
 * Those queries came in a burst every gauge interval and held the one workflow thread for 100-250
 * ms, in front of new incidents' first tasks (docs/benchmarks.md, "The single-alert tail").
 * Asked once, in the first activation (as QUIET_STATUS_UPDATES_PATCH, for the same reason); runs
 * recorded before it upsert only the five attributes they always did.
 */
export const APPROVAL_SINCE_PATCH = 'approval-since-search-attribute';

const approvalSince = (state: IncidentStatus) => ({
  key: SA.approvalSince,
  value: state.pendingApproval ? new Date(state.pendingApproval.since) : null,
});

/**
 * The sandbox's side of the lifecycle: real search attributes (refreshed on every transition, for
 * the Web UI, `incident list` and the gauges), patch markers, metrics and the workflow `log`, which
 * the SDK's logger sink hands to the worker's Runtime logger (not on replay). `approvalAttribute`:
 * APPROVAL_SINCE_PATCH as the run's first activation answered it.
 */
export function workflowEffects(approvalAttribute: boolean): LifecycleEffects {
  return {
    publishSearchAttributes: (state) =>
      upsertSearchAttributes([
        { key: SA.incidentId, value: state.incidentId },
        { key: SA.severity, value: state.severity },
        { key: SA.stage, value: state.stage },
        { key: SA.services, value: state.services },
        { key: SA.scenario, value: state.scenario },
        ...(approvalAttribute ? [approvalSince(state)] : []),
      ]),
    ...(approvalAttribute
      ? { publishApproval: (state) => upsertSearchAttributes([approvalSince(state)]) }
      : {}),
    patched,
    metrics: workflowIncidentMetrics,
    log: (message, fields) => log.info(message, fields),
  };
}

export function createContext(...args: ConstructorParameters<typeof IncidentLifecycle>): IncidentContext {
  return new IncidentLifecycle(...args);
}

export function record(ctx: IncidentContext, kind: string, message: string): void {
  ctx.record(kind, message);
}

/** Records an escalation and queues its notification (sent by the outbox loop). */
export function escalate(ctx: IncidentContext, reason: string, why: EscalationReason): void {
  ctx.escalate(reason, why);
}

export function publishSearchAttributes(ctx: IncidentContext): void {
  ctx.publishSearchAttributes();
}

/**
 * Shows the details again after a message changed the state (an approval short of its number
 * wakes no wait). Current details are workflow metadata, not a command: safe in any handler.
 */
export function refreshDetails(ctx: IncidentContext): void {
  showDetails(ctx, ctx.doing);
}

/** Markdown shown as the workflow's current details in the Web UI. */
export function showDetails(ctx: IncidentContext, doing: string): void {
  ctx.doing = doing;
  setCurrentDetails(currentDetails(ctx.state, doing));
}

/** A stage change with its effects; only the stage loop (workflow.ts) calls it. */
export function transition(ctx: IncidentContext, stage: Stage, doing: string): void {
  ctx.moveTo(stage);
  publishSearchAttributes(ctx);
  showDetails(ctx, doing);
}
