/**
 * Alert-ingest benchmark (not a test): throughput and latency of POST /webhooks/alertmanager at
 * rising concurrency, an alert storm (N alerts over K fingerprints must open exactly K incidents
 * and record all N alerts), and the time from the request to the incident's first steps.
 *
 *   npx tsx bench/alert-ingest.ts [--levels 1,8,32,64] [--requests 600] [--storm 3000] [--keys 100,1000]
 *                                 [--triage 40] [--triage-concurrency 1] [--storm-concurrency 64] [--memory] [--backends dev,cluster]
 *                                 [--api-port N] [--storm-order interleaved|grouped|both]
 *                                 [--worker-node-args="--cpu-prof --cpu-prof-dir=DIR"]
 *
 * --storm-order: `interleaved` sends request i to fingerprint i % K (round-robin: concurrent
 * requests hit distinct incidents, the worst case for coalescing); `grouped` sends each
 * fingerprint's alerts back to back (request i to fingerprint floor(i / (N/K))), as Alertmanager's
 * repeat notifications, a flapping alert or many instances of one alert arrive; `both` (default)
 * runs each --keys value in both orders, one after the other.
 *
 * Every phase (each concurrency level, direct, bare client, distinct keys, each storm's send and
 * drain, triage) is accounted in CPU per process from /proc (bench/cpu-accounting.ts): Temporal
 * server, worker, API and this process, as CPU seconds, cores used and CPU ms per alert, beside
 * the machine's busy cores: who spends the two cores while a goal is not met.
 *
 * --keys takes a list: one storm per fingerprint count. In the same run, the bare-client ceiling:
 * `--requests` signal-with-starts from a Temporal client with distinct workflow IDs, one alert per
 * call, at the storm's concurrency, against the same server and task queue, and the same number
 * of one-alert requests with distinct fingerprints through the API. The summary holds the two
 * ratios of issue 15: storm alerts/s through the API ÷ bare client, and distinct keys API ÷ bare.
 *
 * Each backend in --backends (default `dev`, or `dev-memory` with --memory; see bench/backends.ts)
 * runs the whole benchmark in turn: a dev server this process starts (SQLite file in a temp
 * folder, like `npm start`), or a running server such as `npm run cluster`'s frontend. The worker
 * and the API run as separate processes (src/worker/main.ts, src/api/main.ts) as `npm start` does,
 * on the API port given (or a free one); this process only generates load and reads histories.
 * Results go to stdout as markdown (copy into docs/benchmarks.md) and, per backend, as JSON to
 * .data/bench/alert-ingest-<backend>-<time>.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { openIncident } from '../src/use-cases/open-incident';
import {
  type AlertInput,
  alertSignal,
  INCIDENT_WORKFLOW_TYPE,
  type IncidentWorkflowInput,
} from '../src/contracts/messages';
import { incidentInputSchema } from '../src/contracts/incident';
import { statusQuery } from '../src/contracts/messages';
import { freePort } from '../test/helpers/processes';
import {
  historyFacts,
  historyTimeline,
  ms,
  pool,
  startChild,
  stats,
  type LatencyStats,
} from './alert-ingest-stats';
import { type Backend, openBackend, parseBackends, writeSummary } from './backends';
import { type PartsSummary, partsLines, summarizeParts, triageParts } from './triage-parts';
import { CpuPressure } from './cpu-pressure';
import { CpuMeter, cpuLine, cpuTable, type PhaseCpu } from './cpu-accounting';

const { values: args } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,8,32,64' },
    requests: { type: 'string', default: '600' },
    storm: { type: 'string', default: '3000' },
    keys: { type: 'string', default: '100,1000' },
    'storm-concurrency': { type: 'string', default: '64' },
    triage: { type: 'string', default: '40' },
    'triage-concurrency': { type: 'string', default: '1' },
    /** Node flags for the worker alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its CPU goes. */
    'worker-node-args': { type: 'string' },
    memory: { type: 'boolean', default: false },
    backends: { type: 'string' },
    'api-port': { type: 'string' },
    'storm-order': { type: 'string', default: 'both' },
  },
});
type StormOrder = 'interleaved' | 'grouped';
const STORM_ORDERS: StormOrder[] =
  args['storm-order'] === 'both'
    ? ['interleaved', 'grouped']
    : args['storm-order'] === 'interleaved' || args['storm-order'] === 'grouped'
      ? [args['storm-order']]
      : (() => {
          throw new Error(`--storm-order: interleaved, grouped or both, not ${args['storm-order']}`);
        })();
