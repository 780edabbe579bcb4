import type { Env } from '../config/env';
import { createLogger, type Logger } from '../logging/logger';

/**
 * The logger of one engine process, configured from the environment (LOG_LEVEL, LOG_FORMAT). The
 * deprecation warnings of loadEnv are written here, once per process, naming the new variable.
 */
export function processLogger(env: Env, name: string): Logger {
  const logger = createLogger({ name, level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  for (const warning of env.deprecations) logger.warn({ deprecated: true }, warning);
  return logger;
}
