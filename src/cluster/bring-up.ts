/**
 * The steps that bring the cluster up, in the order they must run, shared by `npm run cluster`
 * (main.ts, foreground, stops everything when one process dies) and the programmatic start of
 * fault tests and benchmarks (harness.ts, which kills processes on purpose). One sequence, so the
 * two cannot drift: a fix to the start order (such as the metadata race below) lands in both.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { requireBinary } from '../temporal/binaries';
import { requireClusterBinary, requireSchemaDir } from '../temporal/cluster-binaries';
import { temporalServerConfig, uiServerConfig } from './configs';
import { engineCommand } from './engine-entry';
import type { DbLogin } from './configs';
import {
  ensurePostgresInitialized,
  ensureTemporalLogin,
  postgresPaths,
  type PostgresPaths,
  startPostgres,
} from './postgres';
import { waitForClusterMetadata, waitForFrontend, waitForHistoryHosts, waitForPostgres } from './readiness';
import type { ClusterSettings } from './settings';
import { DYNAMIC_CONFIG_FILE, runDeployScript } from './setup-scripts';
import type { Supervisor } from './supervisor';

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  /** Empty when the UI server is not wanted (tests). */
  ui: string;
  cli: string;
  schemaDir: string;
}

/** Every binary the start needs, located up front so a missing one fails before anything runs. */
export function clusterBinaries(withUi: boolean): ClusterBinaries {
  return {
    server: requireClusterBinary('temporalServer'),
    sqlTool: requireClusterBinary('sqlTool'),
    ui: withUi ? requireClusterBinary('uiServer') : '',
    cli: requireBinary('cli'),
    schemaDir: requireSchemaDir(),
  };
}

export interface Database {
  pg: PostgresPaths;
  db: DbLogin;
  account: ReturnType<typeof ensurePostgresInitialized>['account'];
  /** True when this start ran initdb (first run on this state dir). */
  created: boolean;
}

/** PostgreSQL initialised on first use, started under the supervisor, and the Temporal login made. */
export async function startDatabase(settings: ClusterSettings, supervisor: Supervisor): Promise<Database> {
  const port = settings.ports.CLUSTER_POSTGRES_PORT;
  const pg = postgresPaths(settings.stateDir);
  const { created, account } = ensurePostgresInitialized(pg);
  startPostgres(supervisor, pg, port, account);
  await waitForPostgres(pg, port, supervisor, 60_000);
  return { pg, db: ensureTemporalLogin(pg, port), account, created };
}

/** Creates or upgrades both schemas through the same script docker-compose runs. */
export async function setUpSchema(
  settings: ClusterSettings,
  binaries: ClusterBinaries,
  db: DbLogin,
): Promise<void> {
  await runDeployScript('setup-schema.sh', {
    SQL_TOOL: binaries.sqlTool,
    SCHEMA_DIR: binaries.schemaDir,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(settings.ports.CLUSTER_POSTGRES_PORT),
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
  });
}

/**
 * The Temporal services as separate processes, one generated config file each, until the frontend
 * serves and both history hosts are in membership.
 */
export async function startTemporalServices(
  settings: ClusterSettings,
  binaries: ClusterBinaries,
  database: Database,
  supervisor: Supervisor,
): Promise<void> {
  const configDir = join(settings.stateDir, 'config');
  mkdirSync(configDir, { recursive: true });
  const startHost = (host: ClusterSettings['hosts'][number]) => {
    const file = join(configDir, `${host.name}.yaml`);
    // 0600: the file holds the database password.
    writeFileSync(file, stringify(temporalServerConfig(settings, host, database.db, DYNAMIC_CONFIG_FILE)), {
      mode: 0o600,
    });
    supervisor.start({
      name: host.name,
      command: binaries.server,
      args: ['--config-file', file, '--allow-no-auth', 'start', '--service', host.service],
      stage: 1,
      output: 'log',
      graceMs: 20_000,
    });
  };
  // On a new database every server process inserts the cluster metadata row at start, and all
  // but one die on the duplicate key: one process goes first and writes it, then the rest.
  const [firstHost, ...otherHosts] = settings.hosts;
  startHost(firstHost!);
  await waitForClusterMetadata(database.pg, settings.ports.CLUSTER_POSTGRES_PORT, supervisor, 120_000);
  otherHosts.forEach(startHost);
  await waitForFrontend(settings.temporalAddress, supervisor, 180_000);
  await waitForHistoryHosts(database.pg, settings, supervisor, 120_000);
}

/** The namespace and the engine's search attributes, through the script docker-compose runs. */
export async function registerNamespace(settings: ClusterSettings, binaries: ClusterBinaries): Promise<void> {
  await runDeployScript('register.sh', {
    TEMPORAL_CLI: binaries.cli,
    TEMPORAL_ADDRESS: settings.temporalAddress,
    TEMPORAL_NAMESPACE: settings.namespace,
  });
}

/** The Web UI server, configured to talk to the frontend (not waited for). */
export function startUiServer(
  settings: ClusterSettings,
  binaries: ClusterBinaries,
  supervisor: Supervisor,
): void {
  const uiDir = join(settings.stateDir, 'ui');
  mkdirSync(uiDir, { recursive: true });
  writeFileSync(join(uiDir, 'cluster.yaml'), stringify(uiServerConfig(settings)));
  supervisor.start({
    name: 'ui',
    command: binaries.ui,
    args: ['--root', uiDir, '--config', '.', '--env', 'cluster', 'start'],
    stage: 2,
    output: 'log',
  });
}

/** The environment of the engine's processes: `base` pointed at this cluster. */
export function engineEnvironment(settings: ClusterSettings, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    TEMPORAL_ADDRESS: settings.temporalAddress,
    TEMPORAL_NAMESPACE: settings.namespace,
    TEMPORAL_UI_PORT: String(settings.ports.TEMPORAL_UI_PORT),
    TEMPORAL_UI_URL: settings.uiUrl,
    API_PORT: String(settings.ports.API_PORT),
  };
}

/** One engine process (a worker or the API) under the supervisor, stopped before the servers. */
export function startEngineProcess(
  supervisor: Supervisor,
  name: string,
  entry: 'worker' | 'api',
  options: { env: NodeJS.ProcessEnv; cwd?: string; output: 'log' | 'console' },
): void {
  const [command, ...args] = engineCommand(entry);
  supervisor.start({
    name,
    command: command!,
    args,
    env: options.env,
    cwd: options.cwd,
    stage: 3,
    output: options.output,
  });
}
