/** API entry: HTTP for alert webhooks, approvals and status. */
import { loadEngineConfig } from '../config/engine-config';
import { loadEnv } from '../config/env';
import { connectClient } from '../temporal/connection';
import { startTracing } from '../temporal/tracing';
import { installMetricsRuntime } from '../temporal/metrics-runtime';
import { runMain } from '../process/run-main';
import { listenAddress } from './listen-address';
import { buildApi } from './server';

await runMain(async () => {
  const env = loadEnv();
  // Before the client connects and the routes are built: both pick up tracing from here.
  const tracing = startTracing('incident-api', { log: (line) => console.log(line) });
  const config = await loadEngineConfig(env.INCIDENT_CONFIG);
  const { host, note } = listenAddress(env);
  const metrics = installMetricsRuntime(env, 'api');
  const client = await connectClient(env);
  // Warnings and failed requests (5xx) as JSON lines on stdout; per-request logs would drown them.
  const app = await buildApi({ client, env, config, logger: { level: 'warn' }, meter: metrics.meter });
  await app.listen({ host, port: env.API_PORT });
  console.log(`[api] listening on http://${host}:${env.API_PORT}`);
  if (note) console.log(`[api] ${note}`);
  console.log(`[api] ${metrics.note}`);
  if (!env.GITHUB_WEBHOOK_SECRET)
    console.log('[api] no GITHUB_WEBHOOK_SECRET set: /webhooks/github answers 503');
  if (!env.SLACK_SIGNING_SECRET)
    console.log('[api] no SLACK_SIGNING_SECRET set: /webhooks/slack/interactions answers 503');
  const close = async () => {
    await app.close();
    await client.connection.close();
    await tracing?.shutdown();
  };
  process.once('SIGINT', () => void close());
  process.once('SIGTERM', () => void close());
});
