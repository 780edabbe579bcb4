import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities';
import { parseEngineConfig } from '../../src/config/engine-config';
import type { PolicyDraft } from '../../src/contracts/policy';
import type { IncidentInputDraft } from '../../src/contracts/incident';
import { type IncidentStatus, statusQuery } from '../../src/contracts/messages';
import { SA, SEARCH_ATTRIBUTE_DECLARATIONS } from '../../src/contracts/search-attributes';
import { INDEXED_VALUE_TYPES } from '../../src/temporal/search-attributes';
import { testDeps } from './temporal';

/** Activity dependencies whose config carries `policy` (the worker hands it to each incident). */
export function lifecycleDeps(
  dir: string,
  lines: string[],
  policy: PolicyDraft,
  overrides: Partial<ActivityDeps> = {},
): ActivityDeps {
  return testDeps(dir, lines, {
    config: parseEngineConfig({ incidentsDir: join(dir, 'incidents'), policy }, 'test config'),
    ...overrides,
  });
}

export function incidentInput(overrides: Partial<IncidentInputDraft> = {}): IncidentInputDraft {
  return {
    severity: 'SEV-3',
    services: ['mcp-server'],
    scenario: 'mcp-server-fails-to-start',
    summary: 'MCP server fails to start after deploy',
    source: 'monitoring-alert',
    labels: [],
    fingerprint: 'fp-default',
    ...overrides,
  };
}

/**
 * Waits until the incident's `IncidentApprovalSince` search attribute (as the server holds it)
 * is `since` (an ISO time), or absent when `since` is undefined.
 */
export async function waitForApprovalAttribute(
  handle: WorkflowHandle,
  since: string | undefined,
  timeoutMs = 20_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: Date | undefined;
  while (Date.now() < until) {
    last = (await handle.describe()).typedSearchAttributes.get(SA.approvalSince);
    if (last?.toISOString() === since) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `IncidentApprovalSince is ${last?.toISOString() ?? 'absent'}, expected ${since ?? 'absent'}`,
  );
}

/** Polls the status query until `predicate` holds; fails with the last status when it never does. */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (status: IncidentStatus) => boolean,
  timeoutMs = 20_000,
): Promise<IncidentStatus> {
  const until = Date.now() + timeoutMs;
  let last: IncidentStatus | undefined;
  while (Date.now() < until) {
    last = await handle.query(statusQuery);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `status never matched; last: stage ${last?.stage}, timeline:\n${last?.timeline.map((e) => `${e.at} ${e.stage} ${e.kind} ${e.message}`).join('\n')}`,
  );
}

/** A local HTTP health endpoint whose answer the test switches between healthy and failing. */
export async function startHealthEndpoint(): Promise<{
  url: string;
  setHealthy: (healthy: boolean) => void;
  hits: () => number;
  close: () => Promise<void>;
}> {
  let healthy = true;
  let count = 0;
  const server: Server = createServer((_req, res) => {
    count++;
    res.statusCode = healthy ? 200 : 503;
    res.end(healthy ? 'ok' : 'down');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/health`,
    setHealthy: (value) => {
      healthy = value;
    },
    hits: () => count,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const kinds = (status: IncidentStatus, kind: string) => status.timeline.filter((e) => e.kind === kind);

/**
 * The time-skipping test server starts without this project's search attributes; the incident
 * workflow upserts them on every transition, so register them.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTE_DECLARATIONS).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]]),
    ),
  });
}
