/**
 * Soak of open incidents (not a test): how the worker, the server, the timers and the read paths
 * (`incident list`, `incident status`, GET /incidents) hold up as the number of open, idle
 * incidents grows 100 → 1,000 → 10,000.
 *
 *   npx tsx bench/open-incidents-soak.ts [--counts 100,1000,10000] [--due 500] [--due-after 60s]
 *                                        [--concurrency 16] [--batch 500] [--samples 10]
 *                                        [--backends dev,cluster] [--api-port N]
 *                                        [--worker-node-args="--cpu-prof --cpu-prof-dir=DIR"]
 *
 * On each backend (bench/backends.ts) the worker and the API run as separate processes, as
 * `npm start` runs them, with an engine config this script writes: SEV-4 incidents are not due for
 * 30 days, SEV-3 incidents are due `--due-after` after they open, and an escalation waits 30 days
 * for the next one. The bench then opens incidents straight through a Temporal client
 * (signal-with-start, as src/use-cases/open-incident.ts does) in batches, waiting after each batch
 * until every incident has reached its acknowledgement wait (its first timer started), up to each
 * step of --counts (SEV-4), plus a share of --due SEV-3 incidents per step whose acknowledgement
 * timers fire during the step. At each step it reports: worker, API and server RSS
 * (/proc/<pid>/status), memory per open incident, open → waiting latency, timer lateness (TimerFired
 * time − TimerStarted time − startToFireTimeout, from the due incidents' histories), the worker's
 * workflow cache (size, hits, misses, replay time, from its Prometheus endpoint) and the latency of
 * `incident list` / `incident status <id>` (the real CLI, a fresh process each) and of GET
 * /incidents and GET /incidents/:id. Markdown to stdout, JSON to .data/bench/open-incidents-soak-*.
 *
 * WORKER_MAX_CACHED_WORKFLOWS (and any other worker variable) is passed through to the worker.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { openIncident } from '../src/use-cases/open-incident';
import { incidentInputSchema, incidentWorkflowId } from '../src/contracts/incident';
import { parseDuration } from '../src/contracts/duration';
import { listIncidents, listFiltersSchema } from '../src/use-cases/list';
import { freePort } from '../test/helpers/processes';
import { ms, pool, startChild, stats, type LatencyStats } from './alert-ingest-stats';
import { type Backend, openBackend, parseBackends, writeSummary } from './backends';
// @ts-expect-error plain JavaScript without declarations (bin/ runs before any TypeScript tooling)
import { compiledEntry as untypedCompiledEntry } from '../bin/compiled-entry.js';
import { descendants, rssMb, scrapeMetrics, timed, timedNode, waitTimer } from './soak-probes';

const { values: args } = parseArgs({
  options: {
    counts: { type: 'string', default: '100,1000,10000' },
    due: { type: 'string', default: '500' },
    'due-after': { type: 'string', default: '60s' },
    concurrency: { type: 'string', default: '16' },
    batch: { type: 'string', default: '500' },
    samples: { type: 'string', default: '10' },
    backends: { type: 'string', default: 'dev' },
    'api-port': { type: 'string' },
    /** Node flags for the worker alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its CPU goes. */
    'worker-node-args': { type: 'string' },
  },
});
const compiledEntry = untypedCompiledEntry as (path: string) => string | undefined;
const COUNTS = args.counts.split(',').map(Number);
const DUE = Number(args.due);
const DUE_AFTER_MS = parseDuration(args['due-after']);
if (!DUE_AFTER_MS) throw new Error(`--due-after: not a duration: ${args['due-after']}`);
const CONCURRENCY = Number(args.concurrency);
const BATCH = Number(args.batch);
const SAMPLES = Number(args.samples);
const TOKEN = 'bench-token-0123456789abcdef';

