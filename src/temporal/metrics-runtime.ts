import { type MetricMeter, noopMetricMeter } from '@temporalio/common';
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import { type Env, type MetricsEndpoint, metricsEndpoint } from '../config/env';
import { histogramBuckets } from '../contracts/metrics';

export interface MetricsRuntime {
  /** The process's meter: the Runtime's when metrics are served, a no-op one when they are off. */
  meter: MetricMeter;
  /** `http://host:port/metrics`, when served. */
  url?: string;
  /** One line for the process's start log: where metrics are, or why there are none. */
  note: string;
}

/**
 * Shuts the SDK Runtime down if this process installed one. The Runtime shuts itself down when its
 * last native connection or worker closes, but a process that never opens one (the API: its client
 * is a plain gRPC one) or fails before it does keeps the Runtime's log forwarding alive, and with
 * it the process: the API ignored SIGTERM and a failed start never exited. `Runtime.instance()`
 * would create a Runtime, so the installed one is read without it.
 */
export async function shutdownRuntime(): Promise<void> {
  await Runtime._instance?.shutdown();
}

/**
 * Installs the SDK Runtime with its Prometheus exporter, before any connection is made (the
 * Runtime is created once per process, by the first connection if not installed). The worker's
 * endpoint carries the SDK's own metrics (`temporal_` prefixed: polls, workflow and activity
 * tasks, sticky cache) and the engine's (`incident_engine_`, src/contracts/metrics.ts); the API
 * installs a Runtime of its own for its metrics, so both processes share one exporter, one naming
 * convention and one set of bucket rules instead of mixing in prom-client.
 *
 * Options: counters get `_total` and durations are in seconds (the Prometheus conventions), for the
 * SDK's metrics as for ours; our histograms get the bucket bounds from the catalogue.
 *
 * A default address that is already taken (a second worker on the machine) leaves metrics off with
 * a note rather than failing the start; an address the operator chose must be free.
 */
export function installMetricsRuntime(
  env: Env,
  role: 'worker' | 'api',
  { address, variable, explicit }: MetricsEndpoint = metricsEndpoint(env, role),
  /** The rest of the Runtime options (the process logger, src/logging/sdk-logger.ts). */
  base: RuntimeOptions = {},
): MetricsRuntime {
  // Without metrics the Runtime is still installed when there is something to install (the logger).
  const installBase = () => {
    if (Object.keys(base).length > 0) Runtime.install(base);
  };
  if (address === 'off') {
    installBase();
    return { meter: noopMetricMeter, note: `metrics off (${variable}=off)` };
  }
  try {
    Runtime.install({
      ...base,
      telemetryOptions: {
        ...base.telemetryOptions,
        metrics: {
          prometheus: {
            bindAddress: address,
            countersTotalSuffix: true,
            useSecondsForDurations: true,
            histogramBucketOverrides: histogramBuckets(),
          },
        },
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (explicit || !/in use/i.test(reason))
      throw new Error(`${variable}=${address}: ${reason} (fix: choose a free host:port, or set it to off)`);
    installBase();
    return {
      meter: noopMetricMeter,
      note: `metrics off: the default ${address} is in use (another ${role} on this machine?); set ${variable} to a free host:port`,
    };
  }
  const url = `http://${address}/metrics`;
  return { meter: Runtime.instance().metricMeter, url, note: `Prometheus metrics on ${url}` };
}
