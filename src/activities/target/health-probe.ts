import type { ActivityDeps } from '../deps';

export interface HealthProbeInput {
  incidentId: string;
  url: string;
  timeoutMs: number;
}

export interface HealthProbeResult {
  ok: boolean;
  /** HTTP status, absent when the request itself failed. */
  status?: number;
  latencyMs: number;
  error?: string;
}

export function createHealthProbeActivities(deps: ActivityDeps) {
  return {
    /**
     * One HTTP GET of the configured health URL for the recovery check. A failed probe is a
     * result (ok: false), not an error, so the workflow counts it instead of retrying it away.
     * Read-only, safe to run twice.
     */
    async probeHealth(input: HealthProbeInput): Promise<HealthProbeResult> {
      const started = performance.now();
      try {
        const response = await fetch(input.url, {
          method: 'GET',
          signal: AbortSignal.timeout(input.timeoutMs),
          redirect: 'follow',
        });
        await response.body?.cancel();
        return {
          ok: response.ok,
          status: response.status,
          latencyMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        const message = (error as Error).message;
        deps.log(`[health] ${input.incidentId}: GET ${input.url} failed: ${message}`, {
          incidentId: input.incidentId,
          step: 'health-check',
        });
        return { ok: false, latencyMs: Math.round(performance.now() - started), error: message };
      }
    },
  };
}
