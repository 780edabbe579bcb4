import { isCancellation, patched, sleep } from '@temporalio/workflow';
import { errorBudgetConsumed } from '../../domain/error-budget';
import { failureMessage } from '../../domain/failure-message';
import {
  describeThreshold,
  judgePrometheus,
  type PromThreshold,
  thresholdOf,
} from '../../domain/prometheus-judgement';
import type { PrometheusCheck } from '../../contracts/policy';
import { formatDuration } from '../../contracts/duration';
import type { VerificationRecord } from '../../contracts/messages';
import { run } from './activity-stubs';
import { escalate, type IncidentContext, nowIso, record, showDetails } from './context';
import { waitUntil } from './waits';

/**
 * The guide's resolution: wait for the root cause (5 whys; the fix reference is optional here and
 * may come with the review, see resolveRule), then verify
 * recovery by probing health at the configured interval for the configured duration (durable
 * timers): an HTTP GET, a PromQL query judged against the SLO, or both. Verified: compute the error budget consumed (the stage loop moves to review). Not
 * verified: escalate and clear the resolution (the stage loop goes back to mitigation).
 */
export async function resolve(
  ctx: IncidentContext,
): Promise<'verified' | 'not-verified' | 'continue-as-new'> {
  const { state } = ctx;
  showDetails(ctx, 'service restored; waiting for the root cause and fix (resolve)');
  if (
    (await waitUntil(() => state.resolution !== undefined, undefined, 'Wait for resolve')) ===
    'continue-as-new'
  )
    return 'continue-as-new';
  const verification = await verifyRecovery(ctx);
  state.verification = verification;
  if (verification.verified === false) {
    escalate(ctx, `recovery check failed: ${verification.detail ?? ''}`);
    record(
      ctx,
      'verification-failed',
      `recovery not verified (${verification.detail ?? ''}); back to mitigation`,
    );
    delete state.resolution;
    delete state.mitigatedAt;
    state.mitigationRound = (state.mitigationRound ?? 1) + 1;
    return 'not-verified';
  }
  state.resolvedAt = nowIso();
  const start = Math.min(
    Date.parse(state.detectedAt),
    state.alertedAt ? Date.parse(state.alertedAt) : Number.POSITIVE_INFINITY,
  );
  // Downtime: from the first alert until service was restored, plus failed probes afterwards.
  const restored = Date.parse(state.mitigatedAt ?? state.resolvedAt);
  const downtimeMs = Math.max(0, restored - start) + verification.failures * ctx.policy.healthCheck.interval;
  const budget = errorBudgetConsumed({
    availability: ctx.policy.slo.availabilityPercent / 100,
    windowMs: ctx.policy.slo.window,
    downtimeMs,
  });
  state.errorBudget = {
    sloPercent: ctx.policy.slo.availabilityPercent,
    windowMs: ctx.policy.slo.window,
    downtimeMs: budget.downtimeMs,
    consumedPercent: budget.consumedPercent,
  };
  record(
    ctx,
    'resolved',
    `resolved; downtime ${formatDuration(downtimeMs)}, error budget consumed ${budget.consumedPercent}% of the ${ctx.policy.slo.availabilityPercent}% SLO`,
  );
  return 'verified';
}

/**
 * Patch for the Prometheus half of the recovery check. Incidents recorded before it cannot reach
 * that code (their recorded policy has no `healthCheck.prometheus`: the old schema refused the
 * key), so the guard is a backstop: should a recorded policy ever carry one, a history from
 * before the change still replays as the HTTP-only check it ran.
 */
export const RECOVERY_PROMETHEUS_PATCH = 'recovery-check-prometheus';

