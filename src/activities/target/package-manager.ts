/**
 * Finds the binary of the package manager a repository expects and the environment to run it
 * with. Order: the repository's own node_modules/.bin, then PATH, then (pnpm only, last) the
 * engine's bundled pnpm, and a pinned version must match. Never downloads anything: when the pin
 * cannot be met it fails `PackageManagerMissing` naming the pin and what was found.
 */
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { inspectPackageManager, isGuideDefault, runbookArgvFor } from '../../config/runbook-as-run';
import type { RunbookCommandName } from '../../config/target';
import {
  describeSpec,
  isPackageManagerName,
  noDownloadEnv,
  type PackageManagerName,
  type PackageManagerSpec,
  sameMajor,
  specOrigin,
  versionMatches,
} from '../../domain/package-manager';
import { PROJECT_BIN } from '../support/activity-context';

export interface PackageManagerCandidate {
  path: string;
  version: string;
  origin: 'repo-local' | 'path' | 'bundled';
}

export interface ResolvedPackageManager {
  spec: PackageManagerSpec;
  name: PackageManagerName;
  /** Absolute path of the binary to run. */
  path: string;
  version: string;
  origin: PackageManagerCandidate['origin'];
  /** Set when a pin was met by a same-major stand-in rather than the exact version. */
  note?: string;
  /** Set on top of the command environment. */
  env: Record<string, string>;
  /** Removed from the command environment (settings this manager would warn about). */
  unsetEnv: string[];
}

export class PackageManagerMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageManagerMissingError';
  }
}

const versions = new Map<string, Promise<string | undefined>>();

