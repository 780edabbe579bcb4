/**
 * Alert-ingest benchmark (not a test): throughput and latency of POST /webhooks/alertmanager at
 * rising concurrency, an alert storm (N alerts over K fingerprints must open exactly K incidents
 * and record all N alerts), and the time from the request to the incident's first steps.
 *
 *   npx tsx bench/alert-ingest.ts [--levels 1,8,32,64] [--requests 600] [--storm 3000] [--keys 100]
 *                                 [--triage 40] [--memory]
 *
 * Starts its own dev server (SQLite file in a temp folder, like `npm start`; --memory for the
 * in-memory store), and the worker and the API as separate processes (src/worker/main.ts,
 * src/api/main.ts) as `npm start` does; this process only generates load and reads histories.
 * Results go to stdout as markdown (copy into docs/benchmarks.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openIncident } from '../src/use-cases/open-incident';
import { incidentInputSchema } from '../src/contracts/incident';
import { requireBinary } from '../src/temporal/binaries';
import { SA } from '../src/contracts/search-attributes';
import { freePort } from '../test/helpers/processes';
import { historyFacts, ms, pool, startChild, stats } from './alert-ingest-stats';

const { values: args } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,8,32,64' },
    requests: { type: 'string', default: '600' },
    storm: { type: 'string', default: '3000' },
    keys: { type: 'string', default: '100' },
    triage: { type: 'string', default: '40' },
    memory: { type: 'boolean', default: false },
  },
});
const TOKEN = 'bench-token-0123456789abcdef';
const dir = await mkdtemp(join(tmpdir(), 'alert-bench-'));
const temporal = await TestWorkflowEnvironment.createLocal({
  server: {
    executable: { type: 'existing-path', path: requireBinary('cli') },
    ip: '127.0.0.1',
    ui: false,
    searchAttributes: Object.values(SA),
    log: { format: 'pretty', level: 'error' },
    ...(args.memory ? {} : { dbFilename: join(dir, 'temporal.db') }),
  },
});
const taskQueue = 'bench-alert-ingest';
const configPath = join(dir, 'incident.config.json');
await writeFile(configPath, JSON.stringify({ incidentsDir: join(dir, 'incidents') }));
const apiPort = await freePort();
// Worker and API run as separate processes, as in production (`npm start`): sharing one event
// loop with the load generator would measure the generator, not the engine.
const childEnv = {
  ...process.env,
  TEMPORAL_ADDRESS: temporal.address,
  TEMPORAL_TASK_QUEUE: taskQueue,
  INCIDENT_CONFIG: configPath,
  API_PORT: String(apiPort),
  API_TOKEN: TOKEN,
};
const worker = startChild('src/worker/main.ts', /polling task queue/, childEnv);
const api = startChild('src/api/main.ts', /listening on http/, childEnv);
await Promise.all([worker.ready, api.ready]);
const base = `http://127.0.0.1:${apiPort}`;

function payload(fingerprint: string, severity = 'warning') {
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'incident-engine',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'WidgetErrors', service: 'widgets', severity },
        annotations: { summary: 'widget error rate above 5%' },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint,
      },
    ],
  });
}

interface Sent {
  latency: number;
  startedAt: number;
  workflowId: string;
  deduplicated: boolean;
}

async function post(fingerprint: string): Promise<Sent> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const response = await fetch(`${base}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: payload(fingerprint),
  });
  const body = (await response.json()) as { incidents: { workflowId: string; deduplicated: boolean }[] };
  const latency = performance.now() - t0;
  if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body)}`);
  return {
    latency,
    startedAt,
    workflowId: body.incidents[0]!.workflowId,
    deduplicated: body.incidents[0]!.deduplicated,
  };
}

const lines: string[] = [];
const out = (line: string) => {
  lines.push(line);
  console.log(line);
};

// 1. Throughput at rising concurrency. Each level uses its own fingerprints, 10 alerts per
// fingerprint, so a tenth of the requests open an incident and the rest deduplicate.
const requests = Number(args.requests);
out(`| concurrency | requests | alerts/s | p50 | p90 | p99 | max | opened |`);
out(`|---|---|---|---|---|---|---|---|`);
for (const level of args.levels.split(',').map(Number)) {
  const latencies: number[] = [];
  let opened = 0;
  const t0 = performance.now();
  await pool(requests, level, async (i) => {
    const sent = await post(`c${level}x${i % Math.max(1, requests / 10)}`);
    latencies.push(sent.latency);
    if (!sent.deduplicated) opened++;
  });
  const seconds = (performance.now() - t0) / 1000;
  const s = stats(latencies);
  out(
    `| ${level} | ${requests} | ${(requests / seconds).toFixed(0)} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ${opened} |`,
  );
}

// 2. Where the time goes: the same signal-with-start straight from a client, without HTTP.
const direct: number[] = [];
const incident = incidentInputSchema.parse({
  severity: 'SEV-3',
  services: ['widgets'],
  summary: 'direct',
  source: 'monitoring-alert',
  fingerprint: 'am-direct',
});
const d0 = performance.now();
await pool(requests, 32, async (i) => {
  const t = performance.now();
  const fingerprint = `am-direct${i % (requests / 10)}`;
  await openIncident(
    temporal.client,
    { ...incident, fingerprint },
    {
      fingerprint,
      status: 'firing',
      receivedAt: new Date().toISOString(),
      summary: 'direct',
      source: 'monitoring-alert',
    },
    { taskQueue },
  );
  direct.push(performance.now() - t);
});
const ds = stats(direct);
out('');
out(
  `direct signal-with-start (no HTTP, concurrency 32): ${(requests / ((performance.now() - d0) / 1000)).toFixed(0)}/s, p50 ${ms(ds.p50)}, p99 ${ms(ds.p99)}`,
);

// 3. Alert storm: N alerts over K fingerprints at concurrency 64.
const N = Number(args.storm);
const K = Number(args.keys);
const storm: Sent[] = [];
const s0 = performance.now();
let failures = 0;
await pool(N, 64, async (i) => {
  try {
    storm.push(await post(`storm${i % K}`));
  } catch {
    failures++;
  }
});
const stormSeconds = (performance.now() - s0) / 1000;
const ss = stats(storm.map((s) => s.latency));
const ids = new Set(storm.map((s) => s.workflowId));
const openedFlags = storm.filter((s) => !s.deduplicated).length;
// Signals that arrive during a workflow task are buffered until it completes: wait for all.
let recorded = 0;
for (let attempt = 0; attempt < 60; attempt++) {
  recorded = 0;
  for (const id of ids) recorded += (await historyFacts(temporal.client, id)).signals;
  if (recorded >= N) break;
  await new Promise((r) => setTimeout(r, 1_000));
}
let listed = 0;
for (let attempt = 0; attempt < 30; attempt++) {
  listed = (await temporal.client.workflow.count(`WorkflowId STARTS_WITH 'incident-am-storm'`)).count;
  if (listed >= K) break;
  await new Promise((r) => setTimeout(r, 500));
}
out('');
out(
  `storm: ${N} alerts over ${K} fingerprints in ${stormSeconds.toFixed(2)} s = ${(N / stormSeconds).toFixed(0)} alerts/s, p50 ${ms(ss.p50)}, p99 ${ms(ss.p99)}, max ${ms(ss.max)}`,
);
out(
  `storm check: ${failures} failed requests; ${ids.size} distinct incidents in answers, ${listed} in visibility, ${openedFlags} answers said "opened" (want ${K}); ${recorded} of ${N} alerts recorded as signals`,
);

// 4. Request → first steps. For the storm's incidents: request → first activity of the workflow
// (the engine has picked the incident up). Then, for fresh incidents acknowledged at once:
// request → triage's first step (snapshotRepository) starting. Triage waits for the guide's
// acknowledgement, so this includes the ack round trip.
const firstRequest = new Map<string, number>();
for (const s of storm)
  if (!firstRequest.has(s.workflowId) || s.startedAt < firstRequest.get(s.workflowId)!)
    firstRequest.set(s.workflowId, s.startedAt);
const pickup: number[] = [];
for (const [id, at] of firstRequest) {
  // The worker may still be working through the storm's backlog: wait up to a minute per incident.
  for (let attempt = 0; attempt < 120; attempt++) {
    const starts = [...(await historyFacts(temporal.client, id)).firstActivityStart.values()];
    if (starts.length > 0) {
      pickup.push(Math.min(...starts) - at);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
const ps = stats(pickup);
out(
  `request → first workflow step started (storm incidents): p50 ${ms(ps.p50)}, p99 ${ms(ps.p99)}, max ${ms(ps.max)}`,
);

const triageCount = Number(args.triage);
const triage: number[] = [];
await pool(triageCount, 8, async (i) => {
  const sent = await post(`triage${i}`);
  const ack = await fetch(`${base}/incidents/${sent.workflowId}/ack`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ by: '@bench' }),
  });
  if (ack.status !== 200) throw new Error(`ack ${ack.status}: ${await ack.text()}`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const started = (await historyFacts(temporal.client, sent.workflowId)).firstActivityStart.get(
      'snapshotRepository',
    );
    if (started) {
      triage.push(started - sent.startedAt);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
});
const ts = stats(triage);
out(
  `request → triage's first step started (ack sent on the 202, ${ts.count} incidents): p50 ${ms(ts.p50)}, p99 ${ms(ts.p99)}, max ${ms(ts.max)}`,
);

api.child.kill('SIGTERM');
worker.child.kill('SIGTERM');
await Promise.all([api.exited, worker.exited]);
await temporal.teardown();
await rm(dir, { recursive: true, force: true });
