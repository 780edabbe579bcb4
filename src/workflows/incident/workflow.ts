import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { defaultPolicy, type Policy, policySchema } from '../../contracts/policy';
import { formatDuration } from '../../contracts/duration';
import { issuesLine } from '../../domain/failure-message';
import { FAILURE } from '../../domain/failure-types';
import { type IncidentInput, incidentInputSchema } from '../../contracts/incident';
import { incidentIdFor } from '../../domain/incident-id';
import type { IncidentStatus, IncidentWorkflowInput } from '../../contracts/messages';
import { runCheap } from './activity-stubs';
import { QUIET_STATUS_UPDATES_PATCH, sendNotifications, statusUpdates } from './communication';
import {
  APPROVAL_SINCE_PATCH,
  createContext,
  type IncidentContext,
  nowIso,
  publishSearchAttributes,
  record,
  showDetails,
  transition,
  workflowEffects,
} from './context';
import { detect } from './detection';
import { installHandlers } from './handlers';
import { mitigate } from './mitigation';
import { resolve } from './resolution';
import { markClosed, reviewStage, writeReport } from './review';
import { triage } from './triage';

/**
 * One incident from detection to close, following the incident response guide: detection
 * (note, immediate escalation, acknowledgement deadline), triage, mitigation (approvals, rollback
 * children, human steps), resolution (5 whys, recovery check, error budget), post-incident review
 * (report, 48-hour deadline), with SEV-1/2 status updates beside it. All state is one object
 * answered by the `status` query; the policy comes from the worker through the `loadPolicy`
 * activity (recorded in history). Long incidents continue-as-new at a safe point (a wait) when the
 * server suggests it, carrying state, policy and outbox.
 */
export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentStatus> {
  // Asked in the first activation, before any local activity, never later: see
  // QUIET_STATUS_UPDATES_PATCH for why the place matters.
  const quietStatusUpdates = patched(QUIET_STATUS_UPDATES_PATCH);
  const approvalAttribute = patched(APPROVAL_SINCE_PATCH);
  const incident = parseIncident(input);
  const info = workflowInfo();
  const state = input.carried ?? initialState(input, info.workflowId, info.startTime);
  state.runs = (state.runs ?? 0) + 1;
  const ctx: IncidentContext = createContext(
    incident,
    state,
    // Handlers are installed before the policy activity returns so no early message is lost; until
    // then the guide's defaults answer (only a SEV-1 reassignment in that instant would use them).
    input.policy ? parsePolicy(input.policy) : defaultPolicy(),
    [...(input.outbox ?? [])],
    workflowEffects(approvalAttribute),
  );
  installHandlers(ctx);
  publishSearchAttributes(ctx);
  if (!input.carried) {
    // Counted once per incident: a continued-as-new run carries the state and is not a new one.
    ctx.metrics.opened(state);
    const ttd = state.alertedAt ? Date.parse(state.detectedAt) - Date.parse(state.alertedAt) : undefined;
    record(
      ctx,
      'detected',
      `${state.severity} from ${state.source}: ${state.summary}${ttd === undefined ? '' : ` (time to detect ${formatDuration(Math.max(0, ttd))})`}`,
    );
  } else record(ctx, 'continued', `continued as new (run ${state.runs}) in stage ${state.stage}`);
  showDetails(ctx, 'starting');
  if (!input.policy) ctx.policy = parsePolicy(await runCheap('loadPolicy', 'Load the lifecycle policy'));

  let finished = false;
  const notifier = sendNotifications(ctx, () => finished);
  const cadence = statusUpdates(ctx, quietStatusUpdates);
  const windDown = async () => {
    ctx.stop();
    await cadence;
    finished = true;
    await notifier;
    await condition(allHandlersFinished);
  };

  let end: Awaited<ReturnType<typeof runStages>>;
  try {
    end = await runStages(ctx);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // An operator cancelled the incident (Web UI or `temporal workflow cancel`). The two
    // background loops were cancelled with it; left unawaited, their rejections failed every
    // following workflow task and the incident never ended. Record why, settle them, and end
    // the run as Cancelled.
    await CancellationScope.nonCancellable(async () => {
      record(ctx, 'cancelled', `workflow cancelled in stage ${state.stage}; nothing more runs`);
      showDetails(ctx, 'cancelled');
      ctx.stop();
      finished = true;
      await Promise.allSettled([cadence, notifier]);
    });
    throw error;
  }
  await windDown();
  if (end === 'continue-as-new')
    return continueAsNew<typeof incidentWorkflow>({
      incident: input.incident,
      carried: state,
      policy: ctx.policy,
      outbox: ctx.outbox,
    });
  return state;
}

