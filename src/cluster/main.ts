/**
 * `npm run cluster`: the production topology as native processes on one machine, in the
 * foreground like `npm start`. PostgreSQL (own data dir, port and socket under .data/cluster/),
 * the schema set up or upgraded by deploy/temporal/setup-schema.sh, the Temporal services as
 * separate processes (two history hosts, matching, frontend, worker), the namespace and search
 * attributes by deploy/temporal/register.sh, the UI server, then the engine's workers and API.
 * Ctrl+C or SIGTERM stops everything in reverse order; a second run reuses the state.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfigOrSandbox, sandboxNotice } from '../config/default-target';
import { runMain } from '../process/run-main';
import { PROJECT_ROOT, requireBinary } from '../temporal/binaries';
import {
  CLUSTER_BINARY_NAMES,
  locateClusterBinary,
  locatePostgres,
  POSTGRES_PROGRAMS,
  requireClusterBinary,
  requireSchemaDir,
} from '../temporal/cluster-binaries';
import { temporalServerConfig, uiServerConfig } from './configs';
import { engineCommand } from './engine-entry';
import { ensurePostgresInitialized, ensureTemporalLogin, postgresPaths, startPostgres } from './postgres';
import {
  waitForApi,
  waitForClusterMetadata,
  waitForFrontend,
  waitForHistoryHosts,
  waitForHttp,
  waitForPostgres,
} from './readiness';
import { loadClusterSettings } from './settings';
import { DYNAMIC_CONFIG_FILE, runDeployScript } from './setup-scripts';
import { stopLeftovers, Supervisor } from './supervisor';
import { createLogger, type LogLevel } from '../logging/logger';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
/** LOG_LEVEL as loadEnv reads it; this launcher does not load the engine's environment schema. */
function logLevelFrom(raw: string | undefined): LogLevel {
  return LEVELS.find((level) => level === raw) ?? 'info';
}

/** The process logger (JSON when piped, readable on a terminal), like every engine process's. */
const logger = createLogger({ name: 'cluster', level: logLevelFrom(process.env.LOG_LEVEL) });
const log = (line: string) => logger.info(line);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Builds missing Go binaries (minutes, once) by running the provisioning script in the foreground. */
function provisionIfMissing(): void {
  const missing: string[] = [
    ...CLUSTER_BINARY_NAMES.filter((binary) => !locateClusterBinary(binary).found),
    ...POSTGRES_PROGRAMS.filter((program) => !locatePostgres(program).found),
  ];
  try {
    requireSchemaDir();
  } catch {
    missing.push('the server schema');
  }
  if (missing.length === 0) return;
  log(`missing ${missing.join(', ')}: running npm run provision:cluster (a cold Go build takes ≈ 11 min)`);
  const result = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'scripts', 'provision-cluster.ts')],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('provisioning the cluster binaries failed (see the lines above)');
}

