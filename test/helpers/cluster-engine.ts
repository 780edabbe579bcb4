/**
 * The engine on the multi-process cluster (src/cluster/harness.ts), for fault tests: the cluster
 * in a temp state dir with its two engine workers and API, plus the CLI as a child process per
 * call and alerts posted the way Alertmanager delivers them (retried until the API answers 202).
 */
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ClusterHandle, startClusterIn } from '../../src/cluster/harness';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { freePort } from './processes';

const run = promisify(execFile);
export const CLUSTER_API_TOKEN = 'cluster-token-0123456789abcdef';

export interface ClusterEngine {
  cluster: ClusterHandle;
  configPath: string;
  env: NodeJS.ProcessEnv;
  /** `incident <args> --json`, parsed; throws with the output when the exit code is not 0. */
  cliJson: <T = Record<string, unknown>>(...args: string[]) => Promise<T>;
  /** POST to the API with the bearer token. */
  post: (path: string, body: unknown) => Promise<Response>;
}

/** Writes `config` to `<dir>/incident.config.json` and starts the cluster with the engine on it. */
export async function startClusterEngine(dir: string, config: unknown): Promise<ClusterEngine> {
  const configPath = join(dir, 'incident.config.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  // PostgreSQL runs as its own account when the tests run as root: it must reach the state dir.
  await chmod(dir, 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    INCIDENT_CONFIG: configPath,
    API_HOST: '127.0.0.1',
    API_TOKEN: CLUSTER_API_TOKEN,
    INCIDENT_OPERATOR: '@jscraik',
  };
  // A child must not think it is a test, nor talk to a server named by the runner's environment.
  delete env.NODE_TEST_CONTEXT;
  delete env.TEMPORAL_ADDRESS;
  const cluster = await startClusterIn({
    stateDir: join(dir, 'cluster'),
    freePort,
    engineEnv: env,
    workers: 2,
    cwd: dir,
  });
  const cliEnv = { ...env, TEMPORAL_ADDRESS: cluster.temporalAddress };
  const cliJson = async <T>(...args: string[]): Promise<T> => {
    try {
      const { stdout } = await run(
        process.execPath,
        [join(PROJECT_ROOT, 'bin/incident.js'), ...args, '--json'],
        {
          cwd: dir,
          env: cliEnv,
          timeout: 60_000,
        },
      );
      return JSON.parse(stdout) as T;
    } catch (error) {
      const e = error as { code?: unknown; stdout?: string; stderr?: string };
      throw new Error(
        `incident ${args.join(' ')} failed (${String(e.code)}): ${e.stderr ?? ''}${e.stdout ?? ''}`,
      );
    }
  };
  const post = (path: string, body: unknown) =>
    fetch(`${cluster.apiBase}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLUSTER_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  return { cluster, configPath, env: cliEnv, cliJson, post };
}

export interface Delivery {
  workflowId: string;
  /** Requests it took (Alertmanager retries a delivery that got no 2xx). */
  attempts: number;
  acceptedAt: number;
}

/** Posts a generic alert until the API accepts it, as a real sender retries; gives up after `timeoutMs`. */
export async function deliverAlert(
  engine: ClusterEngine,
  dedupKey: string,
  summary: string,
  timeoutMs = 120_000,
): Promise<Delivery> {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let last = '';
  while (Date.now() < deadline) {
    attempts++;
    try {
      const response = await engine.post('/webhooks/generic', {
        dedup_key: dedupKey,
        severity: 'SEV-3',
        summary,
        source: 'ci',
        scenario: 'widget-build-fails',
        service: 'widgets',
      });
      if (response.status === 202) {
        const { workflowId } = (await response.json()) as { workflowId: string };
        return { workflowId, attempts, acceptedAt: Date.now() };
      }
      last = `HTTP ${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`alert ${dedupKey} not accepted within ${timeoutMs} ms; last answer: ${last}`);
}
