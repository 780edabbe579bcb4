/**
 * `npm start`: the whole engine on one machine. Uses TEMPORAL_ADDRESS when it names a reachable
 * server, otherwise starts the dev server (SQLite under .data/, so a restart keeps open
 * incidents); then the worker and the API as child processes. Ctrl+C stops them in reverse order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from './temporal/binaries';
import { type Env, loadEnv, temporalAddress, webUiBase } from './config/env';
import { describeSqliteMode } from './config/dev-sqlite';
import { requireBinary } from './temporal/binaries';
import { describeTemporalServer, isTemporalServing, startDevServer } from './temporal/dev-server';
import { runMain } from './process/run-main';
import { loadConfigOrSandbox, sandboxNotice } from './config/default-target';
import { connectionOptions } from './temporal/connection';
import { processLogger } from './process/logger';
import { relayChildOutput } from './process/child-output';
import { resolveFormat, type LogFormat, type Logger } from './logging/logger';

/**
 * Compiled (dist/start.js, `npm run start:prod`) the children are the compiled entries beside this
 * one and run on plain node; from source they run through tsx, resolved here, not by the child, so
 * the engine starts from any working directory.
 */
const COMPILED = import.meta.url.endsWith('.js');
const childArgv = (entry: string): string[] =>
  COMPILED
    ? [fileURLToPath(new URL(`./${entry}.js`, import.meta.url))]
    : ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src', `${entry}.ts`)];

/**
 * The children write to a pipe, so on their own they would choose JSON; LOG_FORMAT makes them use
 * this process's format, so a terminal shows readable lines and a pipe one stream of JSON lines.
 */
function startNodeChild(name: string, entry: string, logger: Logger, format: LogFormat): ChildProcess {
  const child = spawn(process.execPath, childArgv(entry), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_FORMAT: format },
  });
  relayChildOutput(child, name, logger, format);
  return child;
}

/** Where the address came from, for the "not reachable" error. */
const addressSource = (env: Env): string =>
  process.env.TEMPORAL_ADDRESS
    ? `TEMPORAL_ADDRESS=${temporalAddress(env)}`
    : `${temporalAddress(env)} (profile "${env.TEMPORAL_PROFILE ?? 'default'}" of the temporal.toml file)`;

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((done) => child.once('exit', () => done()));

async function stop(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

await runMain(async () => {
  const env = loadEnv();
  const logger = processLogger(env, 'start');
  const format = resolveFormat(env.LOG_FORMAT);
  // `npm start | head`: once the reader is gone every write fails with EPIPE, which unhandled would
  // crash this process and orphan the dev server. Stop everything instead, as on Ctrl+C.
  let readerGone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    readerGone = true;
    void shutdownRef.current?.('stdout closed');
  });
  const shutdownRef: { current?: (reason: string) => Promise<void> } = {};
  const address = temporalAddress(env);
  let server: ChildProcess | undefined;
  if (env.TEMPORAL_ADDRESS) {
    // Checked with the profile's TLS and API key: a Temporal Cloud namespace refuses plain gRPC.
    if (!(await isTemporalServing(connectionOptions(env), 5_000))) {
      throw new Error(
        `${addressSource(env)} is not reachable (fix: start that server, or unset TEMPORAL_ADDRESS and TEMPORAL_PROFILE to run the local dev server)`,
      );
    }
    logger.info(`using ${await describeTemporalServer(connectionOptions(env), env.TEMPORAL_NAMESPACE)}`);
  } else if (await isTemporalServing(address, 1_000)) {
    // Not started here: say which server it is, so an operator notices a stray one.
    logger.info(
      `reusing the server already answering on TEMPORAL_PORT: ${await describeTemporalServer(address, env.TEMPORAL_NAMESPACE)}`,
    );
  } else {
    const dbFile = join(env.INCIDENT_DATA_DIR, 'temporal.db');
    logger.info(
      { dbFile, sqlite: env.INCIDENT_DEV_SQLITE },
      `starting the Temporal dev server (database ${dbFile}, ${describeSqliteMode(env.INCIDENT_DEV_SQLITE)})`,
    );
    server = await startDevServer({
      cliPath: requireBinary('cli'),
      dbFile,
      sqlite: env.INCIDENT_DEV_SQLITE,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      namespace: env.TEMPORAL_NAMESPACE,
      stdio: 'pipe',
    });
    relayChildOutput(server, 'server', logger, format);
  }
  // Made here (the worker would too) so the notice comes before the worker's output.
  const { sandbox } = await loadConfigOrSandbox(env.INCIDENT_CONFIG, env.INCIDENT_DATA_DIR);
  if (sandbox) logger.warn(sandboxNotice(sandbox));
  const worker = startNodeChild('worker', 'worker/main', logger, format);
  const api = startNodeChild('api', 'api/main', logger, format);
  logger.info(`Temporal Web UI: ${webUiBase(env)}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows`);
  logger.info('press Ctrl+C to stop everything');

  let stopping = false;
  const shutdown = (shutdownRef.current = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping (${reason})`);
    await Promise.all([stop(api, 10_000), stop(worker, 15_000)]);
    await stop(server, 10_000);
  });
  if (readerGone) await shutdown('stdout closed');
  process.on('SIGINT', () => void shutdown('Ctrl+C'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const children = [worker, api, ...(server ? [server] : [])];
  const first = await Promise.race(children.map(async (child) => (await exited(child), child)));
  if (!stopping) {
    await shutdown(`a child process exited with code ${first.exitCode ?? first.signalCode}`);
    process.exitCode = 1;
  }
  await Promise.all(children.map(exited));
});