const TOKEN = 'bench-token-0123456789abcdef';
const dir = await mkdtemp(join(tmpdir(), 'alert-bench-'));
const configPath = join(dir, 'incident.config.json');
await writeFile(configPath, JSON.stringify({ incidentsDir: join(dir, 'incidents') }));
const fixedApiPort = args['api-port'] ? Number(args['api-port']) : undefined;

/** What one backend's run measured; written as JSON beside the markdown on stdout. */
interface Summary {
  bench: 'alert-ingest';
  backend: string;
  address: string;
  startedAt: string;
  settings: typeof args;
  levels: ({
    concurrency: number;
    requests: number;
    alertsPerSecond: number;
    opened: number;
  } & LatencyStats)[];
  direct: { perSecond: number } & LatencyStats;
  /** The same concurrency as the storm; `--requests` calls each, distinct workflow IDs. */
  bare: { perSecond: number; failed: number } & LatencyStats;
  distinctApi: { perSecond: number; failed: number } & LatencyStats;
  /** API one alert per request, distinct keys ÷ bare client (goal ≥ 0.9). */
  distinctRatio: number;
  storms: ({
    order: StormOrder;
    alerts: number;
    keys: number;
    seconds: number;
    alertsPerSecond: number;
    failed: number;
    incidentsInAnswers: number;
    incidentsListed: number;
    openedAnswers: number;
    alertsRecorded: number;
    /** `alert` signal events that carried them: alerts ÷ signals is how much the API coalesced. */
    alertSignals: number;
    /** Storm alerts/s through the API ÷ bare client's signal-with-starts/s (goal ≥ 3). */
    ratioToBare: number;
    pickup: LatencyStats;
  } & LatencyStats)[];
  triage: LatencyStats;
  /**
   * Each triage incident in the order sent: ms since the first one's request, and its latency. A
   * tail that comes at a fixed period (the worker's gauge interval, say) shows here.
   */
  triageSamples: { at: number; latency: number }[];
  triageParts: PartsSummary;
  /** CPU per process per phase (bench/cpu-accounting.ts), and which processes the server covers. */
  cpu: { serverNote: string; cpus: number; phases: PhaseCpu[] };
}

/**
 * Requests in flight during the storms and the bare-client / distinct-key runs. Coalescing only
 * gathers alerts for a key while a call for it is in flight: at 64 over 100 keys sent round-robin
 * each key has about one request in flight at a time; above the key count several share a call.
 */
const STORM_CONCURRENCY = Number(args['storm-concurrency']);

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

const out = (line: string) => console.log(line);

