/**
 * Which package manager a repository expects, from its package.json `packageManager` field and its
 * lockfile names, and how to run its scripts with it. Pure: the caller reads the files.
 */

export const PACKAGE_MANAGERS = ['pnpm', 'npm', 'yarn'] as const;
export type PackageManagerName = (typeof PACKAGE_MANAGERS)[number];

/** Lockfile name → the manager that writes it. */
export const LOCKFILES: Readonly<Record<string, PackageManagerName>> = {
  'pnpm-lock.yaml': 'pnpm',
  'package-lock.json': 'npm',
  'npm-shrinkwrap.json': 'npm',
  'yarn.lock': 'yarn',
};

export interface PackageManagerSpec {
  name: PackageManagerName;
  /** The exact version `packageManager` pins (without its `+sha...` hash), when it pins one. */
  pinnedVersion?: string;
  /** Where the answer came from: the field, a lockfile, or the guide's default (pnpm). */
  source: 'packageManager' | 'lockfile' | 'default';
  /** The lockfile found for this manager, if any. */
  lockfile?: string;
  /** Disagreements worth a line in doctor's output (field and lockfile name different managers). */
  warnings: string[];
}

export const isPackageManagerName = (name: string): name is PackageManagerName =>
  (PACKAGE_MANAGERS as readonly string[]).includes(name);

/** `pnpm@9.1.0+sha512.abc` → { name: 'pnpm', version: '9.1.0' }; anything else → undefined. */
export function parsePackageManagerField(value: unknown): { name: string; version?: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(@?[a-z0-9][a-z0-9._-]*)(?:@([^+\s]+))?(?:\+\S+)?$/i.exec(value.trim());
  if (!match) return undefined;
  return { name: match[1]!, version: match[2] };
}

/**
 * Decides the manager: the `packageManager` field wins (it is what corepack and pnpm enforce),
 * then the lockfile, then pnpm (the guide's). An unknown manager in the field is an error the
 * caller reports; it is never silently replaced.
 */
export function detectPackageManager(input: {
  packageJson?: unknown;
  files: readonly string[];
}): PackageManagerSpec {
  const field = parsePackageManagerField(
    input.packageJson && typeof input.packageJson === 'object'
      ? (input.packageJson as Record<string, unknown>).packageManager
      : undefined,
  );
  const lockfiles = input.files.filter((file) => file in LOCKFILES);
  const byLockfile = lockfiles.map((file) => LOCKFILES[file]!);
  const warnings: string[] = [];
  if (new Set(byLockfile).size > 1) warnings.push(`several lockfiles: ${lockfiles.join(', ')}`);
  if (field) {
    if (!isPackageManagerName(field.name))
      throw new UnsupportedPackageManagerError(
        `package.json packageManager names ${field.name}; the engine runs pnpm, npm or yarn`,
      );
    const lockfile = lockfiles.find((file) => LOCKFILES[file] === field.name);
    const others = lockfiles.filter((file) => LOCKFILES[file] !== field.name);
    if (others.length > 0)
      warnings.push(`package.json pins ${field.name} but the repository also has ${others.join(', ')}`);
    return { name: field.name, pinnedVersion: field.version, source: 'packageManager', lockfile, warnings };
  }
  if (lockfiles.length > 0)
    return { name: byLockfile[0]!, source: 'lockfile', lockfile: lockfiles[0], warnings };
  return { name: 'pnpm', source: 'default', warnings };
}

export class UnsupportedPackageManagerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPackageManagerError';
  }
}

/** Where the answer came from, in words: `package.json packageManager`, `package-lock.json` ... */
export const specOrigin = (spec: PackageManagerSpec): string =>
  spec.source === 'packageManager'
    ? 'package.json packageManager'
    : spec.source === 'lockfile'
      ? (spec.lockfile ?? 'lockfile')
      : 'no packageManager field or lockfile: the guide default';

/** One line saying what was detected, e.g. `pnpm@9.1.0 (package.json packageManager)`. */
export const describeSpec = (spec: PackageManagerSpec): string =>
  `${spec.name}${spec.pinnedVersion ? `@${spec.pinnedVersion}` : ''} (${specOrigin(spec)})`;

/** Whether `found` satisfies the pin: the same version, or the pinned prefix (`9` or `9.1`). */
export function versionMatches(found: string, pinned: string): boolean {
  const f = found.trim().replace(/^v/, '').split('.');
  const p = pinned.trim().replace(/^v/, '').split('.');
  return p.every((part, i) => f[i] === part);
}

/** Same major version: the engine's bundled pnpm may stand in for a pin only then. */
export const sameMajor = (found: string, pinned: string): boolean =>
  found.trim().replace(/^v/, '').split('.')[0] === pinned.trim().replace(/^v/, '').split('.')[0];

/** argv running the package.json script `script` the way each manager expects. */
export function runScriptArgv(name: PackageManagerName, script: string): string[] {
  return name === 'npm' ? ['npm', 'run', script] : [name, script];
}

/** argv of an install: a clean, lockfile-exact `npm ci` when npm has a lockfile. */
export function installArgv(spec: Pick<PackageManagerSpec, 'name' | 'lockfile'>): string[] {
  if (spec.name === 'npm') return spec.lockfile ? ['npm', 'ci'] : ['npm', 'install'];
  return [spec.name, 'install'];
}

/** argv listing direct dependencies (and, with `pkg`, one package). */
export function listArgv(name: PackageManagerName, pkg?: string): string[] {
  const base = name === 'npm' ? ['npm', 'ls'] : name === 'yarn' ? ['yarn', 'list'] : ['pnpm', 'ls'];
  return pkg ? [...base, pkg] : [...base, '--depth=0'];
}

/**
 * The guide's default runbook argv (written for pnpm) for another manager: `pnpm build` →
 * `npm run build`, `pnpm install` → `npm ci`, `pnpm ls --depth=0` → `npm ls --depth=0`.
 */
export function translateGuideArgv(argv: readonly string[], spec: PackageManagerSpec): string[] {
  if (argv[0] !== 'pnpm' || spec.name === 'pnpm') return [...argv];
  const [, verb, ...rest] = argv;
  if (verb === 'install' && rest.length === 0) return installArgv(spec);
  if ((verb === 'ls' || verb === 'list') && rest.length === 1)
    return rest[0] === '--depth=0' ? listArgv(spec.name) : listArgv(spec.name, rest[0]);
  if (verb && rest.length === 0) return runScriptArgv(spec.name, verb);
  return [spec.name, ...argv.slice(1)];
}

/**
 * Environment that keeps every package manager from fetching another package manager at
 * incident time: pnpm 10's `manage-package-manager-versions` (honoured only as `npm_config_*`;
 * without it pnpm runs `pnpm add pnpm@<pin>` against the registry), corepack's network and its
 * strict project check. npm warns about the pnpm setting, so npm commands go without it.
 */
export function noDownloadEnv(name?: PackageManagerName): Record<string, string> {
  const env: Record<string, string> = { COREPACK_ENABLE_NETWORK: '0', COREPACK_ENABLE_STRICT: '0' };
  if (name !== 'npm') env.npm_config_manage_package_manager_versions = 'false';
  return env;
}
