import type { Client } from '@temporalio/client';
import { type MetricMeter, noopMetricMeter } from '@temporalio/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type EngineConfig, parseEngineConfig } from '../config/engine-config';
import type { Env } from '../config/env';
import { activeTracing } from '../temporal/tracing';
import { bearerAuth } from './auth';
import { traceRequests } from './http-tracing';
import { installErrorHandler } from './http-errors';
import { useGuardedJson } from './json-body';
import { apiMetrics, countWebhookRequests } from './metrics';
import { alertRoutes } from './routes/alerts';
import { createAlertCoalescer } from './alert-delivery';
import { githubRoutes } from './routes/github';
import { healthRoutes } from './routes/health';
import { incidentRoutes } from './routes/incidents';
import { planRoutes } from './routes/plan';
import { slackRoutes } from './routes/slack';
import { type SlackUpdater, slackUpdaterFromEnv } from './slack-chat';
import { SeenSignatures } from './slack-signature';

export interface ApiOptions {
  client: Client;
  env: Env;
  /** The engine config (alert routing, approvers); defaults when omitted. */
  config?: EngineConfig;
  /** Largest accepted body in bytes (413 above). */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
  /** The process's pino logger (src/api/main.ts), instead of `logger` options. */
  loggerInstance?: FastifyBaseLogger;
  /** Rewrites clicked Slack messages; from SLACK_BOT_TOKEN / SLACK_API_URL when omitted. */
  slack?: SlackUpdater;
  /** One server span per request (http-tracing.ts); defaults to on when this process traces. */
  traced?: boolean;
  /** Where the API's metrics go (the process Runtime's meter); none when omitted. */
  meter?: MetricMeter;
}

export const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * Builds the HTTP API without listening, so tests bind it to port 0. Routes are grouped in
 * scopes by how they authenticate: `/webhooks/github` and `/webhooks/slack/interactions` by HMAC
 * signature over the raw body (Slack's also refuses replays), the
 * alert and incident routes by bearer token (checked before the body is read), `/healthz` by none.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const meter = options.meter ?? noopMetricMeter;
  const ctx = {
    client: options.client,
    env: options.env,
    config: options.config ?? parseEngineConfig({}),
    metrics: apiMetrics(meter),
    alerts: createAlertCoalescer(options.client, options.env.TEMPORAL_TASK_QUEUE),
  };
  const requestTimeout = options.env.API_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? false }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // A slow client (slowloris) must not hold a socket for ever: 408 once API_REQUEST_TIMEOUT_MS
    // passes without a whole request. Node checks that only every connectionsCheckingInterval
    // (default 30 s), so check every second; headers alone get no longer than the whole request.
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 60_000),
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
    },
    // The alert storm benchmark keeps connections alive; so do Alertmanager and GitHub.
    keepAliveTimeout: 10_000,
  });
  installErrorHandler(app);
  // Before any route: the hooks wrap each route's handler as it is registered.
  if (options.traced ?? Boolean(activeTracing())) traceRequests(app);
  countWebhookRequests(app, meter);
  healthRoutes(app, ctx);
  // Plugins scope content-type parsers and hooks: github reads raw bytes, the rest guarded JSON.
  await app.register((scope, _opts, done) => {
    githubRoutes(scope, ctx);
    done();
  });
  const slack = {
    updater: options.slack ?? slackUpdaterFromEnv(options.env),
    seen: new SeenSignatures(),
    now: Date.now,
  };
  await app.register((scope, _opts, done) => {
    slackRoutes(scope, ctx, slack);
    done();
  });
  await app.register((scope, _opts, done) => {
    useGuardedJson(scope);
    scope.addHook('onRequest', bearerAuth(ctx.env.API_TOKEN));
    alertRoutes(scope, ctx);
    incidentRoutes(scope, ctx);
    planRoutes(scope, ctx);
    done();
  });
  return app;
}