/**
 * The stage loop, the one place stages change. A stage returns `continue-as-new` when it stopped
 * at a safe point (a wait) because the server suggests continuing as new; the loop then ends
 * without changing the stage, and the next run resumes it from the carried state.
 */
async function runStages(ctx: IncidentContext): Promise<'closed' | 'continue-as-new'> {
  const { state } = ctx;
  for (;;) {
    switch (state.stage) {
      case 'detection':
        if ((await detect(ctx)) === 'continue-as-new') return 'continue-as-new';
        transition(ctx, 'triage', 'triage: diagnostics and the three questions');
        break;
      case 'triage':
        if (!state.triage) await triage(ctx);
        transition(ctx, 'mitigation', 'mitigation: options in order of preference');
        break;
      case 'mitigation':
        if ((await mitigate(ctx)) === 'continue-as-new') return 'continue-as-new';
        transition(ctx, 'resolution', 'service restored; waiting for root cause and fix');
        break;
      case 'resolution': {
        const recovery = await resolve(ctx);
        if (recovery === 'continue-as-new') return recovery;
        if (recovery === 'verified') transition(ctx, 'review', 'resolved; post-incident review due');
        else
          transition(ctx, 'mitigation', `recovery check failed; mitigation round ${state.mitigationRound}`);
        break;
      }
      case 'review': {
        const related = await reviewStage(ctx);
        if (related === 'continue-as-new') return related;
        markClosed(ctx);
        transition(ctx, 'closed', 'closed; writing the final report');
        await writeReport(ctx, related, 'final');
        // Refreshes the search attributes and details once more, as before the final report moved here.
        transition(ctx, 'closed', `closed; report at ${state.reportPath ?? 'unknown'}`);
        break;
      }
      case 'closed':
        return 'closed';
    }
  }
}

/**
 * Callers validate too, but a bad input reaching the workflow must fail it with the reason, not
 * fail its workflow task forever (a ZodError would be retried as a bug).
 */
function parseIncident(input: IncidentWorkflowInput): IncidentInput {
  const result = incidentInputSchema.safeParse(input?.incident);
  if (result.success) return result.data;
  throw ApplicationFailure.create({
    type: FAILURE.invalidIncidentInput,
    nonRetryable: true,
    message: `invalid incident input: ${issuesLine(result.error, undefined, 'incident')}`,
  });
}

/** The policy is checked again in the workflow; a bad one fails the incident with the field named. */
function parsePolicy(raw: unknown): Policy {
  const result = policySchema.safeParse(raw);
  if (result.success) return result.data;
  throw ApplicationFailure.create({
    type: FAILURE.invalidPolicy,
    nonRetryable: true,
    message: `invalid policy: ${issuesLine(result.error, 'policy')}`,
  });
}

function initialState(input: IncidentWorkflowInput, workflowId: string, startTime: Date): IncidentStatus {
  const incident = parseIncident(input);
  const detectedAt = nowIso();
  return {
    incidentId: incidentIdFor(startTime, workflowId),
    workflowId,
    stage: 'detection',
    severity: incident.severity,
    services: incident.services,
    scenario: incident.scenario,
    summary: incident.summary,
    source: incident.source,
    labels: incident.labels,
    fingerprint: incident.fingerprint,
    detectedAt,
    ...(incident.alertedAt ? { alertedAt: new Date(incident.alertedAt).toISOString() } : {}),
    optionsTried: [],
    timeline: [],
    escalations: [],
    deadlines: {},
    // A manual start is its own first alert; a signal-with-start brings it as the first signal.
    alerts: input.openedByAlertSignal
      ? { firing: 0, resolved: 0 }
      : { firing: 1, resolved: 0, lastAt: detectedAt },
    alertHistory: input.openedByAlertSignal ? [] : [{ at: detectedAt, status: 'firing' }],
    runs: 0,
  };
}