await runMain(async () => {
  const startedAt = Date.now();
  const settings = loadClusterSettings();
  const { ports } = settings;
  provisionIfMissing();
  const binaries = {
    server: requireClusterBinary('temporalServer'),
    sqlTool: requireClusterBinary('sqlTool'),
    ui: requireClusterBinary('uiServer'),
    cli: requireBinary('cli'),
    schemaDir: requireSchemaDir(),
  };
  mkdirSync(settings.stateDir, { recursive: true });
  const leftovers = await stopLeftovers(settings.stateDir);
  if (leftovers.length > 0) log(`stopped processes an earlier run left behind: ${leftovers.join(', ')}`);

  const supervisor = new Supervisor(settings.stateDir);
  // One shutdown, whoever asks first (a signal, a failed start, a child that died).
  let stopped: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> =>
    (stopped ??= (async () => {
      log(`stopping (${reason})`);
      await supervisor.stopAll();
      log('stopped');
    })());
  let signalled = false;
  const onSignal = (reason: string) => {
    signalled = true;
    void shutdown(reason);
  };
  process.on('SIGINT', () => onSignal('Ctrl+C'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  // Any start step that fails stops what already runs, so a failed start leaves nothing behind.
  try {
    const pg = postgresPaths(settings.stateDir);
    const { created, account } = ensurePostgresInitialized(pg);
    log(`${created ? 'initialised' : 'reusing'} PostgreSQL data in ${pg.dataDir} (runs as ${account.name})`);
    startPostgres(supervisor, pg, ports.CLUSTER_POSTGRES_PORT, account);
    await waitForPostgres(pg, ports.CLUSTER_POSTGRES_PORT, supervisor, 60_000);
    const db = ensureTemporalLogin(pg, ports.CLUSTER_POSTGRES_PORT);
    log(`PostgreSQL ready on 127.0.0.1:${ports.CLUSTER_POSTGRES_PORT} (${seconds(startedAt)})`);

    await runDeployScript('setup-schema.sh', {
      SQL_TOOL: binaries.sqlTool,
      SCHEMA_DIR: binaries.schemaDir,
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(ports.CLUSTER_POSTGRES_PORT),
      POSTGRES_USER: db.user,
      POSTGRES_PWD: db.password,
    });
    log(`schema ready: temporal and temporal_visibility (${seconds(startedAt)})`);

    const configDir = join(settings.stateDir, 'config');
    mkdirSync(configDir, { recursive: true });
    const startHost = (host: (typeof settings.hosts)[number]) => {
      const file = join(configDir, `${host.name}.yaml`);
      // 0600: the file holds the database password.
      writeFileSync(file, stringify(temporalServerConfig(settings, host, db, DYNAMIC_CONFIG_FILE)), {
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
    await waitForClusterMetadata(pg, ports.CLUSTER_POSTGRES_PORT, supervisor, 120_000);
    otherHosts.forEach(startHost);
    await waitForFrontend(settings.temporalAddress, supervisor, 120_000);
    await waitForHistoryHosts(pg, settings, supervisor, 120_000);
    log(
      `Temporal services serving: frontend ${settings.temporalAddress}, 2 history hosts in membership (${seconds(startedAt)})`,
    );

    await runDeployScript('register.sh', {
      TEMPORAL_CLI: binaries.cli,
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_NAMESPACE: settings.namespace,
    });
    log(`namespace ${settings.namespace} and search attributes registered (${seconds(startedAt)})`);

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

    const engineEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_NAMESPACE: settings.namespace,
      TEMPORAL_UI_PORT: String(ports.TEMPORAL_UI_PORT),
      TEMPORAL_UI_URL: settings.uiUrl,
      API_PORT: String(ports.API_PORT),
    };
    // Made once here: two workers creating the sandbox target at once would race.
    const { sandbox } = await loadConfigOrSandbox(
      process.env.INCIDENT_CONFIG,
      process.env.INCIDENT_DATA_DIR ?? '.data',
    );
    if (sandbox) logger.warn(sandboxNotice(sandbox));
    for (let i = 1; i <= settings.workers; i++) {
      const [command, ...args] = engineCommand('worker');
      supervisor.start({
        name: `worker-${i}`,
        command: command!,
        args,
        env: engineEnv,
        stage: 3,
        output: 'console',
      });
    }
    const [apiCommand, ...apiArgs] = engineCommand('api');
    supervisor.start({
      name: 'api',
      command: apiCommand!,
      args: apiArgs,
      env: engineEnv,
      stage: 3,
      output: 'console',
    });
    await waitForHttp(`${settings.uiUrl}/`, supervisor, 'ui', 60_000);
    await waitForApi(ports.API_PORT, supervisor, 90_000);
  } catch (error) {
    await shutdown('start failed');
    // Stopped by Ctrl+C half-way through the start: the step that broke is no failure.
    if (signalled) return;
    throw error;
  }
  // Ctrl+C while the last wait was already satisfied.
  if (signalled) return await shutdown('Ctrl+C');

  log(`ready in ${seconds(startedAt)}`);
  log(`TEMPORAL_ADDRESS=${settings.temporalAddress}`);
  log(`Temporal Web UI: ${settings.uiUrl}/namespaces/${settings.namespace}/workflows`);
  log(`API: http://127.0.0.1:${ports.API_PORT}  (${settings.workers} engine workers)`);
  log(`state: ${settings.stateDir} (server logs in logs/)`);
  log('press Ctrl+C to stop everything');

  const first = await supervisor.firstExit();
  if (!signalled) {
    // Nobody asked for this exit: say which process died and why, then stop the rest.
    logger.error(
      `${first.name} exited (code ${first.code ?? first.signal}); last lines of its log:\n${supervisor.tail(first.name)}`,
    );
    process.exitCode = 1;
  }
  // After a signal this is the shutdown already running, which made the child exit.
  await shutdown(`${first.name} exited`);
});