async function runOn(backend: Backend): Promise<Summary> {
  const client: Client = backend.env.client;
  // A server that outlives the run keeps earlier runs' incidents: fingerprints carry a run tag so
  // this run's alerts never deduplicate into them, and the task queue is this run's own.
  const tag = `r${Date.now().toString(36)}`;
  const taskQueue = `bench-alert-ingest-${tag}`;
  const apiPort = fixedApiPort ?? (await freePort());
  // Worker and API run as separate processes, as in production (`npm start`): sharing one event
  // loop with the load generator would measure the generator, not the engine.
  const childEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: backend.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    INCIDENT_CONFIG: configPath,
    API_PORT: String(apiPort),
    API_TOKEN: TOKEN,
  };
  const worker = startChild(
    'src/worker/main.ts',
    /polling task queue/,
    childEnv,
    args['worker-node-args']?.split(' ').filter(Boolean),
  );
  const api = startChild('src/api/main.ts', /listening on http/, childEnv);
  try {
    await Promise.all([worker.ready, api.ready]);
    // `node --import tsx` runs the entry in that process itself: its PID is the worker (or API).
    const meter = new CpuMeter(() => [
      ...(backend.serverProcesses?.() ?? []),
      { name: 'worker', group: 'worker', pid: worker.child.pid!, tree: true },
      { name: 'api', group: 'api', pid: api.child.pid!, tree: true },
      { name: 'bench', group: 'bench', pid: process.pid, tree: false },
    ]);
    // A worker or API that dies mid-run (seen: the worker, at about 2,000 open incidents) would
    // leave the pickup waits polling for a minute per incident: stop the run and say why, with the
    // CPU of the phases done so far.
    const cpu: PhaseCpu[] = [];
    const died = Promise.race(
      [worker, api].map(async (c, n) => {
        await c.exited;
        const name = n === 0 ? 'worker' : 'API';
        throw new Error(
          `the ${name} exited during the run (code ${c.child.exitCode}, signal ${c.child.signalCode}); its last output:\n${c.tail()}`,
        );
      }),
    );
    try {
      return await Promise.race([
        measure(backend, client, tag, taskQueue, `http://127.0.0.1:${apiPort}`, meter, cpu),
        died,
      ]);
    } catch (error) {
      out('');
      out(`(run stopped: CPU of the phases done so far; server processes counted: ${serverNoteOf(backend)})`);
      for (const line of cpuTable(cpu)) out(line);
      throw error;
    }
  } finally {
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    // Seen once: an API that never exited after SIGTERM held the run (and its summary) for minutes.
    const grace = setTimeout(() => {
      for (const { child } of [api, worker])
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 20_000);
    await Promise.all([api.exited, worker.exited]);
    clearTimeout(grace);
    if (backend.external) await terminateRun(client, tag);
  }
}

/** One incident's request → step latency, for {@link printTimeline}. */
interface Traced {
  workflowId: string;
  startedAt: number;
  latency: number;
  note?: string;
}

/**
 * Waits (up to 60 s) until the incident has nothing left to run: past triage (its diagnostics)
 * and waiting for a human in mitigation (the first option's rollback plan computed and shown), or
 * past mitigation. Leaving triage alone was not enough: the mitigation's first steps (the plan's
 * git commands, the approval request) then ran beside the next alert's first task.
 */
async function engineIdleAfter(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await handle.query(statusQuery);
    const waitsForHuman = status.pendingApproval !== undefined || status.pendingAction !== undefined;
    if (
      status.stage !== 'detection' &&
      status.stage !== 'triage' &&
      (status.stage !== 'mitigation' || waitsForHuman)
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} still running its first steps after 60 s`);
}

/** The history of the incident at quantile `q` of `traced` (0.5: the median) from its request on. */
async function printTimeline(
  client: Client,
  title: string,
  traced: Traced[],
  until: RegExp,
  q = 0.5,
): Promise<void> {
  const sorted = [...traced].sort((a, b) => a.latency - b.latency);
  const chosen = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  if (!chosen) return;
  out(
    `${title} (${chosen.workflowId}, ${chosen.latency.toFixed(0)} ms${chosen.note ? `; ${chosen.note}` : ''}):`,
  );
  out('```');
  for (const line of await historyTimeline(client, chosen.workflowId, chosen.startedAt, (l) => until.test(l)))
    out(line);
  out('```');
}

/** On a server that outlives the run, this run's incidents would wait for an ack forever. */
async function terminateRun(client: Client, tag: string): Promise<void> {
  let count = 0;
  for await (const execution of client.workflow.list({
    query: `WorkflowId STARTS_WITH 'incident-am-${tag}' AND ExecutionStatus = 'Running'`,
  })) {
    await client.workflow
      .getHandle(execution.workflowId)
      .terminate('benchmark finished')
      .catch(() => undefined);
    count++;
  }
  out(`(terminated ${count} benchmark incidents on ${tag})`);
}

