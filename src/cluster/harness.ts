/**
 * The cluster of `npm run cluster`, started programmatically for fault tests and benchmarks: a
 * temp state dir, every port free (and at most 32767, see settings.ts), the same building blocks
 * and deploy scripts as main.ts, and handles to kill and restart single processes. Unlike main.ts
 * it does not stop everything when one process exits: that is what a fault test does on purpose.
 * It does not provision (call `npm run provision:cluster` first) and starts the UI server only
 * when asked, as tests do not need it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { requirePostgres } from '../temporal/cluster-binaries';
import { isTemporalServing } from '../temporal/dev-server';
import {
  clusterBinaries,
  engineEnvironment,
  registerNamespace,
  setUpSchema,
  startDatabase,
  startEngineProcess,
  startTemporalServices,
  startUiServer,
} from './bring-up';
import { postgresAccount, postgresPaths, postgresAccepting, type PostgresPaths, psql } from './postgres';
import { waitForApi, waitForHistoryHosts, waitForHttp } from './readiness';
import { type ClusterSettings, loadClusterSettings, PORT_DEFAULTS } from './settings';
import { Supervisor } from './supervisor';

export interface ClusterOptions {
  stateDir: string;
  /**
   * Picks a free port (the caller's, e.g. src/activities/support/free-port.ts, which src/cluster/
   * may not import); it must stay at or below 32767.
   */
  freePort: () => Promise<number>;
  /** Environment of the engine's workers and API (config file, token, ...). */
  engineEnv?: NodeJS.ProcessEnv;
  /** Engine worker processes (worker-1 ... worker-N); 0 for none (a benchmark runs its own). */
  workers?: number;
  /** Start the engine's API (default true when workers > 0). */
  api?: boolean;
  ui?: boolean;
  /** Working folder of the engine processes. */
  cwd?: string;
  log?: (line: string) => void;
}

export interface ClusterHandle {
  settings: ClusterSettings;
  supervisor: Supervisor;
  pg: PostgresPaths;
  temporalAddress: string;
  apiBase: string;
  /** SIGKILL (or `signal`) one process by name: postgres, history-1, history-2, matching, frontend, worker, worker-N, api. */
  kill: (name: string, signal?: NodeJS.Signals) => Promise<void>;
  /** Starts a killed process again and waits until it serves (frontend, API, history membership). */
  restart: (name: string) => Promise<void>;
  /** `pg_ctl restart -m immediate` as PostgreSQL's account: a crash-like stop, recovery on start. */
  restartPostgres: () => Promise<void>;
  /** Rows of cluster_membership for history hosts still live, by membership port. */
  liveHistoryPorts: () => number[];
  stop: () => Promise<void>;
}

/** Free ports for every port variable of settings.ts, as the environment loadClusterSettings reads. */
export async function freeClusterPorts(freePort: () => Promise<number>): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(PORT_DEFAULTS)) env[name] = String(await freePort());
  return env;
}

