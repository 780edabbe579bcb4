/** API entry: HTTP for alert webhooks, approvals and status. */
import { loadEngineConfig } from '../config/engine-config';
import { loadEnv, type LogLevel } from '../config/env';
import { connectClient } from '../temporal/connection';
import { startTracing } from '../temporal/tracing';
import { installMetricsRuntime, shutdownRuntime } from '../temporal/metrics-runtime';
import { runMain } from '../process/run-main';
import { processLogger } from '../process/logger';
import { runtimeLogging } from '../logging/sdk-logger';
import { listenAddress } from './listen-address';
import { buildApi } from './server';

/**
 * Fastify logs every request at info; an alert storm would drown the engine's own lines. Requests
 * are logged from LOG_LEVEL=debug; at info only warnings and failed requests (5xx) are.
 */
const httpLevel = (level: LogLevel): LogLevel => (level === 'info' ? 'warn' : level);

await runMain(async () => {
  const env = loadEnv();
  const logger = processLogger(env, 'api');
  // Before the client connects and the routes are built: both pick up tracing from here.
  const tracing = startTracing('incident-api', { log: (line) => logger.info(line) });
  const config = await loadEngineConfig(env.INCIDENT_CONFIG);
  const { host, note } = listenAddress(env);
  const metrics = installMetricsRuntime(env, 'api', undefined, runtimeLogging(logger));
  const client = await connectClient(env).catch(async (error: unknown) => {
    await shutdownRuntime();
    throw error;
  });
  const app = await buildApi({
    client,
    env,
    config,
    loggerInstance: logger.child({ component: 'http' }, { level: httpLevel(env.LOG_LEVEL) }),
    meter: metrics.meter,
  });
  try {
    await app.listen({ host, port: env.API_PORT });
  } catch (error) {
    // A port in use (or any failed start) must end the process with the error, not leave it idle.
    await app.close();
    await client.connection.close();
    await shutdownRuntime();
    throw error;
  }
  // Tests and bench scripts wait for "listening on http" (test/helpers/engine-processes.ts).
  logger.info({ host, port: env.API_PORT }, `listening on http://${host}:${env.API_PORT}`);
  if (note) logger.info(note);
  logger.info(metrics.note);
  if (!env.GITHUB_WEBHOOK_SECRET) logger.info('no GITHUB_WEBHOOK_SECRET set: /webhooks/github answers 503');
  if (!env.SLACK_SIGNING_SECRET)
    logger.info('no SLACK_SIGNING_SECRET set: /webhooks/slack/interactions answers 503');
  // Once: under `npm start` both the terminal's SIGINT and start.ts's SIGTERM arrive.
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await client.connection.close();
      await tracing?.shutdown();
      await shutdownRuntime();
      logger.info('stopped');
    })());
  process.once('SIGINT', () => void close());
  process.once('SIGTERM', () => void close());
});
