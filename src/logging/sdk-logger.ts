import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { RuntimeOptions } from '@temporalio/worker';
import type { Logger } from './logger';

/**
 * The SDK's log attributes under the names this project's lines use. The SDK calls the run ID
 * `runId` in workflow lines and `workflowRunId` in activity lines; one name lets a reader follow a
 * run across both.
 */
function fields(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const { workflowRunId, ...rest } = meta as Record<string, unknown>;
  return workflowRunId !== undefined && rest.runId === undefined ? { ...rest, runId: workflowRunId } : rest;
}

const LEVELS: Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The SDK's Logger interface over pino, for `Runtime.install({ logger })`. Through the Runtime
 * logger pass the worker's own messages, Core's (forwarded), workflow `log` (the SDK's default
 * logger sink) and activity `log`/`Context.current().log`, each with the SDK's workflow or activity
 * attributes (workflowId, runId, workflowType, activityType, ...) as fields.
 */
export function sdkLogger(logger: Logger): SdkLogger {
  const at =
    (level: SdkLogLevel) =>
    (message: string, meta?: LogMetadata): void => {
      logger[LEVELS[level]](fields(meta), message);
    };
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

/**
 * The logging half of `Runtime.install` options, for every process that installs the SDK Runtime
 * (the worker; the API for its metrics): the pino adapter as the Runtime logger, with Core's own
 * (Rust) messages forwarded at WARN and above (below that it is per-poll chatter that would drown
 * the engine's lines even at LOG_LEVEL=debug).
 */
export function runtimeLogging(logger: Logger): Pick<RuntimeOptions, 'logger' | 'telemetryOptions'> {
  return {
    logger: sdkLogger(logger),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'WARN' } } },
  };
}