const dir = await mkdtemp(join(tmpdir(), 'soak-bench-'));
const configPath = join(dir, 'incident.config.json');
await writeFile(
  configPath,
  JSON.stringify({
    incidentsDir: join(dir, 'incidents'),
    policy: {
      // SEV-4: idle for the whole run. SEV-3: the acknowledgement deadline falls due during it.
      ackDeadlines: { 'SEV-4': '30 days', 'SEV-3': DUE_AFTER_MS },
      // One timer per due incident: after the escalation the next one is a month away.
      escalationInterval: '30 days',
    },
  }),
);
const out = (line: string) => console.log(line);
const t0 = Date.now();
/** Progress on stderr, with seconds since the start, so a long run shows where it is. */
const progress = (line: string) =>
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Step {
  /** Open SEV-4 (idle) incidents at this step. */
  idle: number;
  /** Open SEV-3 incidents whose deadline fell due (this step's and earlier steps'). */
  due: number;
  open: number;
  loadAverage: string;
  openSeconds: number;
  opensPerSecond: number;
  /** Open call → the incident's first timer started (its acknowledgement wait). */
  toWait: LatencyStats;
  rssMb: { worker: number; api: number; server: number; serverProcesses: string[] };
  /** (worker RSS − its RSS before any incident) / open incidents. */
  workerMbPerOpen: number;
  serverMbPerOpen: number;
  timerLateness: LatencyStats & { unfired: number };
  cache: Record<string, number>;
  cliHelp: LatencyStats;
  cliList: LatencyStats;
  cliStatus: LatencyStats;
  apiList: LatencyStats;
  apiListOpen: LatencyStats;
  apiStatus: LatencyStats;
  clientList: LatencyStats;
}

interface Summary {
  bench: 'open-incidents-soak';
  backend: string;
  address: string;
  startedAt: string;
  settings: typeof args;
  workerMaxCachedWorkflows: string;
  baseline: { worker: number; api: number; server: number; loadAverage: string };
  steps: Step[];
}

async function runOn(backend: Backend): Promise<Summary> {
  const client: Client = backend.env.client;
  // A server that outlives the run keeps earlier runs' incidents: IDs carry a run tag and the task
  // queue is this run's own.
  const tag = `r${Date.now().toString(36)}`;
  const taskQueue = `bench-soak-${tag}`;
  const apiPort = args['api-port'] ? Number(args['api-port']) : await freePort();
  const metricsPort = await freePort();
  const childEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: backend.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    INCIDENT_CONFIG: configPath,
    API_PORT: String(apiPort),
    API_TOKEN: TOKEN,
    WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    API_METRICS_ADDRESS: 'off',
  };
  const worker = startChild(
    'src/worker/main.ts',
    /polling task queue/,
    childEnv,
    args['worker-node-args']?.split(' ').filter(Boolean),
  );
  const api = startChild('src/api/main.ts', /listening on http/, childEnv);
  // A child that dies mid-run would show up only as refused connections: say which and how.
  for (const [name, started] of [
    ['worker', worker],
    ['API', api],
  ] as const)
    started.child.once('exit', (code, signal) => progress(`${name} exited (code ${code}, signal ${signal})`));
  try {
    await Promise.all([worker.ready, api.ready]);
    const engine = {
      worker: worker.child.pid!,
      api: api.child.pid!,
      metrics: `http://127.0.0.1:${metricsPort}/metrics`,
    };
    return await measure(backend, client, tag, taskQueue, `http://127.0.0.1:${apiPort}`, childEnv, engine);
  } finally {
    // The API waits for idle keep-alive connections on SIGTERM; after 15 s it is killed.
    for (const child of [api.child, worker.child]) child.kill('SIGTERM');
    const killLater = setTimeout(() => {
      for (const child of [api.child, worker.child]) if (child.exitCode === null) child.kill('SIGKILL');
    }, 15_000);
    await Promise.all([api.exited, worker.exited]);
    clearTimeout(killLater);
    if (backend.external) await terminateRun(client, tag);
  }
}

