import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Env } from '../config/env';

export interface ApiOptions {
  client: Client;
  env: Env;
}

/** Builds the HTTP API without listening, so tests can bind it to an ephemeral port. */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  app.get('/healthz', async () => {
    // getSystemInfo is the cheapest call that proves the frontend answers for this client.
    await options.client.workflowService.getSystemInfo({});
    return { ok: true, temporal: 'serving' };
  });
  return app;
}
