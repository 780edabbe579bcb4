import { isTemporalServing } from '../temporal/dev-server';
import { postgresAccepting, psql, type PostgresPaths } from './postgres';
import type { ClusterSettings } from './settings';
import type { Supervisor } from './supervisor';

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Polls `check` until it holds. Every wait also watches the supervised processes: a server that
 * dies during the start ends the wait at once with its log's last lines, instead of a timeout
 * minutes later that says nothing about why.
 */
async function until(
  what: string,
  supervisor: Supervisor,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  let died: { name: string; code: number | null; signal: NodeJS.Signals | null } | undefined;
  void supervisor.firstExit().then((exit) => (died = exit));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died) {
      throw new Error(
        `${died.name} exited (code ${died.code ?? died.signal}) while waiting for ${what}; last lines of its log:\n${supervisor.tail(died.name)}`,
      );
    }
    if (await check().catch(() => false)) return;
    await pause(500);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

export const waitForFrontend = (address: string, supervisor: Supervisor, timeoutMs: number) =>
  until(`the Temporal frontend at ${address}`, supervisor, timeoutMs, () =>
    isTemporalServing(address, 2_000),
  );

/** PostgreSQL accepting connections (a port already taken shows up as its death, with its log). */
export const waitForPostgres = (pg: PostgresPaths, port: number, supervisor: Supervisor, timeoutMs: number) =>
  until(`PostgreSQL on port ${port}`, supervisor, timeoutMs, () =>
    Promise.resolve(postgresAccepting(pg, port)),
  );

/** The cluster metadata row the first server process writes (instant on an existing database). */
export const waitForClusterMetadata = (
  pg: PostgresPaths,
  port: number,
  supervisor: Supervisor,
  timeoutMs: number,
) =>
  until('the cluster metadata row', supervisor, timeoutMs, () =>
    Promise.resolve(
      psql(pg, port, 'SELECT count(*) FROM cluster_metadata_info;', {}, 'temporal').trim() !== '0',
    ),
  );

/** Membership role of history hosts in cluster_membership (persistence.ServiceType History). */
const HISTORY_ROLE = 2;

/** Membership ports of the history hosts that currently hold a live membership record. */
export function liveHistoryMembers(pg: PostgresPaths, port: number): number[] {
  const out = psql(
    pg,
    port,
    `SELECT rpc_port FROM cluster_membership WHERE role = ${HISTORY_ROLE} AND record_expiry > (now() AT TIME ZONE 'utc') ORDER BY rpc_port;`,
    {},
    'temporal',
  );
  return out
    .split('\n')
    .filter((line) => line.trim())
    .map(Number);
}

/** Both history hosts joined: their membership ports are live in cluster_membership. */
export const waitForHistoryHosts = (
  pg: PostgresPaths,
  settings: ClusterSettings,
  supervisor: Supervisor,
  timeoutMs: number,
) => {
  const wanted = settings.hosts.filter((h) => h.service === 'history').map((h) => h.membershipPort);
  return until(`history hosts ${wanted.join(', ')} in cluster membership`, supervisor, timeoutMs, () =>
    Promise.resolve(
      wanted.every((p) => liveHistoryMembers(pg, settings.ports.CLUSTER_POSTGRES_PORT).includes(p)),
    ),
  );
};

export const waitForHttp = (url: string, supervisor: Supervisor, name: string, timeoutMs: number) =>
  until(`${name} at ${url}`, supervisor, timeoutMs, async () => (await fetch(url)).ok);

export const waitForApi = (port: number, supervisor: Supervisor, timeoutMs: number) =>
  waitForHttp(`http://127.0.0.1:${port}/healthz`, supervisor, 'the API', timeoutMs);
