/**
 * The embedded default target. With no config file, the worker acts on a sandbox copy of
 * examples/mcp-widgets-service under `<data dir>/sandbox/` (a real git repository, `v1.0.0`
 * tagged), so the quick start's incident triages something real and a drill has a repository to
 * clone. Any config file replaces it. The demo and the tests copy examples the same way.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import {
  DEFAULT_CONFIG_FILES,
  type EngineConfig,
  loadEngineConfig,
  parseEngineConfig,
} from './engine-config';

export const EXAMPLES = {
  'mcp-widgets-service': fileURLToPath(new URL('../../examples/mcp-widgets-service', import.meta.url)),
  'npm-mcp-service': fileURLToPath(new URL('../../examples/npm-mcp-service', import.meta.url)),
} as const;
export type ExampleName = keyof typeof EXAMPLES;

/** Build output and local state never travel with a copy. */
const SKIPPED = /[\\/](node_modules|dist|\.incident)([\\/]|$)/;

export interface ExampleCopyOptions {
  /** The release tag on the first commit; `v1.0.0` unless told. */
  tag?: string;
  message?: string;
  /** Committer identity, set on the repository so later commits by tests or the demo work. */
  user?: { name: string; email: string };
}

/**
 * Copies an example into `dest` (which must not exist) as a fresh git repository on `main`: one
 * commit, tagged. Returns the tagged commit.
 */
export async function copyExampleRepo(
  source: string,
  dest: string,
  options: ExampleCopyOptions = {},
): Promise<{ path: string; sha: string }> {
  const user = options.user ?? { name: 'Incident Engine', email: 'engine@example.invalid' };
  await cp(source, dest, { recursive: true, filter: (src) => !SKIPPED.test(src.slice(source.length)) });
  const git = async (...args: string[]) => (await execa('git', args, { cwd: dest })).stdout.trim();
  await git('init', '--quiet', '--initial-branch=main');
  await git('config', 'user.name', user.name);
  await git('config', 'user.email', user.email);
  await git('config', 'commit.gpgsign', 'false');
  await git('add', '--all');
  await git('commit', '--quiet', '-m', options.message ?? 'Release 1.0.0');
  await git('tag', options.tag ?? 'v1.0.0');
  return { path: dest, sha: await git('rev-parse', 'HEAD') };
}

export const sandboxPath = (dataDir: string): string => resolve(dataDir, 'sandbox', 'mcp-widgets-service');

export interface SandboxTarget {
  path: string;
  /** False when an earlier start already made it (incidents keep acting on the same copy). */
  created: boolean;
}

/** Makes the sandbox once (through a temp folder and a rename, so two starts never half-see it). */
export async function ensureSandboxTarget(dataDir: string): Promise<SandboxTarget> {
  const path = sandboxPath(dataDir);
  if (existsSync(join(path, '.git'))) return { path, created: false };
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await rm(temp, { recursive: true, force: true });
  await copyExampleRepo(EXAMPLES['mcp-widgets-service'], temp);
  try {
    await rename(temp, path);
    return { path, created: true };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (existsSync(join(path, '.git'))) return { path, created: false };
    throw error;
  }
}

export interface LoadedConfig {
  config: EngineConfig;
  /** Set when no config file exists and the engine acts on the sandbox. */
  sandbox?: SandboxTarget;
}

/**
 * The worker's config: the named or default file when there is one (exactly `loadEngineConfig`),
 * otherwise the defaults pointed at the sandbox copy under `dataDir` (relative to `cwd`).
 */
export async function loadConfigOrSandbox(
  path: string | undefined,
  dataDir: string,
  cwd = process.cwd(),
): Promise<LoadedConfig> {
  const hasFile = path !== undefined || DEFAULT_CONFIG_FILES.some((name) => existsSync(resolve(cwd, name)));
  if (hasFile) return { config: await loadEngineConfig(path, cwd) };
  const sandbox = await ensureSandboxTarget(resolve(cwd, dataDir));
  const config = parseEngineConfig({ target: { repoPath: sandbox.path } }, 'default config (sandbox target)');
  return { config, sandbox };
}

/** The loud line every entry point prints when the sandbox is in use. */
export const sandboxNotice = (sandbox: SandboxTarget): string =>
  [
    '*'.repeat(78),
    `NO CONFIG FILE: the engine acts on a SANDBOX copy of examples/mcp-widgets-service`,
    `  ${sandbox.path}${sandbox.created ? ' (just created, tagged v1.0.0)' : ''}`,
    `  Write incident.config.yaml (or set INCIDENT_CONFIG) to point it at your repository;`,
    `  \`incident doctor --repo <path> --write incident.config.yaml\` writes one. Any config replaces the sandbox.`,
    '*'.repeat(78),
  ].join('\n');
