import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable, type LocatedBinary, locateStrict, onPath, toolsDir } from './binaries';

/**
 * The one place that pins what `npm run cluster` runs (the production topology as native
 * processes). docker-compose.yml uses the same versions; test/unit/compose.test.ts keeps the two
 * equal. The Go binaries are built from the Go module proxy by `npm run provision:cluster`
 * (≈ 11 min cold on two busy cores, so not part of `npm install`).
 */
export const CLUSTER_PINS = {
  /** Temporal server and its SQL schema tool come from one module at one version. */
  server: { module: 'go.temporal.io/server', version: '1.32.0' },
  ui: { module: 'github.com/temporalio/ui-server/v2', version: '2.54.1' },
  /** Major version of PostgreSQL, native (Debian package) and in compose (postgres image). */
  postgresMajor: 15,
} as const;

/**
 * Each binary: how an operator overrides it, what it is called on PATH, the Go package that
 * builds it and the folder under .tools it is installed into (one per version, like the CLI).
 */
export const CLUSTER_BINARIES = {
  temporalServer: {
    env: 'TEMPORAL_SERVER_PATH',
    pathName: 'temporal-server',
    goPackage: `${CLUSTER_PINS.server.module}/cmd/server`,
    version: CLUSTER_PINS.server.version,
    folder: `temporal-server-${CLUSTER_PINS.server.version}`,
    // `go install` names the binary after the package's last path element.
    installedName: 'server',
  },
  sqlTool: {
    env: 'TEMPORAL_SQL_TOOL_PATH',
    pathName: 'temporal-sql-tool',
    goPackage: `${CLUSTER_PINS.server.module}/cmd/tools/sql`,
    version: CLUSTER_PINS.server.version,
    folder: `temporal-server-${CLUSTER_PINS.server.version}`,
    installedName: 'sql',
  },
  uiServer: {
    env: 'TEMPORAL_UI_SERVER_PATH',
    pathName: 'temporal-ui-server',
    goPackage: `${CLUSTER_PINS.ui.module}/cmd/server`,
    version: CLUSTER_PINS.ui.version,
    // Its own folder: the UI's `server` binary would overwrite the Temporal server's.
    folder: `temporal-ui-server-${CLUSTER_PINS.ui.version}`,
    installedName: 'server',
  },
} as const;

export type ClusterBinary = keyof typeof CLUSTER_BINARIES;
export const CLUSTER_BINARY_NAMES = Object.keys(CLUSTER_BINARIES) as ClusterBinary[];

/** Where `go install` puts a binary (GOBIN) for the pinned version. */
export const clusterBinDir = (binary: ClusterBinary, env: NodeJS.ProcessEnv = process.env): string =>
  join(toolsDir(env), CLUSTER_BINARIES[binary].folder, 'bin');

/**
 * The server's PostgreSQL schema, copied next to the binaries at provisioning time: the Go module
 * cache it comes from can be cleaned (`go clean -modcache`) while the binaries stay.
 */
export const clusterSchemaDir = (env: NodeJS.ProcessEnv = process.env): string =>
  join(toolsDir(env), CLUSTER_BINARIES.temporalServer.folder, 'schema', 'postgresql', 'v12');

/**
 * Finds a cluster binary without building anything: environment override, then the pinned
 * .tools folder, then PATH. The pinned folder comes before PATH here (unlike the CLI) because a
 * `temporal-server` on PATH has no version guarantee and the schema must match the server.
 */
export function locateClusterBinary(
  binary: ClusterBinary,
  env: NodeJS.ProcessEnv = process.env,
): { found?: LocatedBinary; tried: string[] } {
  const spec = CLUSTER_BINARIES[binary];
  return locateStrict(
    spec.env,
    [{ file: join(clusterBinDir(binary, env), spec.installedName) }, { onPath: spec.pathName }],
    env,
  );
}

export class ClusterBinaryMissingError extends Error {
  constructor(binary: ClusterBinary, tried: string[]) {
    const spec = CLUSTER_BINARIES[binary];
    super(
      `No ${spec.pathName} ${spec.version} found. Tried:\n  - ${tried.join('\n  - ')}\n` +
        `Fix: run 'npm run provision:cluster' (builds it with Go from the module proxy), or set ${spec.env}.`,
    );
    this.name = 'ClusterBinaryMissingError';
  }
}

export function requireClusterBinary(binary: ClusterBinary, env: NodeJS.ProcessEnv = process.env): string {
  const { found, tried } = locateClusterBinary(binary, env);
  if (!found) throw new ClusterBinaryMissingError(binary, tried);
  return found.path;
}

/** The schema folder the native run uses: TEMPORAL_SCHEMA_DIR overrides the provisioned copy. */
export function requireSchemaDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.TEMPORAL_SCHEMA_DIR ?? clusterSchemaDir(env);
  if (!existsSync(join(dir, 'temporal', 'versioned')) || !existsSync(join(dir, 'visibility', 'versioned'))) {
    throw new Error(
      `No Temporal PostgreSQL schema at ${dir} (expected temporal/versioned and visibility/versioned). ` +
        `Fix: run 'npm run provision:cluster', or set TEMPORAL_SCHEMA_DIR to the server's schema/postgresql/v12 folder.`,
    );
  }
  return dir;
}

/** The PostgreSQL programs the native cluster runs, with the folder Debian installs them in. */
export const POSTGRES_PROGRAMS = ['initdb', 'postgres', 'psql', 'pg_isready'] as const;
export type PostgresProgram = (typeof POSTGRES_PROGRAMS)[number];

/**
 * Finds a PostgreSQL program: POSTGRES_BIN_DIR, then Debian's versioned folder for the pinned
 * major version (its programs are not on PATH by default), then PATH.
 */
export function locatePostgres(
  program: PostgresProgram,
  env: NodeJS.ProcessEnv = process.env,
): { found?: LocatedBinary; tried: string[] } {
  const tried: string[] = [];
  const dirs: [string, string][] = [];
  if (env.POSTGRES_BIN_DIR) dirs.push([env.POSTGRES_BIN_DIR, 'POSTGRES_BIN_DIR']);
  else tried.push('POSTGRES_BIN_DIR (not set)');
  dirs.push([`/usr/lib/postgresql/${CLUSTER_PINS.postgresMajor}/bin`, 'Debian package folder']);
  for (const [dir, route] of dirs) {
    const candidate = join(dir, program);
    if (isExecutable(candidate)) return { found: { path: candidate, route }, tried };
    tried.push(`${candidate} (not found)`);
  }
  const fromPath = onPath(program, env);
  if (fromPath) return { found: { path: fromPath, route: 'PATH' }, tried };
  tried.push(`'${program}' on PATH (not found)`);
  return { tried };
}

export function requirePostgres(program: PostgresProgram, env: NodeJS.ProcessEnv = process.env): string {
  const { found, tried } = locatePostgres(program, env);
  if (!found) {
    throw new Error(
      `PostgreSQL's ${program} not found. Tried:\n  - ${tried.join('\n  - ')}\n` +
        `Fix: run 'npm run provision:cluster' (installs Debian's postgresql-${CLUSTER_PINS.postgresMajor}), or set POSTGRES_BIN_DIR.`,
    );
  }
  return found.path;
}
