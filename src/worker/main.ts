/** Worker entry: runs workflows and activities on the `incident-response` task queue. */
import { loadConfigOrSandbox, sandboxNotice } from '../config/default-target';
import { loadEnv } from '../config/env';
import { workerTuning } from '../config/worker-tuning';
import { connectClient, connectWorker } from '../temporal/connection';
import { startTracing } from '../temporal/tracing';
import { installMetricsRuntime, shutdownRuntime } from '../temporal/metrics-runtime';
import { createIncidentWorker, workerDeps } from './create-worker';
import { startOpenIncidentsGauge } from './open-incidents-gauge';
import { checkSearchAttributes, searchAttributeError } from '../temporal/search-attributes';
import { runMain } from '../process/run-main';
import { createSlackPoster } from '../activities/support/slack-chat';
import { processLogger } from '../process/logger';
import { runtimeLogging } from '../logging/sdk-logger';
import { activityLog } from './activity-log';

await runMain(async () => {
  const env = loadEnv();
  const logger = processLogger(env, 'worker');
  // Before any connection: the clients and the worker pick up the tracing plugin from here.
  const tracing = startTracing('incident-worker', { log: (line) => logger.info(line) });
  const { config, sandbox } = await loadConfigOrSandbox(env.INCIDENT_CONFIG, env.INCIDENT_DATA_DIR);
  if (sandbox) logger.warn(sandboxNotice(sandbox));
  // Before the first connection: the connection would create a Runtime without the exporter. One
  // Runtime carries both the Prometheus exporter and the process logger.
  const metrics = installMetricsRuntime(env, 'worker', undefined, runtimeLogging(logger));
  logger.info(metrics.note);
  // A failed connect leaves the installed Runtime with nothing to close, and the process idle.
  const failedStart = async (error: unknown): Promise<never> => {
    await shutdownRuntime();
    throw error;
  };
  const connection = await connectWorker(env).catch(failedStart);
  const client = await connectClient(env).catch(async (error: unknown) => {
    await connection.close();
    return failedStart(error);
  });
  const attributes = await checkSearchAttributes(client.connection, env.TEMPORAL_NAMESPACE);
  if (attributes.ok === false) {
    await client.connection.close();
    await connection.close();
    return failedStart(searchAttributeError(env.TEMPORAL_NAMESPACE, attributes.problems));
  }
  if (attributes.ok === 'unknown')
    logger.warn(`could not check the namespace's search attributes (${attributes.reason}); starting anyway`);
  const worker = await createIncidentWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    tuning: workerTuning(env),
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    deps: workerDeps({
      config,
      client,
      slackWebhookUrl: env.SLACK_WEBHOOK_URL,
      slack:
        env.SLACK_BOT_TOKEN && env.SLACK_CHANNEL
          ? createSlackPoster({
              token: env.SLACK_BOT_TOKEN,
              channel: env.SLACK_CHANNEL,
              apiUrl: env.SLACK_API_URL,
            })
          : undefined,
      log: activityLog(logger.child({ component: 'notify' })),
    }),
  });
  // Tests and bench scripts wait for "polling task queue" (test/helpers/engine-processes.ts).
  logger.info(
    { taskQueue: env.TEMPORAL_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE },
    `polling task queue ${env.TEMPORAL_TASK_QUEUE} on namespace ${env.TEMPORAL_NAMESPACE}`,
  );
  const stopGauge = metrics.url
    ? startOpenIncidentsGauge({
        client,
        meter: metrics.meter,
        intervalMs: env.WORKER_METRICS_INTERVAL_MS,
        warn: (line) => logger.warn(line),
      })
    : () => Promise.resolve();
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks finish (the SDK installs the
  // signal handlers), so Ctrl+C is a clean shutdown.
  await worker.run();
  await stopGauge();
  await connection.close();
  await client.connection.close();
  await tracing?.shutdown();
  logger.info('stopped');
});
