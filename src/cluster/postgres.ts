import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { requirePostgres } from '../temporal/cluster-binaries';
import type { DbLogin } from './configs';
import type { Supervisor } from './supervisor';

export interface PostgresPaths {
  dataDir: string;
  socketDir: string;
  passwordFile: string;
}

export const postgresPaths = (stateDir: string): PostgresPaths => ({
  dataDir: join(stateDir, 'postgres', 'data'),
  // Unix socket here rather than /var/run/postgresql: ours, and no clash with a system server.
  socketDir: join(stateDir, 'postgres', 'run'),
  passwordFile: join(stateDir, 'postgres', 'temporal-password'),
});

/**
 * Who PostgreSQL runs as. initdb and postgres refuse to run as root, so a root run uses the
 * `postgres` account (the Debian package creates it); anyone else runs it as themselves.
 */
export function postgresAccount(): { uid?: number; gid?: number; name: string } {
  if (process.getuid?.() !== 0) return { name: 'the current user' };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) {
    throw new Error(
      'Running as root, and PostgreSQL refuses root: no `postgres` account to run it as. ' +
        'Fix: install the postgresql package (it creates the account), or run npm run cluster as an ordinary user.',
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), name: 'postgres' };
}

/** Fails early, naming the folder, when the postgres account cannot reach the state dir. */
function checkReachable(dir: string, account: ReturnType<typeof postgresAccount>): void {
  if (account.uid === undefined) return;
  const probe = spawnSync('test', ['-x', dir], { uid: account.uid, gid: account.gid });
  if (probe.status !== 0) {
    throw new Error(
      `The postgres account cannot reach ${dir} (a parent folder is not searchable by others). ` +
        'Fix: chmod o+x on the parent folders, or set CLUSTER_STATE_DIR to a folder under one it can reach.',
    );
  }
}

/**
 * initdb on the first run only (PG_VERSION marks a made cluster). Local socket connections are
 * trusted (the socket folder is ours), TCP ones need a password: the Temporal services log in
 * over 127.0.0.1 with a generated password kept in the state dir (mode 0600).
 */
export function ensurePostgresInitialized(paths: PostgresPaths): {
  created: boolean;
  account: ReturnType<typeof postgresAccount>;
} {
  const account = postgresAccount();
  mkdirSync(paths.socketDir, { recursive: true });
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  if (account.uid !== undefined) {
    for (const dir of [dirname(paths.dataDir), paths.dataDir, paths.socketDir])
      chownSync(dir, account.uid, account.gid!);
  }
  checkReachable(paths.socketDir, account);
  if (existsSync(join(paths.dataDir, 'PG_VERSION'))) return { created: false, account };
  const result = spawnSync(
    requirePostgres('initdb'),
    [
      '-D',
      paths.dataDir,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--no-instructions',
    ],
    { uid: account.uid, gid: account.gid, cwd: paths.dataDir, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(
      `initdb failed (as ${account.name}): ${(result.stderr || result.stdout || String(result.error)).trim()}`,
    );
  }
  return { created: true, account };
}

export function startPostgres(
  supervisor: Supervisor,
  paths: PostgresPaths,
  port: number,
  account: ReturnType<typeof postgresAccount>,
): void {
  supervisor.start({
    name: 'postgres',
    command: requirePostgres('postgres'),
    args: [
      '-D',
      paths.dataDir,
      '-p',
      String(port),
      '-k',
      paths.socketDir,
      '-c',
      'listen_addresses=127.0.0.1',
      // Five Temporal processes with up to 14 connections each, the schema tool and psql.
      '-c',
      'max_connections=200',
    ],
    uid: account.uid,
    gid: account.gid,
    cwd: paths.dataDir,
    stage: 0,
    output: 'log',
    stopSignal: 'SIGINT',
    graceMs: 30_000,
  });
}

/** True when PostgreSQL accepts connections on its socket (pg_isready exits 0). */
export function postgresAccepting(paths: PostgresPaths, port: number): boolean {
  return (
    spawnSync(requirePostgres('pg_isready'), ['-q', '-h', paths.socketDir, '-p', String(port)]).status === 0
  );
}

/** Runs SQL as the superuser over the Unix socket; variables are passed with psql's -v, never spliced. */
export function psql(
  paths: PostgresPaths,
  port: number,
  sql: string,
  vars: Record<string, string> = {},
  database = 'postgres',
): string {
  const args = [
    '-X',
    '-q',
    '-A',
    '-t',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    paths.socketDir,
    '-p',
    String(port),
    '-U',
    'postgres',
    '-d',
    database,
  ];
  for (const [name, value] of Object.entries(vars)) args.push('-v', `${name}=${value}`);
  return execFileSync(requirePostgres('psql'), args, {
    input: sql,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Creates (or re-passwords) the `temporal` login; its password is generated once and kept. */
export function ensureTemporalLogin(paths: PostgresPaths, port: number): DbLogin {
  let password: string;
  try {
    accessSync(paths.passwordFile, constants.R_OK);
    password = readFileSync(paths.passwordFile, 'utf8').trim();
  } catch {
    password = randomBytes(18).toString('hex');
    writeFileSync(paths.passwordFile, `${password}\n`, { mode: 0o600 });
  }
  psql(
    paths,
    port,
    [
      "SELECT 'CREATE ROLE temporal' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal')\\gexec",
      "ALTER ROLE temporal WITH LOGIN CREATEDB PASSWORD :'pw';",
      '',
    ].join('\n'),
    { pw: password },
  );
  return { user: 'temporal', password };
}