/** `<bin> --version`, once per binary and modification time; undefined when it does not run. */
async function versionOf(path: string, name: PackageManagerName): Promise<string | undefined> {
  const mtime = (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
  const key = `${path}\0${mtime}`;
  let found = versions.get(key);
  if (!found) {
    // Run outside any project, so a pin in the current folder cannot make it switch or refuse.
    found = execa(path, ['--version'], {
      cwd: '/',
      env: { ...noDownloadEnv(name), npm_config_update_notifier: 'false' },
      timeout: 15_000,
      reject: false,
    }).then((r) => (r.exitCode === 0 && /^\d+\.\d+/.test(r.stdout.trim()) ? r.stdout.trim() : undefined));
    versions.set(key, found);
  }
  return found;
}

const executable = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

/** Every binary named `name` the rules allow, in order of preference, with its version. */
export async function findCandidates(
  repo: string,
  name: PackageManagerName,
  pathEnv = process.env.PATH ?? '',
  bundledBin = PROJECT_BIN,
): Promise<PackageManagerCandidate[]> {
  const places: { path: string; origin: PackageManagerCandidate['origin'] }[] = [
    { path: join(repo, 'node_modules', '.bin', name), origin: 'repo-local' },
    ...pathEnv
      .split(delimiter)
      .filter((dir) => dir && dir !== bundledBin)
      .map((dir) => ({ path: join(dir, name), origin: 'path' as const })),
  ];
  if (name === 'pnpm') places.push({ path: join(bundledBin, 'pnpm'), origin: 'bundled' });
  const seen = new Set<string>();
  const found: PackageManagerCandidate[] = [];
  for (const place of places) {
    if (seen.has(place.path) || !existsSync(place.path) || !(await executable(place.path))) continue;
    seen.add(place.path);
    const version = await versionOf(place.path, name);
    if (version) found.push({ ...place, version });
  }
  return found;
}

/**
 * Picks the binary: with a pin, the first exact match anywhere, else the first of the same major
 * (noted); without one, the first found. Throws `PackageManagerMissingError` otherwise.
 */
export function choose(
  spec: PackageManagerSpec,
  candidates: PackageManagerCandidate[],
): {
  chosen: PackageManagerCandidate;
  note?: string;
} {
  const pin = spec.pinnedVersion;
  const exact = pin ? candidates.find((c) => versionMatches(c.version, pin)) : candidates[0];
  if (exact) return { chosen: exact };
  const close = pin ? candidates.find((c) => sameMajor(c.version, pin)) : undefined;
  if (close)
    return {
      chosen: close,
      note: `repo pins ${spec.name}@${pin}; using ${spec.name} ${close.version} at ${close.path} (same major)`,
    };
  const seen = candidates.length
    ? `found ${candidates.map((c) => `${spec.name} ${c.version} at ${c.path}`).join(', ')}`
    : `no ${spec.name} found in the repository's node_modules/.bin or on PATH`;
  const fix = pin
    ? `install ${spec.name}@${pin} on the engine's PATH (the engine never downloads a package manager during an incident), or change packageManager`
    : `install ${spec.name} on the engine's PATH`;
  throw new PackageManagerMissingError(
    `${pin ? `repo pins ${spec.name}@${pin}` : `repo uses ${spec.name}`} (${specOrigin(spec)}); ${seen}; ${fix}`,
  );
}

/** The package manager to run in `repo`: detected, found, version-checked, with its environment. */
export async function resolvePackageManager(
  repo: string,
  options: {
    spec?: PackageManagerSpec;
    name?: PackageManagerName;
    pathEnv?: string;
    bundledBin?: string;
  } = {},
): Promise<ResolvedPackageManager> {
  const detected = options.spec ?? (await inspectPackageManager(repo));
  // A command naming another manager than the repository's runs that one, unpinned.
  const spec: PackageManagerSpec =
    options.name && options.name !== detected.name
      ? { name: options.name, source: 'default', warnings: [] }
      : detected;
  const candidates = await findCandidates(repo, spec.name, options.pathEnv, options.bundledBin);
  const { chosen, note } = choose(spec, candidates);
  return {
    spec,
    name: spec.name,
    path: chosen.path,
    version: chosen.version,
    origin: chosen.origin,
    note,
    env: noDownloadEnv(spec.name),
    unsetEnv: spec.name === 'npm' ? ['npm_config_manage_package_manager_versions'] : [],
  };
}

export interface RunbookProgram {
  argv: string[];
  env: Record<string, string>;
  resolved?: ResolvedPackageManager;
}

/**
 * argv whose program is a package manager, run with the binary the rules pick (repo-local, PATH,
 * bundled pnpm; a pin must be met) and the no-download environment. Throws
 * `PackageManagerMissingError` when the pin cannot be met. Anything else runs as given.
 */
export async function packageManagerProgram(
  repo: string,
  argv: readonly string[],
  env: Record<string, string>,
  spec?: PackageManagerSpec,
): Promise<RunbookProgram> {
  if (!isPackageManagerName(argv[0] ?? '')) return { argv: [...argv], env };
  const resolved = await resolvePackageManager(repo, {
    spec: spec ?? (await inspectPackageManager(repo)),
    name: argv[0] as PackageManagerName,
    pathEnv: env.PATH,
  });
  const merged = { ...env, ...resolved.env };
  for (const key of resolved.unsetEnv) delete merged[key];
  return { argv: [resolved.path, ...argv.slice(1)], env: merged, resolved };
}

/**
 * What a runbook command actually runs in `repo`: the argv `runbookArgvFor` gives, its package
 * manager replaced by the binary the rules pick (`packageManagerProgram`).
 */
export async function runbookProgram(
  repo: string,
  command: RunbookCommandName,
  configured: readonly string[],
  env: Record<string, string>,
): Promise<RunbookProgram> {
  if (!isGuideDefault(command, configured) && !isPackageManagerName(configured[0] ?? ''))
    return { argv: [...configured], env };
  const spec = await inspectPackageManager(repo);
  return packageManagerProgram(repo, runbookArgvFor(command, configured, spec), env, spec);
}

/** One log line: what the repository asks for and what runs, e.g. `npm (package-lock.json): npm 11.1.0 at /usr/bin/npm (path)`. */
export const describeResolved = (resolved: ResolvedPackageManager): string =>
  `${describeSpec(resolved.spec)}: ${resolved.name} ${resolved.version} at ${resolved.path} (${resolved.origin})${resolved.note ? `; ${resolved.note}` : ''}`;
