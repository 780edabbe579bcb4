/**
 * The engine as production runs it, for end-to-end tests: the Temporal dev server with its SQLite
 * file, the worker (`node --import tsx src/worker/main.ts`) and the API (`src/api/main.ts`) as separate
 * processes on free ports, a config file in a temp folder, and the CLI (`node bin/incident.js`)
 * as a child process per call. Any of the three can be SIGKILLed and started again.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDevServer } from '../../src/temporal/dev-server';
import { PROJECT_ROOT, requireBinary } from '../../src/temporal/binaries';
import { freePort, groupAlive, spawnGroup, waitFor, type Spawned } from './processes';

const run = promisify(execFile);
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Engine {
  dir: string;
  address: string;
  apiBase: string;
  configPath: string;
  /** Environment the worker, API and CLI get. */
  env: NodeJS.ProcessEnv;
  startServer: () => Promise<void>;
  /** SIGKILL the dev server (no shutdown: its SQLite file is what survives). */
  killServer: () => Promise<void>;
  startWorker: () => Promise<Spawned>;
  /** SIGKILL the worker process only; the commands it started live on in their own groups. */
  killWorker: () => Promise<void>;
  startApi: () => Promise<Spawned>;
  cli: (...args: string[]) => Promise<CliResult>;
  /** `cli(... '--json')` parsed; throws with stderr when the exit code is not 0. */
  cliJson: <T = Record<string, unknown>>(...args: string[]) => Promise<T>;
  /** POST to the API with the bearer token. */
  post: (path: string, body: unknown) => Promise<Response>;
  close: () => Promise<void>;
}

export const E2E_API_TOKEN = 'e2e-token-0123456789abcdef';

/** Environment for child processes: not the test runner's (a child must not think it is a test). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.TEMPORAL_ADDRESS;
  return { ...env, ...extra };
}

/**
 * Writes `config` to `<dir>/incident.config.json` and starts server, worker and API. Their
 * Prometheus endpoints are off unless `extraEnv` sets WORKER_METRICS_ADDRESS / API_METRICS_ADDRESS
 * (the defaults would bind the same loopback ports in every test, and a developer's own worker's).
 */
export async function startEngine(
  dir: string,
  config: unknown,
  extraEnv: Record<string, string> = {},
): Promise<Engine> {
  const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const configPath = join(dir, 'incident.config.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const env = childEnv({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_UI_PORT: String(uiPort),
    INCIDENT_CONFIG: configPath,
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    API_TOKEN: E2E_API_TOKEN,
    INCIDENT_OPERATOR: '@jscraik',
    WORKER_METRICS_ADDRESS: 'off',
    API_METRICS_ADDRESS: 'off',
    ...extraEnv,
  });
  let server: ChildProcess | undefined;
  let worker: Spawned | undefined;
  let api: Spawned | undefined;

  const startServer = async () => {
    server = await startDevServer(
      { cliPath: requireBinary('cli'), dbFile: join(dir, 'temporal.db'), port, uiPort, stdio: 'ignore' },
      60_000,
    );
  };
  const killServer = async () => {
    const child = server;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  };
  const stopGroup = async (spawned: Spawned | undefined) => {
    const pid = spawned?.child.pid;
    if (pid === undefined || !groupAlive(pid)) return;
    process.kill(-pid, 'SIGKILL');
    await waitFor(
      () => `group ${pid} to exit`,
      () => Promise.resolve(!groupAlive(pid)),
      10_000,
    ).catch(() => undefined);
  };
  const node = (entry: string, ready: RegExp): Promise<Spawned> => {
    const spawned = spawnGroup(process.execPath, ['--import', TSX, join(PROJECT_ROOT, entry)], {
      cwd: dir,
      env,
    });
    return waitFor(
      () => `${entry} to be ready; output so far:\n${spawned.output()}`,
      () => {
        if (spawned.child.exitCode !== null) throw new Error(`${entry} exited:\n${spawned.output()}`);
        return Promise.resolve(ready.test(spawned.output()));
      },
      60_000,
    ).then(
      () => spawned,
      async (error: unknown) => {
        // Not ready: take the process down with the failure, so nothing outlives the test.
        await stopGroup(spawned);
        throw error;
      },
    );
  };
  const startWorker = async () => (worker = await node('src/worker/main.ts', /polling task queue/));
  const killWorker = async () => {
    const child = worker?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await worker!.exited;
  };
  const startApi = async () => (api = await node('src/api/main.ts', /listening on http/));
  const cli = async (...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [join(PROJECT_ROOT, 'bin/incident.js'), ...args],
        {
          cwd: dir,
          env,
          timeout: 60_000,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : 1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      };
    }
  };
  const cliJson = async <T>(...args: string[]): Promise<T> => {
    const result = await cli(...args, '--json');
    if (result.code !== 0)
      throw new Error(`incident ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as T;
  };
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const post = (path: string, body: unknown) =>
    fetch(`${apiBase}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${E2E_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const close = async () => {
    await stopGroup(api);
    await stopGroup(worker);
    await killServer();
  };
  try {
    await startServer();
    // allSettled, not all: when one start fails the other may still be spawning, and closing
    // before it has spawned would leave it running after the test (CI once hung on such orphans).
    const started = await Promise.allSettled([startWorker(), startApi()]);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    dir,
    address,
    apiBase,
    configPath,
    env,
    startServer,
    killServer,
    startWorker,
    killWorker,
    startApi,
    cli,
    cliJson,
    post,
    close,
  };
}
