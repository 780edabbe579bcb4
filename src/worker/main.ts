/** Worker entry: runs workflows and activities on the `incident-response` task queue. */
import { loadConfigOrSandbox, sandboxNotice } from '../config/default-target';
import { loadEnv } from '../config/env';
import { connectClient, connectWorker } from '../temporal/connection';
import { createIncidentWorker, workerDeps } from './create-worker';
import { runMain } from '../process/run-main';
import { createSlackPoster } from '../activities/support/slack-chat';

await runMain(async () => {
  const env = loadEnv();
  const { config, sandbox } = await loadConfigOrSandbox(env.INCIDENT_CONFIG, env.INCIDENT_DATA_DIR);
  if (sandbox) console.warn(sandboxNotice(sandbox));
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
      log: (line) => console.log(`[notify] ${line}`),
    }),
  });
  console.log(
    `[worker] polling task queue ${env.TEMPORAL_TASK_QUEUE} on namespace ${env.TEMPORAL_NAMESPACE}`,
  );
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks finish (the SDK installs the
  // signal handlers), so Ctrl+C is a clean shutdown.
  await worker.run();
  await connection.close();
  await client.connection.close();
});
