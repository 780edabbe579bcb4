import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logging/logger';
import { sdkLogger } from '../logging/sdk-logger';

/**
 * Installs the SDK Runtime with the process logger, before any connection (Runtime.install throws
 * once a Runtime exists). From then on the worker's lifecycle messages, workflow `log` (via the
 * SDK's default logger sink) and activity `log` reach pino with their workflow/activity fields.
 * Core's own (Rust) messages are forwarded too, at WARN and above: below that it is per-poll
 * chatter that would drown the engine's lines even at LOG_LEVEL=debug.
 */
export function installRuntime(logger: Logger): Runtime {
  return Runtime.install({
    logger: sdkLogger(logger),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'WARN' } } },
  });
}