export async function startClusterIn(options: ClusterOptions): Promise<ClusterHandle> {
  const log = options.log ?? (() => undefined);
  const workers = options.workers ?? 2;
  const settings = loadClusterSettings({
    ...(await freeClusterPorts(options.freePort)),
    CLUSTER_STATE_DIR: options.stateDir,
    CLUSTER_WORKERS: String(Math.max(1, workers)),
    TEMPORAL_NAMESPACE: 'default',
  });
  const { ports } = settings;
  const binaries = clusterBinaries(options.ui ?? false);
  mkdirSync(settings.stateDir, { recursive: true });
  const supervisor = new Supervisor(settings.stateDir);
  const pg = postgresPaths(settings.stateDir);
  // pg_ctl below runs as the account PostgreSQL runs as.
  const account = postgresAccount();
  // pg_ctl restart replaces the supervised postmaster with one the supervisor did not start.
  let postgresOutside = false;
  const pgCtl = join(dirname(requirePostgres('postgres')), 'pg_ctl');
  // Asynchronous: a blocked event loop would stop draining the servers' log pipes meanwhile.
  const pgCtlRun = (args: string[]) =>
    new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(pgCtl, ['-D', pg.dataDir, ...args], {
        uid: account.uid,
        gid: account.gid,
        cwd: pg.dataDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', (error) => resolve({ status: null, output: String(error) }));
      child.once('exit', (status) => resolve({ status, output }));
    });

  const stop = async () => {
    await supervisor.stopAll();
    if (postgresOutside) await pgCtlRun(['-m', 'fast', '-w', '-t', '60', 'stop']);
  };

  const engineEnv = engineEnvironment(settings, options.engineEnv ?? process.env);
  const engine = (name: string, entry: 'worker' | 'api') =>
    startEngineProcess(supervisor, name, entry, { env: engineEnv, cwd: options.cwd, output: 'log' });
  const historyWait = () => waitForHistoryHosts(pg, settings, supervisor, 120_000);

  try {
    const database = await startDatabase(settings, supervisor);
    await setUpSchema(settings, binaries, database.db);
    log('schema ready');
    await startTemporalServices(settings, binaries, database, supervisor);
    log(`Temporal serving at ${settings.temporalAddress}`);
    await registerNamespace(settings, binaries);
    log('namespace and search attributes registered');
    if (options.ui) {
      startUiServer(settings, binaries, supervisor);
      await waitForHttp(`${settings.uiUrl}/`, supervisor, 'ui', 60_000);
    }
    for (let i = 1; i <= workers; i++) engine(`worker-${i}`, 'worker');
    if (options.api ?? workers > 0) {
      engine('api', 'api');
      await waitForApi(ports.API_PORT, supervisor, 120_000);
    }
    // A query to an incident opened before any worker polls fails ("Failed to query Workflow").
    for (let i = 1; i <= workers; i++) await waitForWorker(supervisor, `worker-${i}`);
  } catch (error) {
    // A failed start leaves nothing running behind it.
    await stop();
    throw error;
  }

  const waitServing = async (what: string, check: () => Promise<boolean>, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await new Promise((done) => setTimeout(done, 250));
    }
    throw new Error(`${what} did not come back within ${timeoutMs / 1000}s`);
  };

  return {
    settings,
    supervisor,
    pg,
    temporalAddress: settings.temporalAddress,
    apiBase: `http://127.0.0.1:${ports.API_PORT}`,
    kill: (name, signal = 'SIGKILL') => supervisor.kill(name, signal),
    restart: async (name) => {
      supervisor.restart(name);
      if (name === 'frontend')
        await waitServing('the frontend', () => isTemporalServing(settings.temporalAddress, 2_000));
      else if (name === 'api')
        await waitServing(
          'the API',
          async () => (await fetch(`http://127.0.0.1:${ports.API_PORT}/healthz`)).ok,
        );
      else if (name.startsWith('history')) await historyWait();
      else if (name.startsWith('worker-')) await waitForWorker(supervisor, name);
    },
    restartPostgres: async () => {
      // Without -l the new postmaster would write to pg_ctl's pipes, which close when it returns.
      const logFile = join(dirname(pg.dataDir), 'restarted.log');
      const result = await pgCtlRun(['-m', 'immediate', '-w', '-t', '60', '-l', logFile, 'restart']);
      // The supervised postmaster is gone now, replaced by pg_ctl's: stop() stops that one.
      supervisor.forget('postgres');
      postgresOutside = true;
      if (result.status !== 0) {
        throw new Error(`pg_ctl restart failed (${result.status}): ${result.output.trim()}`);
      }
      // Not readiness.ts's wait: it also fails on any supervised child that exited, and a fault
      // test may have killed one on purpose.
      await waitServing(
        'PostgreSQL',
        () => Promise.resolve(postgresAccepting(pg, ports.CLUSTER_POSTGRES_PORT)),
        60_000,
      );
    },
    liveHistoryPorts: () =>
      psql(
        pg,
        ports.CLUSTER_POSTGRES_PORT,
        `SELECT rpc_port FROM cluster_membership WHERE role = 2 AND record_expiry > (now() AT TIME ZONE 'utc') ORDER BY rpc_port;`,
        {},
        'temporal',
      )
        .split('\n')
        .filter((line) => line.trim())
        .map(Number),
    stop,
  };
}

/** Waits for an engine worker's "polling task queue" line in its log (bundling takes a while). */
export async function waitForWorker(
  supervisor: Supervisor,
  name: string,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let text = '';
    try {
      text = readFileSync(supervisor.logFile(name), 'utf8');
    } catch {
      // not written yet
    }
    // Only the latest start counts: the supervisor appends a "---" header per start.
    if (/polling task queue/.test(text.slice(Math.max(0, text.lastIndexOf('\n--- '))))) return;
    if (supervisor.pid(name) === undefined) throw new Error(`${name} exited:\n${supervisor.tail(name)}`);
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${name} did not poll within ${timeoutMs / 1000}s:\n${supervisor.tail(name)}`);
}

/** The history host (by process name) that owns the shard of `workflowId`, when PostgreSQL says. */
export function historyOwnerOf(handle: ClusterHandle, workflowId: string): string | undefined {
  const port = handle.settings.ports.CLUSTER_POSTGRES_PORT;
  const shard = psql(
    handle.pg,
    port,
    "SELECT shard_id FROM executions WHERE workflow_id = :'wf' LIMIT 1;",
    { wf: workflowId },
    'temporal',
  ).trim();
  if (!shard) return undefined;
  // The shard row's blob (ShardInfo) carries its owner's host identity, "<ip>:<gRPC port>".
  const blob = psql(
    handle.pg,
    port,
    "SELECT encode(data, 'escape') FROM shards WHERE shard_id = :'shard';",
    { shard },
    'temporal',
  );
  return handle.settings.hosts.find((h) => h.service === 'history' && blob.includes(`:${h.grpcPort}`))?.name;
}

/** PIDs of a process and its ancestors, for "which engine worker runs this command". */
export function ancestors(pid: number): number[] {
  const chain: number[] = [];
  let current = pid;
  for (let depth = 0; depth < 20 && current > 1; depth++) {
    chain.push(current);
    try {
      const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
      current = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return chain;
}
