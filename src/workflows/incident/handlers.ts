import { setHandler } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import {
  acknowledgeSignal,
  acknowledgeUpdate,
  type AlertInput,
  alertSignal,
  approveSignal,
  approveUpdate,
  recordMitigationSignal,
  recordMitigationUpdate,
  rejectSignal,
  rejectUpdate,
  resolveSignal,
  resolveUpdate,
  reviewSignal,
  reviewUpdate,
  setSeveritySignal,
  setSeverityUpdate,
  statusQuery,
  type UpdateResult,
  workaroundSignal,
  workaroundUpdate,
} from '../../contracts/messages';
import { type IncidentContext, nowIso, record, refreshDetails } from './context';
import {
  acknowledgeRule,
  approveRule,
  type MessageRule,
  recordMitigationRule,
  rejectRule,
  resolveRule,
  reviewRule,
  setSeverityRule,
  who,
  workaroundRule,
} from './message-rules';

/**
 * Installs the signals, updates and the status query. Each message has one rule (message-rules.ts):
 * a signal that fails its check is recorded in the timeline as refused and changes nothing else;
 * the Update of the same message throws from its validator, so the caller gets the reason and
 * history gets nothing.
 */
function register<T>(
  ctx: IncidentContext,
  rule: MessageRule<T>,
  signal: SignalDefinition<[T]>,
  update: UpdateDefinition<UpdateResult, [T]>,
): void {
  setHandler(signal, (input: T) => {
    const refusal = rule.check(ctx, input) ?? rule.signalCheck?.(ctx, input);
    if (refusal) record(ctx, 'refused', `${rule.name} by ${who(input)} refused: ${refusal}`);
    else {
      rule.apply(ctx, input);
      refreshDetails(ctx);
    }
  });
  setHandler(
    update,
    (input: T): Promise<UpdateResult> => {
      const message = rule.apply(ctx, input);
      refreshDetails(ctx);
      return Promise.resolve({ accepted: true, message, stage: ctx.state.stage });
    },
    {
      validator: (input: T) => {
        const refusal = rule.check(ctx, input);
        if (refusal) throw new Error(refusal);
      },
    },
  );
}

export function installHandlers(ctx: IncidentContext): void {
  setHandler(statusQuery, () => ctx.state);
  register(ctx, acknowledgeRule, acknowledgeSignal, acknowledgeUpdate);
  register(ctx, setSeverityRule, setSeveritySignal, setSeverityUpdate);
  register(ctx, approveRule, approveSignal, approveUpdate);
  register(ctx, rejectRule, rejectSignal, rejectUpdate);
  register(ctx, recordMitigationRule, recordMitigationSignal, recordMitigationUpdate);
  register(ctx, workaroundRule, workaroundSignal, workaroundUpdate);
  register(ctx, resolveRule, resolveSignal, resolveUpdate);
  register(ctx, reviewRule, reviewSignal, reviewUpdate);
  // One `alert` signal carries one alert or, from the API's coalescer, several (one payload
  // each). Each payload is counted exactly as if it had come as its own signal in the same
  // workflow task, so counts, alertHistory and the timeline sampling match one-by-one delivery.
  // No patched() needed: every existing history has one payload per alert signal, for which this
  // runs the same code once, as before; and the handler emits no command (state and timeline
  // only), so no command sequence changes either way. A worker bundle from before batches reads
  // only the first argument: it counts a batch once, never zero times, and history keeps every
  // payload (docs/api.md, "Coalescing").
  setHandler(alertSignal, (...alerts: (AlertInput | undefined)[]) => {
    // A signal without a payload counted as one firing alert before batches; it still does.
    for (const alert of alerts.length > 0 ? alerts : [undefined]) countAlert(ctx, alert);
  });
}

function countAlert(ctx: IncidentContext, alert: AlertInput | undefined): void {
  const { state } = ctx;
  const status = alert?.status === 'resolved' ? 'resolved' : 'firing';
  const at = nowIso();
  if (status === 'firing') state.alerts.firing++;
  else state.alerts.resolved++;
  state.alerts.lastAt = at;
  (state.alertHistory ??= []).push({ at, status });
  // Every alert in the timeline would swamp it during a storm: record the first few, then every tenth.
  const total = state.alerts.firing + state.alerts.resolved;
  if (total <= 5 || total % 10 === 0)
    record(
      ctx,
      'alert',
      `alert ${status} (${alert?.source ?? 'unknown source'}): ${alert?.summary ?? ''} [${total} so far]`,
    );
}
