/**
 * `npm run provision:cluster`: finds or installs what `npm run cluster` runs besides Node:
 * the Temporal server, temporal-sql-tool and the UI server (built with `go install` from the Go
 * module proxy at the versions pinned in src/temporal/cluster-binaries.ts), the server's
 * PostgreSQL schema (copied out of the Go module cache) and PostgreSQL itself (Debian package).
 *
 * Not part of `npm install`: a cold Go build takes ≈ 11 minutes on two busy cores. `npm run
 * cluster` runs this when something is missing; .ci/run runs it with INCIDENT_PROVISION_STRICT=1.
 * There is no fallback behind these routes, so a miss always exits non-zero, listing every route
 * tried and the fix.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLUSTER_BINARIES,
  CLUSTER_BINARY_NAMES,
  CLUSTER_PINS,
  type ClusterBinary,
  clusterBinDir,
  clusterSchemaDir,
  locateClusterBinary,
  locatePostgres,
  POSTGRES_PROGRAMS,
} from '../src/temporal/cluster-binaries';
import { isExecutable, onPath } from '../src/temporal/binaries';
import { aptInstall } from './debian-tools';

const lastLine = (text: string): string =>
  text
    .trim()
    .split('\n')
    .filter((line) => line.trim())
    .pop() ?? '(no output)';

/** `go` from GO_BIN, PATH or the official tarball's usual place. */
function findGo(): { go?: string; tried: string[] } {
  const tried: string[] = [];
  if (process.env.GO_BIN) {
    if (isExecutable(process.env.GO_BIN)) return { go: process.env.GO_BIN, tried };
    tried.push(`GO_BIN=${process.env.GO_BIN} (not an executable file)`);
  }
  const fromPath = onPath('go', process.env);
  if (fromPath) return { go: fromPath, tried };
  tried.push("'go' on PATH (not found)");
  if (isExecutable('/usr/local/go/bin/go')) return { go: '/usr/local/go/bin/go', tried };
  tried.push('/usr/local/go/bin/go (not found)');
  return { tried };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): { ok: boolean; output: string } {
  try {
    const output = execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      timeout: 60 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ok: true, output };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? failure.message}` };
  }
}

/** One `go install` per GOBIN folder (server + sql tool share one module, so one build). */
function goInstall(go: string, binaries: ClusterBinary[], tried: string[]): void {
  const byDir = new Map<string, string[]>();
  for (const binary of binaries) {
    const spec = CLUSTER_BINARIES[binary];
    const dir = clusterBinDir(binary);
    byDir.set(dir, [...(byDir.get(dir) ?? []), `${spec.goPackage}@v${spec.version}`]);
  }
  for (const [dir, packages] of byDir) {
    mkdirSync(dir, { recursive: true });
    console.log(
      `[provision:cluster] go install ${packages.join(' ')} (GOBIN=${dir}); cold builds take minutes`,
    );
    const started = Date.now();
    // -mod=mod: build the module as published, whatever a go.work or vendor folder nearby says.
    const result = run(go, ['install', ...packages], { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' });
    const seconds = Math.round((Date.now() - started) / 1000);
    if (result.ok) console.log(`[provision:cluster] built in ${seconds} s`);
    else tried.push(`${go} install ${packages.join(' ')} (after ${seconds} s: ${lastLine(result.output)})`);
  }
}

/** Copies schema/postgresql/v12 of the pinned server module out of the Go module cache. */
function provisionSchema(go: string | undefined, tried: string[]): boolean {
  const target = clusterSchemaDir();
  if (existsSync(join(target, 'temporal', 'versioned'))) {
    console.log(`[provision:cluster] schema: ${target}`);
    return true;
  }
  if (!go) {
    tried.push(`schema: needs Go to download ${CLUSTER_PINS.server.module}@v${CLUSTER_PINS.server.version}`);
    return false;
  }
  const result = run(
    go,
    ['mod', 'download', '-json', `${CLUSTER_PINS.server.module}@v${CLUSTER_PINS.server.version}`],
    {
      ...process.env,
      GOFLAGS: '-mod=mod',
    },
  );
  if (!result.ok) {
    tried.push(`${go} mod download ${CLUSTER_PINS.server.module} (${lastLine(result.output)})`);
    return false;
  }
  const moduleDir = (JSON.parse(result.output) as { Dir?: string }).Dir;
  const source = moduleDir ? join(moduleDir, 'schema', 'postgresql', 'v12') : '';
  if (!moduleDir || !existsSync(source)) {
    tried.push(`schema: ${source || 'module folder'} not found after go mod download`);
    return false;
  }
  mkdirSync(target, { recursive: true });
  cpSync(source, target, { recursive: true });
  console.log(`[provision:cluster] schema: copied ${source} to ${target}`);
  return true;
}

function provisionPostgres(tried: string[]): boolean {
  const missing = POSTGRES_PROGRAMS.filter((program) => !locatePostgres(program).found);
  if (missing.length > 0) {
    const pkg = `postgresql-${CLUSTER_PINS.postgresMajor}`;
    console.log(`[provision:cluster] PostgreSQL (${missing.join(', ')}): installing Debian package ${pkg}`);
    tried.push(...aptInstall([pkg]).tried);
  }
  let ok = true;
  for (const program of POSTGRES_PROGRAMS) {
    const { found, tried: routes } = locatePostgres(program);
    if (found) {
      console.log(`[provision:cluster] ${program}: ${found.path} (via ${found.route})`);
    } else {
      ok = false;
      tried.push(...routes);
    }
  }
  return ok;
}

if (process.env.INCIDENT_SKIP_PROVISION === '1') {
  console.log('[provision:cluster] skipped (INCIDENT_SKIP_PROVISION=1)');
  process.exit(0);
}

const tried: string[] = [];
const missing = CLUSTER_BINARY_NAMES.filter((binary) => {
  const { found, tried: routes } = locateClusterBinary(binary);
  if (found)
    console.log(
      `[provision:cluster] ${CLUSTER_BINARIES[binary].pathName}: ${found.path} (via ${found.route})`,
    );
  else tried.push(...routes);
  return !found;
});
const { go, tried: goRoutes } = findGo();
// A set override that points nowhere is the operator's mistake to fix: building would not help.
const installable = missing.filter((binary) => !process.env[CLUSTER_BINARIES[binary].env]);
if (installable.length > 0) {
  if (go) goInstall(go, installable, tried);
  else tried.push(...goRoutes);
}
const stillMissing = CLUSTER_BINARY_NAMES.filter((binary) => !locateClusterBinary(binary).found);
for (const binary of missing.filter((b) => !stillMissing.includes(b))) {
  console.log(
    `[provision:cluster] ${CLUSTER_BINARIES[binary].pathName}: ${locateClusterBinary(binary).found!.path}`,
  );
}
const schemaOk = provisionSchema(go, tried);
const postgresOk = provisionPostgres(tried);

if (stillMissing.length > 0 || !schemaOk || !postgresOk) {
  const what = [
    ...stillMissing.map((binary) => CLUSTER_BINARIES[binary].pathName),
    ...(schemaOk ? [] : ['schema']),
    ...(postgresOk ? [] : ['PostgreSQL']),
  ];
  console.error(
    `[provision:cluster] missing: ${what.join(', ')}. Tried:\n  - ${tried.join('\n  - ')}\n` +
      'Fix: install Go (https://go.dev/dl) with access to the module proxy and re-run ' +
      "'npm run provision:cluster', or set TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH / " +
      'TEMPORAL_UI_SERVER_PATH / TEMPORAL_SCHEMA_DIR / POSTGRES_BIN_DIR.',
  );
  process.exit(1);
}
