/**
 * The one logger of every engine process (worker, API, start.ts, dev-server runner): pino, JSON
 * lines when the output is not a terminal (what log shippers and the tests read), readable lines
 * on a terminal. Everything else (the SDK's Runtime logger, workflow `log`, activity `log`,
 * `deps.log`, Fastify) is routed here so one LOG_LEVEL and one format govern them all.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/** The same names as env.ts LOG_LEVELS; duplicated so this module depends on nothing of ours. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** The process or component: `worker`, `api`, `start`, `server`. Every line carries it. */
  name: string;
  level?: LogLevel;
  /** Unset: pretty when `destination` is a TTY, JSON otherwise. */
  format?: LogFormat;
  /** Default process.stdout; tests pass a capture stream. */
  destination?: DestinationStream & { isTTY?: boolean };
  /** Fields on every line (for example a component or an incident ID). */
  bindings?: Record<string, unknown>;
}

/**
 * Field paths never written, whatever a caller passes: credentials that could reach a log through
 * an error or an options object. `taskToken` is the SDK's activity log attribute: whoever has it can
 * complete the activity, and it is no help to a reader.
 */
export const REDACTED_PATHS = [
  'apiKey',
  'api_key',
  'token',
  'password',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'taskToken',
  '*.apiKey',
  '*.token',
  '*.authorization',
];

export function resolveFormat(
  format: LogFormat | undefined,
  destination: { isTTY?: boolean } = process.stdout,
): LogFormat {
  return format ?? (destination.isTTY ? 'pretty' : 'json');
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const format = resolveFormat(options.format, destination);
  const stream: DestinationStream =
    format === 'pretty'
      ? // In-process (not pino's worker-thread transport) so a line is written before a crash exits.
        pretty({ destination, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' })
      : destination;
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      // Level names ("info"), not pino's numbers, and ISO times: readable in any log viewer.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, remove: true },
      base: { pid: process.pid, ...options.bindings },
    },
    stream,
  );
}
