/** Worker entry: runs workflows and activities on the `incident-response` task queue. */
import { loadConfigOrSandbox, sandboxNotice } from '../config/default-target';
import { loadEnv } from '../config/env';
import { connectClient, connectWorker } from '../temporal/connection';
import { startTracing } from '../temporal/tracing';
import { createIncidentWorker, workerDeps } from './create-worker';
import { runMain } from '../process/run-main';
import { createSlackPoster } from '../activities/support/slack-chat';
import { processLogger } from '../process/logger';
import { activityLog } from './activity-log';
import { installRuntime } from './runtime';

await runMain(async () => {
  const env = loadEnv();
  const logger = processLogger(env, 'worker');
  installRuntime(logger);
  // Before any connection: the clients and the worker pick up the tracing plugin from here.
  const tracing = startTracing('incident-worker', { log: (line) => logger.info(line) });
  const { config, sandbox } = await loadConfigOrSandbox(env.INCIDENT_CONFIG, env.INCIDENT_DATA_DIR);
  if (sandbox) logger.warn(sandboxNotice(sandbox));
  const connection = await connectWorker(env);
  const client = await connectClient(env);
  const worker = await createIncidentWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
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
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks finish (the SDK installs the
  // signal handlers), so Ctrl+C is a clean shutdown.
  await worker.run();
  await connection.close();
  await client.connection.close();
  await tracing?.shutdown();
  logger.info('stopped');
});