async function measure(
  backend: Backend,
  client: Client,
  tag: string,
  taskQueue: string,
  base: string,
  meter: CpuMeter,
  cpu: PhaseCpu[],
): Promise<Summary> {
  /** Runs one phase between two CPU samples; `alerts` is what the per-alert figures divide by. */
  async function phase<T>(name: string, alerts: number, body: () => Promise<T>): Promise<T> {
    const before = meter.sample();
    const result = await body();
    const used = meter.phase(name, alerts, before, meter.sample());
    cpu.push(used);
    // As it goes, so a run cut short still shows where its time went.
    out(`(cpu ${cpuLine(used)})`);
    return result;
  }
  async function post(fingerprint: string): Promise<Sent> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const response = await fetch(`${base}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: payload(`${tag}-${fingerprint}`),
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
  const startedAt = new Date().toISOString();
  out('');
  out(`### ${backend.name} (${backend.address}), ${startedAt}`);
  out('');

  // 1. Throughput at rising concurrency. Each level uses its own fingerprints, 10 alerts per
  // fingerprint, so a tenth of the requests open an incident and the rest deduplicate.
  const requests = Number(args.requests);
  const levels: Summary['levels'] = [];
  out(`| concurrency | requests | alerts/s | p50 | p90 | p99 | max | opened |`);
  out(`|---|---|---|---|---|---|---|---|`);
  for (const level of args.levels.split(',').map(Number)) {
    const latencies: number[] = [];
    let opened = 0;
    const t0 = performance.now();
    await phase(`concurrency ${level}`, requests, () =>
      pool(requests, level, async (i) => {
        const sent = await post(`c${level}x${i % Math.max(1, requests / 10)}`);
        latencies.push(sent.latency);
        if (!sent.deduplicated) opened++;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const s = stats(latencies);
    levels.push({ concurrency: level, requests, alertsPerSecond: requests / seconds, opened, ...s });
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
    fingerprint: `am-${tag}-direct`,
  });
  const d0 = performance.now();
  await phase('direct SWS (32)', requests, () =>
    pool(requests, 32, async (i) => {
      const t = performance.now();
      const fingerprint = `am-${tag}-direct${i % (requests / 10)}`;
      await openIncident(
        client,
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
    }),
  );
  const directPerSecond = requests / ((performance.now() - d0) / 1000);
  const ds = stats(direct);
  out('');
  out(
    `direct signal-with-start (no HTTP, concurrency 32): ${directPerSecond.toFixed(0)}/s, p50 ${ms(ds.p50)}, p99 ${ms(ds.p99)}`,
  );

  // 3. The bare-client ceiling and the API on the same shape of load: one alert per call, every
  // call a distinct workflow ID (so nothing can coalesce), at the storm's concurrency. Both start
  // real incidents on this run's task queue, so the worker carries the same load behind each.
  const bareLatencies: number[] = [];
  let bareFailed = 0;
  const b0 = performance.now();
  await phase(`bare client (${STORM_CONCURRENCY})`, requests, () =>
    pool(requests, STORM_CONCURRENCY, async (i) => {
      const fingerprint = `am-${tag}-bare${i}`;
      const alert: AlertInput = {
        fingerprint,
        status: 'firing',
        receivedAt: new Date().toISOString(),
        summary: 'bare',
        source: 'monitoring-alert',
      };
      const input: IncidentWorkflowInput = {
        incident: { ...incident, fingerprint },
        openedByAlertSignal: true,
      };
      const t = performance.now();
      try {
        await client.workflow.signalWithStart(INCIDENT_WORKFLOW_TYPE, {
          workflowId: `incident-${fingerprint}`,
          taskQueue,
          args: [input],
          signal: alertSignal,
          signalArgs: [alert],
        });
        bareLatencies.push(performance.now() - t);
      } catch {
        bareFailed++;
      }
    }),
  );
  const barePerSecond = requests / ((performance.now() - b0) / 1000);
  const bs = stats(bareLatencies);
  const distinctLatencies: number[] = [];
  let distinctFailed = 0;
  const a0 = performance.now();
  await phase(`API distinct keys (${STORM_CONCURRENCY})`, requests, () =>
    pool(requests, STORM_CONCURRENCY, async (i) => {
      try {
        distinctLatencies.push((await post(`distinct${i}`)).latency);
      } catch {
        distinctFailed++;
      }
    }),
  );
  const distinctPerSecond = requests / ((performance.now() - a0) / 1000);
  const dis = stats(distinctLatencies);
  const distinctRatio = distinctPerSecond / barePerSecond;
  out(
    `bare client signal-with-start (distinct IDs, one alert per call, concurrency ${STORM_CONCURRENCY}): ${barePerSecond.toFixed(0)}/s, p50 ${ms(bs.p50)}, p99 ${ms(bs.p99)}, ${bareFailed} failed`,
  );
  out(
    `API, one alert per request, distinct keys (concurrency ${STORM_CONCURRENCY}): ${distinctPerSecond.toFixed(0)}/s, p50 ${ms(dis.p50)}, p99 ${ms(dis.p99)}, ${distinctFailed} failed; **API ÷ bare client = ${distinctRatio.toFixed(2)}** (goal ≥ 0.9)`,
  );

  // 4. Alert storms: N alerts over K fingerprints at the same concurrency, once per --keys value
  // and --storm-order. The fingerprint names the order and K, so no two storms share an incident.
  const N = Number(args.storm);
  const storms: Summary['storms'] = [];
  const stormRequests = new Map<string, number>();
  for (const K of args.keys.split(',').map(Number)) {
    for (const order of STORM_ORDERS) {
      const prefix = `storm-${order}-${K}x`;
      // interleaved: round-robin, concurrent requests on distinct incidents; grouped: each
      // fingerprint's alerts back to back, so the requests in flight share few incidents.
      const keyOf = (i: number) => (order === 'interleaved' ? i % K : Math.floor((i * K) / N));
      const storm: Sent[] = [];
      const s0 = performance.now();
      let failures = 0;
      await phase(`storm ${order} ${K} keys: send`, N, () =>
        pool(N, STORM_CONCURRENCY, async (i) => {
          try {
            storm.push(await post(`${prefix}${keyOf(i)}`));
          } catch {
            failures++;
          }
        }),
      );
      const stormSeconds = (performance.now() - s0) / 1000;
      // From the last answer until every incident took its first step: the worker's backlog (this
      // process reads histories meanwhile, which costs the server some CPU too).
      const drained = await phase(`storm ${order} ${K} keys: drain`, N, () =>
        checkStorm(order, K, prefix, storm, stormSeconds, failures),
      );
      storms.push(drained);
      // Each storm starts with the same incidents open: the worker holds every open incident in
      // memory (about 3 MB each here), and four storms' worth made it die at about 2,000.
      await terminateStorm(prefix);
    }
  }

  /** Terminates one storm's incidents, untimed and outside any phase. */
  async function terminateStorm(prefix: string): Promise<void> {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({
      query: `WorkflowId STARTS_WITH 'incident-am-${tag}-${prefix}' AND ExecutionStatus = 'Running'`,
    }))
      ids.push(execution.workflowId);
    await pool(ids.length, 16, async (i) => {
      await client.workflow
        .getHandle(ids[i]!)
        .terminate('storm measured')
        .catch(() => undefined);
    });
    out(`(terminated the storm's ${ids.length} incidents)`);
  }

  async function checkStorm(
    order: StormOrder,
    K: number,
    prefix: string,
    storm: Sent[],
    stormSeconds: number,
    failures: number,
  ): Promise<Summary['storms'][number]> {
    const ss = stats(storm.map((s) => s.latency));
    const ids = new Set(storm.map((s) => s.workflowId));
    const openedFlags = storm.filter((s) => !s.deduplicated).length;
    // Signals that arrive during a workflow task are buffered until it completes: wait for all.
    // Recorded = alerts carried by the incidents' `alert` signals (a coalesced signal carries several).
    let recorded = 0;
    let signals = 0;
    let tasks = 0;
    let timeouts = 0;
    for (let attempt = 0; attempt < 60; attempt++) {
      recorded = 0;
      signals = 0;
      tasks = 0;
      timeouts = 0;
      for (const id of ids) {
        const facts = await historyFacts(client, id);
        recorded += facts.alerts;
        signals += facts.signals;
        tasks += facts.workflowTasks;
        timeouts += facts.workflowTaskTimeouts;
      }
      if (recorded >= N) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    let listed = 0;
    for (let attempt = 0; attempt < 30; attempt++) {
      listed = (await client.workflow.count(`WorkflowId STARTS_WITH 'incident-am-${tag}-${prefix}'`)).count;
      if (listed >= K) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const ratioToBare = N / stormSeconds / barePerSecond;
    out('');
    out(
      `storm (${order}): ${N} alerts over ${K} fingerprints in ${stormSeconds.toFixed(2)} s = ${(N / stormSeconds).toFixed(0)} alerts/s, p50 ${ms(ss.p50)}, p99 ${ms(ss.p99)}, max ${ms(ss.max)}; **storm ÷ bare client = ${ratioToBare.toFixed(2)}** (goal ≥ 3)`,
    );
    out(
      `storm check (${order}, ${K}): ${failures} failed requests; ${ids.size} distinct incidents in answers, ${listed} in visibility, ${openedFlags} answers said "opened" (want ${K}); ${recorded} of ${N} alerts recorded in ${signals} signals (${(recorded / Math.max(1, signals)).toFixed(2)} alerts per signal)`,
    );
    out(
      `storm workflow tasks: ${tasks} completed, ${timeouts} timed out (so far, over the ${ids.size} incidents)`,
    );

    // Request → first activity of the workflow (the engine has picked the incident up).
    for (const s of storm)
      if (!stormRequests.has(s.workflowId) || s.startedAt < stormRequests.get(s.workflowId)!)
        stormRequests.set(s.workflowId, s.startedAt);
    const pickup: number[] = [];
    const pickedUp: Traced[] = [];
    for (const id of ids) {
      const at = stormRequests.get(id)!;
      // The worker may still be working through the storm's backlog: wait up to a minute per incident.
      for (let attempt = 0; attempt < 120; attempt++) {
        const starts = [...(await historyFacts(client, id)).firstActivityStart.values()];
        if (starts.length > 0) {
          pickup.push(Math.min(...starts) - at);
          pickedUp.push({ workflowId: id, startedAt: at, latency: Math.min(...starts) - at });
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const ps = stats(pickup);
    out(
      `request → first workflow step started (storm incidents): p50 ${ms(ps.p50)}, p99 ${ms(ps.p99)}, max ${ms(ps.max)}`,
    );
    await printTimeline(
      client,
      `storm incident (${order}, ${K} fingerprints) at the median pickup`,
      pickedUp,
      / (ACTIVITY_TASK_STARTED|MARKER_RECORDED \(local)/,
    );
    return {
      order,
      alerts: N,
      keys: K,
      seconds: stormSeconds,
      alertsPerSecond: N / stormSeconds,
      failed: failures,
      incidentsInAnswers: ids.size,
      incidentsListed: listed,
      openedAnswers: openedFlags,
      alertsRecorded: recorded,
      alertSignals: signals,
      ratioToBare,
      pickup: ps,
      ...ss,
    };
  }

  // 5. Request → triage's first step (snapshotRepository) for fresh incidents acknowledged at once.
  // Triage waits for the guide's acknowledgement, so this includes the ack round trip.
  // One at a time by default, as the goal is stated (a single alert, each on an idle engine: the
  // next alert waits until the previous incident waits for a human); `--triage-concurrency 8` gives
  // the figure the earlier runs in docs/benchmarks.md printed, with 8 incidents in flight.
  const triageCount = Number(args.triage);
  const triageConcurrency = Number(args['triage-concurrency']);
  const triage: number[] = [];
  const triaged: Traced[] = [];
  // Machine-wide CPU stall through the phase, so each incident's window can be read from it.
  const pressure = CpuPressure.open();
  pressure?.start();
  await phase(`triage (${triageConcurrency})`, triageCount, () =>
    pool(triageCount, triageConcurrency, async (i) => {
      const sent = await post(`triage${i}`);
      const ack = await fetch(`${base}/incidents/${sent.workflowId}/ack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ by: '@bench' }),
      });
      if (ack.status !== 200) throw new Error(`ack ${ack.status}: ${await ack.text()}`);
      const acked = Date.now() - sent.startedAt;
      for (let attempt = 0; attempt < 100; attempt++) {
        const started = (await historyFacts(client, sent.workflowId)).firstActivityStart.get(
          'snapshotRepository',
        );
        if (started) {
          // One at a time means a single alert on an otherwise idle engine: the previous
          // incident's triage and first mitigation steps (child processes of the worker) must be
          // over before the next alert, or the next one shares the two cores with them.
          if (triageConcurrency === 1) await engineIdleAfter(client, sent.workflowId);
          triage.push(started - sent.startedAt);
          triaged.push({
            workflowId: sent.workflowId,
            startedAt: sent.startedAt,
            latency: started - sent.startedAt,
            note: `202 after ${sent.latency.toFixed(0)} ms, ack answered 200 at +${acked} ms`,
          });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }),
  );
  const ts = stats(triage);
  out(
    `request → triage's first step started (ack sent on the 202, ${ts.count} incidents, ${triageConcurrency} at a time): p50 ${ms(ts.p50)}, p99 ${ms(ts.p99)}, max ${ms(ts.max)}`,
  );
  // Every triage incident's time split into its parts (bench/triage-parts.ts): what the tail is.
  pressure?.stop();
  const parts = (
    await Promise.all(triaged.map((t) => triageParts(client, t.workflowId, t.startedAt)))
  ).flatMap((p) =>
    p ? [{ ...p, cpuWait: pressure ? pressure.stallBetween(p.sentAt, p.sentAt + p.total) : NaN }] : [],
  );
  const triageSplit = summarizeParts(parts);
  out('');
  for (const line of partsLines(triageSplit)) out(line);
  out('');
  await printTimeline(
    client,
    'triage incident at the median',
    triaged,
    /ACTIVITY_TASK_STARTED \(snapshotRepository\)/,
  );
  await printTimeline(
    client,
    'triage incident at p99',
    triaged,
    /ACTIVITY_TASK_STARTED \(snapshotRepository\)/,
    0.99,
  );
  return {
    bench: 'alert-ingest',
    backend: backend.name,
    address: backend.address,
    startedAt,
    settings: args,
    levels,
    direct: { perSecond: directPerSecond, ...ds },
    bare: { perSecond: barePerSecond, failed: bareFailed, ...bs },
    distinctApi: { perSecond: distinctPerSecond, failed: distinctFailed, ...dis },
    distinctRatio,
    storms,
    triage: ts,
    triageParts: triageSplit,
    triageSamples: [...triaged]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((t, _, all) => ({ at: t.startedAt - all[0]!.startedAt, latency: Math.round(t.latency) })),
    cpu: { serverNote: serverNoteOf(backend), cpus: meter.cpus, phases: cpu },
  };
}

const serverNoteOf = (backend: Backend) => backend.serverNote ?? 'server processes unknown: not counted';

/** The storms side by side, then the CPU table: the lines docs/benchmarks.md quotes. */
function printSummary(summary: Summary, serverNote: string): void {
  out('');
  out(
    `| storm | alerts/s | ÷ bare client | alerts per signal | failed | incidents (answers / listed / opened) | recorded | pickup p50 / p99 |`,
  );
  out(`|---|---|---|---|---|---|---|---|`);
  for (const s of summary.storms)
    out(
      `| ${s.order}, ${s.alerts} over ${s.keys} | ${s.alertsPerSecond.toFixed(0)} | ${s.ratioToBare.toFixed(2)} | ${(s.alertsRecorded / Math.max(1, s.alertSignals)).toFixed(2)} | ${s.failed} | ${s.incidentsInAnswers} / ${s.incidentsListed} / ${s.openedAnswers} of ${s.keys} | ${s.alertsRecorded} of ${s.alerts} | ${(s.pickup.p50 / 1000).toFixed(1)} / ${(s.pickup.p99 / 1000).toFixed(1)} s |`,
    );
  out('');
  out(`(server processes counted: ${serverNote})`);
  out('');
  for (const line of cpuTable(summary.cpu.phases)) out(line);
}

try {
  for (const spec of parseBackends(args.backends ?? (args.memory ? 'dev-memory' : 'dev'))) {
    const backend = await openBackend(spec, dir);
    try {
      const summary = await runOn(backend);
      printSummary(summary, serverNoteOf(backend));
      out(`summary: ${await writeSummary('alert-ingest', backend.name, summary)}`);
    } finally {
      await backend.close();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