/** One Prometheus query and its verdict; undefined when it passed, else why not. */
async function prometheusRound(
  ctx: IncidentContext,
  check: PrometheusCheck,
  threshold: PromThreshold,
  i: number,
  total: number,
): Promise<string | undefined> {
  try {
    const answer = await run(
      'queryPrometheus',
      `Prometheus check ${i}/${total}: value ${describeThreshold(threshold)}`,
      { incidentId: ctx.state.incidentId, url: check.url, query: check.query, timeoutMs: check.timeout },
    );
    const verdict = judgePrometheus(answer, threshold);
    return verdict.ok ? undefined : `Prometheus: ${verdict.detail}`;
  } catch (error) {
    // Retries are spent (or the query is refused for good): that round failed, the check goes on.
    if (isCancellation(error)) throw error;
    return `Prometheus: ${failureMessage(error)}`;
  }
}

async function verifyRecovery(ctx: IncidentContext): Promise<VerificationRecord> {
  const { state } = ctx;
  const { url, interval, duration, timeout, maxFailureRatio } = ctx.policy.healthCheck;
  const prometheus =
    ctx.policy.healthCheck.prometheus && patched(RECOVERY_PROMETHEUS_PATCH)
      ? ctx.policy.healthCheck.prometheus
      : undefined;
  const startedAt = nowIso();
  if (!url && !prometheus) {
    record(
      ctx,
      'verification',
      'recovery not verified: no health-check URL configured (policy.healthCheck.url)',
    );
    return { startedAt, endedAt: startedAt, probes: 0, failures: 0, verified: 'not-configured' };
  }
  const threshold = prometheus ? thresholdOf(prometheus, ctx.policy.slo.availabilityPercent) : undefined;
  const total = Math.max(1, Math.floor(duration / interval));
  const what = [
    url ? `GET ${url}` : undefined,
    prometheus && threshold ? `PromQL ${describeThreshold(threshold)} at ${prometheus.url}` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  record(
    ctx,
    'verification',
    `verifying recovery: ${what} every ${formatDuration(interval)} for ${formatDuration(duration)}`,
  );
  let failures = 0;
  let probes = 0;
  let lastOk = false;
  let lastDetail = '';
  for (let i = 1; i <= total; i++) {
    state.deadlines.verification = new Date(Date.now() + (total - i + 1) * interval).toISOString();
    showDetails(ctx, `verifying recovery: probe ${i} of ${total}, ${failures} failed so far`);
    await sleep(interval, { summary: `Wait before health probe ${i}/${total}` });
    // A probe is one round: the HTTP GET and the PromQL verdict, each when configured; the round
    // fails when either does.
    const failed: string[] = [];
    if (url) {
      const probe = await run('probeHealth', `Health probe ${i}/${total}: GET ${url}`, {
        incidentId: state.incidentId,
        url,
        timeoutMs: timeout,
      });
      if (!probe.ok) failed.push(probe.error ?? `HTTP ${probe.status ?? '?'}`);
    }
    if (prometheus && threshold) {
      const problem = await prometheusRound(ctx, prometheus, threshold, i, total);
      if (problem) failed.push(problem);
    }
    probes++;
    lastOk = failed.length === 0;
    if (!lastOk) {
      failures++;
      lastDetail = failed.join('; ');
      if (failures <= 3) record(ctx, 'probe-failed', `health probe ${i}/${total} failed: ${lastDetail}`);
    }
    // Stop early once the failure allowance cannot be met any more.
    if (failures / total > maxFailureRatio) break;
  }
  delete state.deadlines.verification;
  const verified = lastOk && failures / total <= maxFailureRatio;
  const detail = `${failures} of ${probes} probes failed${lastDetail ? ` (last: ${lastDetail})` : ''}`;
  record(ctx, 'verification', `recovery ${verified ? 'verified' : 'NOT verified'}: ${detail}`);
  return {
    url,
    ...(prometheus && threshold
      ? {
          prometheus: {
            url: prometheus.url,
            query: prometheus.query,
            bound: threshold.bound,
            threshold: threshold.value,
          },
        }
      : {}),
    startedAt,
    endedAt: nowIso(),
    probes,
    failures,
    verified,
    detail,
  };
}
