/**
 * `npm run cluster`: the production topology as native processes on one machine, in the
 * foreground like `npm start`. PostgreSQL (own data dir, port and socket under .data/cluster/),
 * the schema set up or upgraded by deploy/temporal/setup-schema.sh, the Temporal services as
 * separate processes (two history hosts, matching, frontend, worker), the namespace and search
 * attributes by deploy/temporal/register.sh, the UI server, then the engine's workers and API.
 * Ctrl+C or SIGTERM stops everything in reverse order; a second run reuses the state.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrSandbox, sandboxNotice } from '../config/default-target';
import { runMain } from '../process/run-main';
import { PROJECT_ROOT } from '../temporal/binaries';
import {
  CLUSTER_BINARY_NAMES,
  locateClusterBinary,
  locatePostgres,
  POSTGRES_PROGRAMS,
  requireSchemaDir,
} from '../temporal/cluster-binaries';
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
import { waitForApi, waitForHttp } from './readiness';
import { loadClusterSettings } from './settings';
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
  const binaries = clusterBinaries(true);
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
    const database = await startDatabase(settings, supervisor);
    log(
      `${database.created ? 'initialised' : 'reusing'} PostgreSQL data in ${database.pg.dataDir} (runs as ${database.account.name}), ready on 127.0.0.1:${ports.CLUSTER_POSTGRES_PORT} (${seconds(startedAt)})`,
    );

    await setUpSchema(settings, binaries, database.db);
    log(`schema ready: temporal and temporal_visibility (${seconds(startedAt)})`);

    await startTemporalServices(settings, binaries, database, supervisor);
    log(
      `Temporal services serving: frontend ${settings.temporalAddress}, 2 history hosts in membership (${seconds(startedAt)})`,
    );

    await registerNamespace(settings, binaries);
    log(`namespace ${settings.namespace} and search attributes registered (${seconds(startedAt)})`);

    startUiServer(settings, binaries, supervisor);
    const engineEnv = engineEnvironment(settings, process.env);
    // Made once here: two workers creating the sandbox target at once would race.
    const { sandbox } = await loadConfigOrSandbox(
      process.env.INCIDENT_CONFIG,
      process.env.INCIDENT_DATA_DIR ?? '.data',
    );
    if (sandbox) logger.warn(sandboxNotice(sandbox));
    for (let i = 1; i <= settings.workers; i++) {
      startEngineProcess(supervisor, `worker-${i}`, 'worker', { env: engineEnv, output: 'console' });
    }
    startEngineProcess(supervisor, 'api', 'api', { env: engineEnv, output: 'console' });
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
