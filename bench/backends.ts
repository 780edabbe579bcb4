/**
 * Where a benchmark runs: a Temporal dev server it starts itself, or a server that already runs
 * (a cluster from `npm run cluster`, or any address). `--backends dev,cluster` runs the same
 * benchmark on each in turn, so the figures of the two come from one run on one machine state.
 *
 *   dev              dev server with its SQLite file in a temp folder, with `npm start`'s SQLite
 *                    settings (INCIDENT_DEV_SQLITE, default wal)
 *   dev-memory       dev server with the in-memory store
 *   cluster          the running cluster at $CLUSTER_TEMPORAL_ADDRESS (or $TEMPORAL_ADDRESS); with
 *                    neither set, a cluster this run starts (src/cluster/harness.ts: PostgreSQL
 *                    and the five Temporal services in a temp state dir, no engine processes)
 *   NAME=HOST:PORT   any running server, reported as NAME
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SA } from '../src/contracts/search-attributes';
import { devSqliteModeFrom } from '../src/config/env';
import { describeSqliteMode, sqlitePragmaArgs } from '../src/config/dev-sqlite';
import { PROJECT_ROOT, requireBinary } from '../src/temporal/binaries';
import { isTemporalServing } from '../src/temporal/dev-server';
import { freePort } from '../src/activities/support/free-port';
import { startClusterIn } from '../src/cluster/harness';
import { childrenOf, listeningPid, type ProcessRoot } from './cpu-accounting';

export interface Backend {
  name: string;
  address: string;
  /** True for a server this run did not start: its state outlives the run, so names must be unique. */
  external: boolean;
  env: TestWorkflowEnvironment;
  /** Closes the connection; stops the server only when this run started it. */
  close: () => Promise<void>;
  /** The server's processes for CPU accounting (bench/cpu-accounting.ts), as far as this run knows them. */
  serverProcesses?: () => ProcessRoot[];
  /** What `serverProcesses` covers, for the printed table. */
  serverNote?: string;
}

export function parseBackends(list: string): string[] {
  const specs = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (specs.length === 0)
    throw new Error('--backends: name at least one of dev, dev-memory, cluster, NAME=HOST:PORT');
  return specs;
}

/** Opens one backend; `dir` holds a started dev server's SQLite file. */
export async function openBackend(spec: string, dir: string): Promise<Backend> {
  if (spec === 'dev' || spec === 'dev-memory') {
    if (spec === 'dev') console.log(`(dev server: ${describeSqliteMode(devSqliteModeFrom())})`);
    // The SDK spawns the dev server as a child of this process: the child that is new after it.
    const before = new Set(childrenOf(process.pid));
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: requireBinary('cli') },
        ip: '127.0.0.1',
        // Below the ephemeral range (see free-port.ts): the SDK's own pick can be taken first.
        port: await freePort(),
        ui: false,
        searchAttributes: Object.values(SA),
        log: { format: 'pretty', level: 'error' },
        // The same SQLite settings as `npm start` (INCIDENT_DEV_SQLITE, default wal).
        ...(spec === 'dev'
          ? {
              dbFilename: join(dir, `temporal-${Date.now()}.db`),
              extraArgs: sqlitePragmaArgs(devSqliteModeFrom()),
            }
          : {}),
      },
    });
    const server = childrenOf(process.pid).filter((pid) => !before.has(pid));
    return {
      name: spec,
      address: env.address,
      external: false,
      env,
      close: () => env.teardown(),
      serverProcesses: () => server.map((pid) => ({ name: 'server', group: 'server', pid, tree: true })),
      serverNote:
        server.length === 1
          ? `dev server: pid ${server[0]} (started by this run) and its children`
          : `dev server: ${server.length} new child processes found (${server.join(', ')}), all counted`,
    };
  }
  const running = process.env.CLUSTER_TEMPORAL_ADDRESS || process.env.TEMPORAL_ADDRESS;
  if (spec === 'cluster' && !running) return startCluster();
  const [name, address] = spec.includes('=')
    ? (spec.split('=', 2) as [string, string])
    : spec === 'cluster'
      ? ['cluster', running!]
      : [spec, ''];
  if (!address) throw new Error(`unknown backend ${spec}: use dev, dev-memory, cluster or NAME=HOST:PORT`);
  if (!(await isTemporalServing(address, 5_000))) {
    throw new Error(
      `backend ${name}: no Temporal frontend serving at ${address}` +
        (spec === 'cluster' ? ' (is `npm run cluster` up? unset CLUSTER_TEMPORAL_ADDRESS to start one)' : ''),
    );
  }
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address,
    namespace: process.env.TEMPORAL_NAMESPACE || 'default',
  });
  // Not started here: only the process listening on the frontend port can be found (a dev
  // server is all of it; of a cluster, only the frontend: history, matching and PostgreSQL
  // show up in the "others" column).
  const port = Number(address.split(':').at(-1));
  const frontend = /^(127\.|localhost|\[?::1)/.test(address) ? listeningPid(port) : undefined;
  return {
    name,
    address,
    external: true,
    env,
    close: () => env.teardown(),
    serverProcesses: () =>
      frontend === undefined ? [] : [{ name: 'server', group: 'server', pid: frontend, tree: true }],
    serverNote:
      frontend === undefined
        ? `server at ${address} not started by this run and not found on this machine: not counted (in "others")`
        : `server at ${address} not started by this run: only pid ${frontend}, listening on port ${port}, counted (a cluster's other processes are in "others")`,
  };
}

/** A cluster of its own in a temp state dir; the benchmark brings its own worker and API. */
async function startCluster(): Promise<Backend> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-cluster-'));
  // PostgreSQL runs as its own account when the benchmark runs as root: it must reach the folder.
  await chmod(stateDir, 0o755);
  const started = Date.now();
  const cluster = await startClusterIn({ stateDir, freePort, workers: 0 }).catch(async (error: unknown) => {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  });
  console.log(
    `(cluster started in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cluster.temporalAddress})`,
  );
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: cluster.temporalAddress });
  return {
    name: 'cluster',
    address: cluster.temporalAddress,
    // Its state goes with it, but names stay run-tagged all the same.
    external: false,
    env,
    // Each supervised process with its children (PostgreSQL's backends are the postmaster's).
    serverProcesses: () =>
      ['postgres', ...cluster.settings.hosts.map((h) => h.name)].flatMap((name) => {
        const pid = cluster.supervisor.pid(name);
        // "worker" is also the engine worker's name in the CPU table: Temporal's is temporal-worker.
        const shown = name === 'worker' ? 'temporal-worker' : name;
        return pid === undefined ? [] : [{ name: shown, group: 'server' as const, pid, tree: true }];
      }),
    serverNote: `cluster started by this run: PostgreSQL (postmaster and its backends) and ${cluster.settings.hosts.map((h) => h.name).join(', ')}, each with its children`,
    close: async () => {
      await env.teardown();
      await cluster.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Writes `.data/bench/<bench>-<backend>-<time>.json` and returns its path. */
export async function writeSummary(bench: string, backend: string, summary: object): Promise<string> {
  const dir = join(PROJECT_ROOT, '.data', 'bench');
  await mkdir(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replaceAll(':', '')
    .replace(/\.\d+Z$/, 'Z');
  const path = join(dir, `${bench}-${backend.replace(/[^\w.-]/g, '_')}-${stamp}.json`);
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
  return path;
}
