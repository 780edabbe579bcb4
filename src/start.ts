/**
 * `npm start`: the whole engine on one machine. Uses TEMPORAL_ADDRESS when it names a reachable
 * server, otherwise starts the dev server (SQLite under .data/, so a restart keeps open
 * incidents); then the worker and the API as child processes. Ctrl+C stops them in reverse order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from './temporal/binaries';
import { loadEnv, temporalAddress, webUiBase } from './config/env';
import { requireBinary } from './temporal/binaries';
import { describeTemporalServer, isTemporalServing, startDevServer } from './temporal/dev-server';
import { runMain } from './process/run-main';
import { loadConfigOrSandbox, sandboxNotice } from './config/default-target';

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

function startNodeChild(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, childArgv(entry), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out.write(`${name.padEnd(6)} | ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  return child;
}

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
  const address = temporalAddress(env);
  let server: ChildProcess | undefined;
  if (env.TEMPORAL_ADDRESS) {
    if (!(await isTemporalServing(address, 5_000))) {
      throw new Error(
        `TEMPORAL_ADDRESS=${address} is not reachable (fix: start that server, or unset TEMPORAL_ADDRESS to run the local dev server)`,
      );
    }
    console.log(`[start] using ${await describeTemporalServer(address, env.TEMPORAL_NAMESPACE)}`);
  } else if (await isTemporalServing(address, 1_000)) {
    // Not started here: say which server it is, so an operator notices a stray one.
    console.log(
      `[start] reusing the server already answering on TEMPORAL_PORT: ${await describeTemporalServer(address, env.TEMPORAL_NAMESPACE)}`,
    );
  } else {
    const dbFile = join(env.INCIDENT_DATA_DIR, 'temporal.db');
    console.log(`[start] starting the Temporal dev server (database ${dbFile})`);
    server = await startDevServer({
      cliPath: requireBinary('cli'),
      dbFile,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      namespace: env.TEMPORAL_NAMESPACE,
      stdio: 'inherit',
    });
  }
  // Made here (the worker would too) so the notice comes before the worker's output.
  const { sandbox } = await loadConfigOrSandbox(env.INCIDENT_CONFIG, env.INCIDENT_DATA_DIR);
  if (sandbox) console.warn(sandboxNotice(sandbox));
  const worker = startNodeChild('worker', 'worker/main');
  const api = startNodeChild('api', 'api/main');
  console.log(`[start] Temporal Web UI: ${webUiBase(env)}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows`);
  console.log('[start] press Ctrl+C to stop everything');

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[start] stopping (${reason})`);
    await Promise.all([stop(api, 10_000), stop(worker, 15_000)]);
    await stop(server, 10_000);
  };
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
