import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logging/logger';
import { runtimeLogging } from '../logging/sdk-logger';

/**
 * Installs the SDK Runtime with the process logger only (no metrics exporter), before any
 * connection (Runtime.install throws once a Runtime exists). From then on the worker's lifecycle
 * messages, workflow `log` (via the SDK's default logger sink) and activity `log` reach pino with
 * their workflow/activity fields. The worker's main installs it through installMetricsRuntime,
 * which adds the Prometheus exporter to the same options.
 */
export function installRuntime(logger: Logger): Runtime {
  return Runtime.install(runtimeLogging(logger));
}