/**
 * On a server that outlives the run, this run's incidents would wait for their acknowledgement
 * for a month: one batch termination (the server's own batch operation), with a loop as fallback.
 */
async function terminateRun(client: Client, tag: string): Promise<void> {
  const query = `WorkflowId STARTS_WITH 'incident-soak-${tag}' AND ExecutionStatus = 'Running'`;
  const jobId = `soak-terminate-${tag}`;
  try {
    await client.workflowService.startBatchOperation({
      namespace: client.options.namespace,
      jobId,
      reason: 'benchmark finished',
      visibilityQuery: query,
      terminationOperation: { identity: client.options.identity },
    });
    for (let attempt = 0; attempt < 600; attempt++) {
      if ((await client.workflow.count(query)).count === 0) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } catch (error) {
    out(`(batch termination failed: ${(error as Error).message}; terminating one by one)`);
    for await (const execution of client.workflow.list({ query }))
      await client.workflow
        .getHandle(execution.workflowId)
        .terminate('benchmark finished')
        .catch(() => undefined);
  }
  out(
    `(terminated the benchmark incidents of ${tag}: ${(await client.workflow.count(query)).count} still running)`,
  );
}

async function measure(
  backend: Backend,
  client: Client,
  tag: string,
  taskQueue: string,
  base: string,
  childEnv: NodeJS.ProcessEnv,
  engine: { worker: number; api: number; metrics: string },
): Promise<Summary> {
  const startedAt = new Date().toISOString();
  const serverRss = () => {
    const procs = descendants(process.pid, new Set([engine.worker, engine.api]));
    return {
      total: procs.reduce((sum, p) => sum + (rssMb(p.pid) || 0), 0),
      names: procs.map((p) => `${p.pid} ${p.command.slice(0, 80)}`),
    };
  };
  const baseline = {
    worker: rssMb(engine.worker),
    api: rssMb(engine.api),
    server: serverRss().total,
    loadAverage: load(),
  };
  out('');
  out(`### ${backend.name} (${backend.address}), ${startedAt}`);
  out('');
  // bin/incident.js runs dist/ when the build is fresh, else the sources through tsx (slower start).
  out(
    `CLI: ${compiledEntry('incident/main.js') ? 'compiled (dist/incident)' : 'sources through tsx (no fresh build)'}`,
  );
  out(
    `worker cache: WORKER_MAX_CACHED_WORKFLOWS=${process.env.WORKER_MAX_CACHED_WORKFLOWS ?? '(unset)'}; baseline RSS worker ${baseline.worker.toFixed(0)} MB, API ${baseline.api.toFixed(0)} MB, server ${baseline.server.toFixed(0)} MB; load ${baseline.loadAverage}`,
  );

  const idleIds: string[] = [];
  const dueIds: string[] = [];
  const steps: Step[] = [];
  const dueShare = (i: number) =>
    Math.floor((DUE * (i + 1)) / COUNTS.length) - Math.floor((DUE * i) / COUNTS.length);

  async function openBatch(severity: 'SEV-4' | 'SEV-3', n: number, into: string[], prefix: string) {
    const opened: { workflowId: string; at: number }[] = [];
    await pool(n, CONCURRENCY, async () => {
      const fingerprint = `soak-${tag}-${prefix}${into.length}`;
      const workflowId = incidentWorkflowId(fingerprint);
      into.push(workflowId);
      const incident = incidentInputSchema.parse({
        severity,
        services: ['widgets'],
        summary: `soak ${prefix}`,
        source: 'monitoring-alert',
        fingerprint,
      });
      const at = Date.now();
      await openIncident(
        client,
        incident,
        {
          fingerprint,
          status: 'firing',
          receivedAt: new Date(at).toISOString(),
          summary: 'soak',
          source: 'monitoring-alert',
        },
        { taskQueue },
      );
      opened.push({ workflowId, at });
    });
    return opened;
  }

  /** Waits until each incident's first timer has started; returns open → waiting per incident. */
  async function untilWaiting(opened: { workflowId: string; at: number }[]): Promise<number[]> {
    const toWait: number[] = [];
    let pending = opened;
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 1_000));
      const still: typeof pending = [];
      await pool(pending.length, 16, async (i) => {
        const item = pending[i]!;
        const timer = await waitTimer(client, item.workflowId).catch(() => undefined);
        if (timer) toWait.push(timer.startedAt - item.at);
        else still.push(item);
      });
      if (round > 0 && round % 30 === 0)
        out(`  (${still.length} incidents not yet waiting after ${round} s)`);
      if (round > 600) throw new Error(`${still.length} incidents never reached their wait`);
      pending = still;
    }
    return toWait;
  }

  async function samples(n: number, call: (i: number) => Promise<number>): Promise<LatencyStats> {
    const values: number[] = [];
    for (let i = 0; i < n; i++) values.push(await call(i));
    return stats(values);
  }

  const auth = { authorization: `Bearer ${TOKEN}` };
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: auth });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status}`);
  };

  out('');
  out(
    '| open (idle + due) | load avg | opened/s | open → waiting p50 / p99 | worker RSS | MB / open (worker) | server RSS | API RSS | timer lateness p50 / p99 / max | cache size / misses | `list` CLI p50 / p99 | `status` CLI p50 / p99 | GET /incidents p50 / p99 | GET /incidents/:id p50 / p99 |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [i, count] of COUNTS.entries()) {
    // 1. Idle SEV-4 incidents up to this step's count, in batches, each batch waited for.
    const s0 = performance.now();
    const toWait: number[] = [];
    while (idleIds.length < count) {
      const opened = await openBatch('SEV-4', Math.min(BATCH, count - idleIds.length), idleIds, 'idle');
      toWait.push(...(await untilWaiting(opened)));
      progress(`${idleIds.length} open; worker RSS ${rssMb(engine.worker).toFixed(0)} MB`);
    }
    const openSeconds = (performance.now() - s0) / 1000;
    progress(`${idleIds.length} idle incidents open and waiting (${openSeconds.toFixed(0)} s)`);
    const newIdle = count - (i === 0 ? 0 : COUNTS[i - 1]!);

    // 2. This step's due incidents: their acknowledgement timers fire DUE_AFTER after they open.
    const dueOpened = await openBatch('SEV-3', dueShare(i), dueIds, 'due');
    toWait.push(...(await untilWaiting(dueOpened)));
    const lastDue = Math.max(0, ...dueOpened.map((d) => d.at)) + DUE_AFTER_MS!;
    await new Promise((r) => setTimeout(r, Math.max(0, lastDue - Date.now()) + 5_000));
    const lateness: number[] = [];
    let unfired = dueOpened.map((d) => d.workflowId);
    for (let round = 0; round < 120 && unfired.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 1_000));
      const still: string[] = [];
      await pool(unfired.length, 16, async (k) => {
        const timer = await waitTimer(client, unfired[k]!).catch(() => undefined);
        if (timer?.firedAt === undefined) still.push(unfired[k]!);
        else lateness.push(timer.firedAt - timer.dueAt);
      });
      unfired = still;
    }

    progress(`${lateness.length} due timers fired, ${unfired.length} not`);
    // 3. Memory and cache once the step has settled.
    const server = serverRss();
    const rss = { worker: rssMb(engine.worker), api: rssMb(engine.api), server: server.total };
    const metrics = await scrapeMetrics(engine.metrics);
    const cache: Record<string, number> = {};
    for (const [name, value] of metrics)
      if (
        /sticky_cache|workflow_task_replay_latency_(sum|count)|workflow_task_execution_latency_(sum|count)|workflow_active_thread_count/.test(
          name,
        )
      )
        cache[name] = value;
    const open = idleIds.length + dueIds.length;

    // 4. Read paths: the real CLI (fresh process each time, as an operator runs it), the API, and
    // the list call alone from this already-connected client (what is left without the CLI start).
    const cli = ['bin/incident.js'];
    const cliHelp = await samples(SAMPLES, () => timedNode([...cli, '--help'], childEnv));
    const cliList = await samples(SAMPLES, () => timedNode([...cli, 'list'], childEnv));
    const pick = (k: number) =>
      (k % 2 === 0 ? idleIds : dueIds)[
        Math.floor(Math.random() * (k % 2 === 0 ? idleIds.length : dueIds.length))
      ]!;
    const cliStatus = await samples(SAMPLES, (k) => timedNode([...cli, 'status', pick(k)], childEnv));
    const apiList = await samples(SAMPLES, () => timed(() => get('/incidents')));
    const apiListOpen = await samples(SAMPLES, () => timed(() => get('/incidents?status=open&limit=50')));
    const apiStatus = await samples(SAMPLES, (k) => timed(() => get(`/incidents/${pick(k)}`)));
    const clientList = await samples(SAMPLES, () =>
      timed(() => listIncidents(client, listFiltersSchema.parse({}))),
    );

    progress('read paths sampled');
    const step: Step = {
      idle: idleIds.length,
      due: dueIds.length,
      open,
      loadAverage: load(),
      openSeconds,
      opensPerSecond: newIdle / openSeconds,
      toWait: stats(toWait),
      rssMb: { ...rss, serverProcesses: server.names },
      workerMbPerOpen: (rss.worker - baseline.worker) / open,
      serverMbPerOpen: (rss.server - baseline.server) / open,
      timerLateness: { ...stats(lateness), unfired: unfired.length },
      cache,
      cliHelp,
      cliList,
      cliStatus,
      apiList,
      apiListOpen,
      apiStatus,
      clientList,
    };
    steps.push(step);
    const missKey = [...metrics.keys()].find((k) => /sticky_cache_miss/.test(k));
    const sizeKey = [...metrics.keys()].find((k) => /sticky_cache_size/.test(k));
    const pair = (s: LatencyStats) => `${s.p50.toFixed(0)} / ${s.p99.toFixed(0)} ms`;
    out(
      `| ${open} (${step.idle} + ${step.due}) | ${step.loadAverage} | ${step.opensPerSecond.toFixed(0)} | ${pair(step.toWait)} | ${rss.worker.toFixed(0)} MB | ${step.workerMbPerOpen.toFixed(3)} | ${rss.server.toFixed(0)} MB | ${rss.api.toFixed(0)} MB | ${ms(step.timerLateness.p50)} / ${ms(step.timerLateness.p99)} / ${ms(step.timerLateness.max)}${unfired.length ? ` (${unfired.length} unfired)` : ''} | ${sizeKey ? metrics.get(sizeKey) : '?'} / ${missKey ? metrics.get(missKey) : '?'} | ${pair(cliList)} | ${pair(cliStatus)} | ${pair(apiList)} | ${pair(apiStatus)} |`,
    );
  }
  out('');
  for (const step of steps)
    out(
      `at ${step.open} open: CLI --help p50 ${ms(step.cliHelp.p50)}; list from a connected client p50 ${ms(step.clientList.p50)} p99 ${ms(step.clientList.p99)}; GET /incidents?status=open p50 ${ms(step.apiListOpen.p50)}; server processes: ${step.rssMb.serverProcesses.length}; cache ${JSON.stringify(step.cache)}`,
    );
  return {
    bench: 'open-incidents-soak',
    backend: backend.name,
    address: backend.address,
    startedAt,
    settings: args,
    workerMaxCachedWorkflows: process.env.WORKER_MAX_CACHED_WORKFLOWS ?? '(unset)',
    baseline,
    steps,
  };
}

try {
  for (const spec of parseBackends(args.backends)) {
    const backend = await openBackend(spec, dir);
    try {
      const summary = await runOn(backend);
      out(`summary: ${await writeSummary('open-incidents-soak', backend.name, summary)}`);
    } finally {
      await backend.close();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
