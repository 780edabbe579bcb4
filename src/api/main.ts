/** API entry: HTTP for alert webhooks, approvals and status. */
import { loadEnv } from '../config/env';
import { connectClient } from '../temporal/connection';
import { runMain } from '../cli/run-main';
import { buildApi } from './server';

await runMain(async () => {
  const env = loadEnv();
  const client = await connectClient(env);
  const host = env.API_HOST ?? (env.API_TOKEN ? '0.0.0.0' : '127.0.0.1');
  const app = await buildApi({ client, env });
  await app.listen({ host, port: env.API_PORT });
  console.log(`[api] listening on http://${host}:${env.API_PORT}`);
  if (!env.API_TOKEN) console.log('[api] no API_TOKEN set: listening on loopback only');
  const close = async () => {
    await app.close();
    await client.connection.close();
  };
  process.once('SIGINT', () => void close());
  process.once('SIGTERM', () => void close());
});
