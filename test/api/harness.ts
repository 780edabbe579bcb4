import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { type EngineConfig, parseEngineConfig } from '../../src/config/engine-config';
import { type Env, loadEnv } from '../../src/config/env';
import type { ActivityDeps } from '../../src/activities';
import { SLACK_SIGNING_SECRET } from '../helpers/slack';
import { runWorker, startDevServerEnv, tempDir, testDeps, uniqueTaskQueue } from '../helpers/temporal';

export const API_TOKEN = 'test-token-0123456789abcdef';
export const GITHUB_SECRET = 'github-secret-for-tests';

/** A real dev server, a real worker and the API listening on an ephemeral port. */
export interface ApiHarness {
  temporal: TestWorkflowEnvironment;
  env: Env;
  config: EngineConfig;
  base: string;
  taskQueue: string;
  app: FastifyInstance;
  /** fetch against the API with the bearer token unless `token: null`. */
  call: (path: string, init?: RequestInit & { token?: string | null; json?: unknown }) => Promise<Response>;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  /** More environment variables for the API (SLACK_*). */
  env?: Record<string, string>;
  /** Worker dependencies to override (a Slack poster). */
  deps?: Partial<ActivityDeps>;
}

export async function startApiHarness(
  name: string,
  rawConfig: unknown = {},
  options: HarnessOptions = {},
): Promise<ApiHarness> {
  const temporal = await startDevServerEnv();
  const dir = await tempDir(`incident-${name}-`);
  const taskQueue = uniqueTaskQueue(name);
  const config = parseEngineConfig(
    { incidentsDir: `${dir.path}/incidents`, ...(rawConfig as object) },
    'test config',
  );
  const worker = await runWorker(
    temporal,
    testDeps(dir.path, [], { config, client: temporal.client, ...options.deps }),
    taskQueue,
  );
  const env = loadEnv({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    API_TOKEN,
    GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    SLACK_SIGNING_SECRET,
    ...options.env,
  });
  const app = await buildApi({ client: temporal.client, env, config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const call: ApiHarness['call'] = (path, init = {}) => {
    const { token = API_TOKEN, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${base}${path}`, {
      ...rest,
      method: rest.method ?? (json === undefined ? 'GET' : 'POST'),
      headers,
      body: json === undefined ? rest.body : typeof json === 'string' ? json : JSON.stringify(json),
    });
  };
  return {
    temporal,
    env,
    config,
    base,
    taskQueue,
    app,
    call,
    close: async () => {
      await app.close();
      await worker.stop();
      await temporal.teardown();
      await dir.cleanup();
    },
  };
}

export const sign = (body: string, secret = GITHUB_SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let alertCounter = 0;
/** An Alertmanager v4 payload with one alert per fingerprint. */
export function alertmanagerPayload(
  fingerprints: string[],
  overrides: { status?: 'firing' | 'resolved'; labels?: Record<string, string> } = {},
) {
  const status = overrides.status ?? 'firing';
  return {
    version: '4',
    groupKey: `{}:{alertname="McpServerDown"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'incident-engine',
    groupLabels: { alertname: 'McpServerDown' },
    commonLabels: { alertname: 'McpServerDown' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: fingerprints.map((fingerprint) => ({
      status,
      labels: {
        alertname: 'McpServerDown',
        service: 'mcp-server',
        severity: 'critical',
        ...overrides.labels,
      },
      annotations: { summary: `MCP server down (${++alertCounter})` },
      startsAt: new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint,
    })),
  };
}

/** True when the server itself knows the workflow (a describe, not a visibility query). */
export async function workflowExists(
  temporal: TestWorkflowEnvironment,
  workflowId: string,
): Promise<boolean> {
  try {
    await temporal.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

/**
 * A visibility count once it has settled: visibility lags the last start by up to a second, so
 * a count read right after the last request can be short. Polls until the count reaches
 * `expected` and then reads it again after a pause, so an extra workflow arriving late is still
 * seen; gives up after `ms` and returns the last count (the caller's assertion then fails).
 */
export async function settledCount(
  temporal: TestWorkflowEnvironment,
  query: string | undefined,
  expected: number,
  ms = 15_000,
): Promise<number> {
  const read = async () => (await temporal.client.workflow.count(query)).count;
  const deadline = Date.now() + ms;
  let count = await read();
  while (count < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    count = await read();
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return read();
}

/** Polls until `check` passes or `ms` elapse (visibility and workflow tasks are asynchronous). */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
