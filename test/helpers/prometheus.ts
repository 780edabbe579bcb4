/**
 * A real Prometheus for tests, started from the provisioned binary (scripts/debian-tools.ts:
 * PROMETHEUS_BIN or PATH; `npm run provision` installs Debian's package) in a temp folder, with a
 * generated prometheus.yml scraping the given targets every second.
 *
 *   const prom = await startPrometheus({ scrape: [{ job: 'svc', targets: ['127.0.0.1:8080'] }] });
 *   await prom.waitForSeries('up{job="svc"}', (s) => s[0]?.value === 1);
 *   await prom.stop();
 *
 * It runs in its own process group and `stop()` kills the group, so nothing outlives the test;
 * a test that forgets `stop()` still has it killed when the test process exits.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { requireTool } from '../../scripts/debian-tools';
import { freePort } from '../../src/activities/support/free-port';
import { groupAlive, spawnGroup, type Spawned, waitFor } from './processes';

export interface ScrapeJob {
  job: string;
  /** `host:port` of each target. */
  targets: string[];
  /** Defaults to /metrics. */
  metricsPath?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  /** The sample value as a number (Prometheus sends it as a string; NaN and ±Inf included). */
  value: number;
  /** Evaluation time, seconds since the epoch. */
  timestamp: number;
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:23456 (no trailing slash). */
  url: string;
  /** The temp folder holding prometheus.yml and the TSDB. */
  dir: string;
  /** PID of Prometheus, also its process group ID. */
  pid: number;
  /** Runs an instant query; a vector gives one sample per series, a scalar one sample without labels. */
  query(promql: string): Promise<PromSample[]>;
  /** Polls `query(promql)` until `predicate` accepts the result; returns that result. */
  waitForSeries(
    promql: string,
    predicate: (samples: PromSample[]) => boolean,
    timeoutMs?: number,
  ): Promise<PromSample[]>;
  /** Everything Prometheus printed, for failure messages. */
  output(): string;
  /** Kills the process group (TERM, then KILL after 5 s) and removes the temp folder. */
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  scrape?: ScrapeJob[];
  /** Absolute paths of rule files to load (evaluated every second). */
  ruleFiles?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Parses an `/api/v1/query` body; throws with Prometheus' own error text when it is not a success. */
export function parseQueryResponse(body: unknown): PromSample[] {
  const response = body as {
    status?: string;
    error?: string;
    errorType?: string;
    data?: { resultType?: string; result?: unknown };
  };
  if (response.status !== 'success') {
    throw new Error(`Prometheus query failed: ${response.errorType ?? '?'}: ${response.error ?? '?'}`);
  }
  const { resultType, result } = response.data ?? {};
  const sample = (metric: Record<string, string>, pair: [number, string]): PromSample => ({
    metric,
    value: Number(pair[1]),
    timestamp: pair[0],
  });
  if (resultType === 'vector') {
    return (result as { metric: Record<string, string>; value: [number, string] }[]).map((s) =>
      sample(s.metric, s.value),
    );
  }
  if (resultType === 'scalar') return [sample({}, result as [number, string])];
  throw new Error(`unsupported result type ${resultType ?? '(none)'} (use an instant vector or scalar)`);
}

function configYaml(scrape: ScrapeJob[], ruleFiles: string[]): string {
  return stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    ...(ruleFiles.length ? { rule_files: ruleFiles } : {}),
    scrape_configs: scrape.map((job) => ({
      job_name: job.job,
      metrics_path: job.metricsPath ?? '/metrics',
      static_configs: [{ targets: job.targets }],
    })),
  });
}

/** Signals the whole process group; a group already gone is fine. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already exited
  }
}

async function launch(
  binary: string,
  dir: string,
  env: NodeJS.ProcessEnv | undefined,
): Promise<{ spawned: Spawned; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawned = spawnGroup(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No console templates in a test instance; Debian's defaults point at /etc/prometheus.
      `--web.console.templates=${join(dir, 'consoles')}`,
      `--web.console.libraries=${join(dir, 'console_libraries')}`,
      '--log.level=warn',
    ],
    { cwd: dir, env },
  );
  return { spawned, url };
}

/** Polls `/-/ready` until it answers 200, the process exits, or `timeoutMs` passes. */
async function untilReady(
  candidate: { spawned: Spawned; url: string },
  timeoutMs: number,
): Promise<'ready' | 'exited at start' | 'not ready in time'> {
  let exited = false;
  void candidate.spawned.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return 'exited at start';
    const ok = await fetch(`${candidate.url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return 'ready';
    await new Promise((done) => setTimeout(done, 100));
  }
  return 'not ready in time';
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  // Throws "prometheus is not provisioned. Tried: ... Fix: ..." when the binary is missing.
  const binary = requireTool('prometheus', options.env ?? process.env);
  const dir = await mkdtemp(join(tmpdir(), 'incident-prometheus-'));
  await writeFile(join(dir, 'prometheus.yml'), configYaml(options.scrape ?? [], options.ruleFiles ?? []));

  let started: { spawned: Spawned; url: string } | undefined;
  const failures: string[] = [];
  // A port free a moment ago can be taken before Prometheus binds it: try a few.
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    const candidate = await launch(binary, dir, options.env);
    const outcome = await untilReady(candidate, 30_000);
    if (outcome === 'ready') {
      started = candidate;
      break;
    }
    failures.push(`${candidate.url}: ${outcome}; output:\n${candidate.spawned.output()}`);
    killGroup(candidate.spawned.child.pid!, 'SIGKILL');
    await candidate.spawned.exited;
  }
  if (!started) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Prometheus (${binary}) did not become ready:\n${failures.join('\n')}`);
  }
  const { spawned, url } = started;
  const pid = spawned.child.pid!;
  // A test that throws before stop() must not leave Prometheus running after the test process.
  const killOnExit = (): void => killGroup(pid, 'SIGKILL');
  process.once('exit', killOnExit);

  const query = async (promql: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: promql }),
    });
    return parseQueryResponse(await response.json());
  };

  let stopped = false;
  return {
    url,
    dir,
    pid,
    query,
    output: () => spawned.output(),
    async waitForSeries(promql, predicate, timeoutMs = 30_000) {
      let last: PromSample[] | string = '(no answer yet)';
      let matched: PromSample[] | undefined;
      await waitFor(
        () => `${promql} to match; last result: ${JSON.stringify(last)}`,
        async () => {
          const result = await query(promql).catch((error: Error) => error.message);
          last = result;
          if (typeof result !== 'string' && predicate(result)) matched = result;
          return matched !== undefined;
        },
        timeoutMs,
      );
      return matched!;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5_000);
      await spawned.exited;
      clearTimeout(timer);
      // The group may hold nothing else, but make sure before the folder goes.
      if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
