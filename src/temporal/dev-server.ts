import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../contracts/search-attributes';
import { registerMissingSearchAttributes } from './search-attributes';
import { type DevSqliteMode, sqlitePragmaArgs } from '../config/dev-sqlite';

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file; the same file on the next start keeps every open incident. */
  dbFile: string;
  /** How the file commits (src/config/dev-sqlite.ts); unset: the default, as `npm start`. */
  sqlite?: DevSqliteMode;
  ip?: string;
  port: number;
  uiPort: number;
  namespace?: string;
  /** Where the server's own output goes; defaults to this process's stdout/stderr. */
  stdio?: 'inherit' | 'pipe' | 'ignore';
}

/** The `temporal server start-dev` argument list, with this project's search attributes. */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    resolve(options.dbFile),
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace ?? 'default',
    // The server logs shutdown chatter at WARN; errors are what an operator needs to see.
    '--log-level',
    'error',
    ...sqlitePragmaArgs(options.sqlite),
  ];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_DECLARATIONS)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  return args;
}

/**
 * A plain address (a local server, no TLS) or the full options of a profile (TLS, API key), so a
 * remote server is checked with the credentials the engine will use.
 */
export type ServerTarget = string | (ConnectionOptions & { address: string });
const targetOptions = (target: ServerTarget) => (typeof target === 'string' ? { address: target } : target);

/**
 * True when a Temporal frontend answers its gRPC health check at `address` within `timeoutMs`.
 * Uses the SDK's own connection so TLS-less local servers and the dev server are checked alike.
 */
export async function isTemporalServing(target: ServerTarget, timeoutMs = 2_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...targetOptions(target), connectTimeout: timeoutMs });
    const response = await connection.healthService.check({});
    return Number(response.status) === 1; // grpc.health.v1 SERVING
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/**
 * One line naming the Temporal server at `address`: its version and whether `namespace` exists,
 * so `npm start` says which server it reuses instead of silently attaching to whatever answers.
 */
export async function describeTemporalServer(
  target: ServerTarget,
  namespace: string,
  timeoutMs = 2_000,
): Promise<string> {
  const { address } = targetOptions(target);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...targetOptions(target), connectTimeout: timeoutMs });
    const service = connection.workflowService;
    const info = await connection.withDeadline(Date.now() + timeoutMs, () => service.getSystemInfo({}));
    const found = await connection
      .withDeadline(Date.now() + timeoutMs, () => service.describeNamespace({ namespace }))
      .then(() => 'found')
      .catch(() => 'NOT FOUND on this server');
    return `Temporal ${info.serverVersion || '(version not reported)'} at ${address}, namespace "${namespace}" ${found}`;
  } catch (error) {
    return `Temporal at ${address}, namespace "${namespace}" (version unknown: ${(error as Error).message.split('\n')[0]})`;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** Polls until the server is serving, the child exits, or the deadline passes. */
export async function waitUntilServing(
  address: string,
  child: ChildProcess | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`Temporal dev server exited with code ${child.exitCode} before it was ready`);
    }
    if (await isTemporalServing(address, 1_000)) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`Temporal server at ${address} was not serving after ${timeoutMs / 1000}s`);
}

/**
 * Starts the dev server as a child process and resolves once it is healthy and has this version's
 * search attributes (a SQLite file from an older version gets the ones added since).
 */
export async function startDevServer(options: DevServerOptions, timeoutMs = 60_000): Promise<ChildProcess> {
  mkdirSync(dirname(resolve(options.dbFile)), { recursive: true });
  const child = spawn(options.cliPath, devServerArgs(options), { stdio: options.stdio ?? 'inherit' });
  const address = `${options.ip ?? '127.0.0.1'}:${options.port}`;
  try {
    await waitUntilServing(address, child, timeoutMs);
    const connection = await Connection.connect({ address });
    try {
      await registerMissingSearchAttributes(connection, options.namespace ?? 'default');
    } finally {
      await connection.close();
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}
