/**
 * `incident doctor`'s reading of a repository: package manager and version, workspaces, the
 * scripts the runbook needs, where the MCP server starts with its port variable and health path,
 * where widgets are built, the known-good tags. Reads files and `git tag`; runs nothing else.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { inspectPackageManager } from '../config/runbook-as-run';
import type { PackageManagerSpec } from '../domain/package-manager';
import {
  findHealthPath,
  findPortEnv,
  findRunbook,
  findServerStart,
  newestTag,
  type RunbookFindings,
  type Scripts,
  type Workspace,
} from './rules';

export interface ServerInspection {
  start: string[];
  startFrom: string;
  entry?: string;
  portEnv?: string;
  defaultPort?: number;
  healthPath?: string;
}

export interface Inspection {
  repo: string;
  packageManager: PackageManagerSpec;
  workspaces: Workspace[];
  runbook: RunbookFindings;
  server?: ServerInspection;
  /** Folders the widget build may write `*.html` to, most likely first; the proof picks the real one. */
  widgetsDistCandidates: string[];
  mcpPath?: string;
  uiPath?: string;
  testPaths: string[];
  visualBaselines?: string;
  knownGoodTagPattern: string;
  tags: string[];
  newestKnownGood?: string;
  /** What the rollback procedures need and the repository lacks, each naming where doctor looked. */
  missing: string[];
  warnings: string[];
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const scriptsOf = (pkg: Record<string, unknown> | undefined): Scripts =>
  pkg?.scripts && typeof pkg.scripts === 'object' ? (pkg.scripts as Scripts) : {};

/** Workspace folders from package.json `workspaces` or pnpm-workspace.yaml (`dir/*` globs, one level). */
async function readWorkspaces(repo: string, pkg: Record<string, unknown> | undefined): Promise<Workspace[]> {
  // npm and yarn: an array, or yarn's { packages: [...] }.
  const declared: unknown = pkg?.workspaces;
  const list: unknown = Array.isArray(declared)
    ? declared
    : (declared as { packages?: unknown } | undefined)?.packages;
  let patterns = Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  const pnpmFile = await readFile(join(repo, 'pnpm-workspace.yaml'), 'utf8').catch(() => undefined);
  if (pnpmFile) {
    const parsed = parseYaml(pnpmFile) as { packages?: unknown } | null;
    if (Array.isArray(parsed?.packages)) patterns = [...patterns, ...parsed.packages.map(String)];
  }
  const dirs: string[] = [];
  for (const pattern of patterns.map((p) => p.replace(/\/+$/, ''))) {
    if (pattern.startsWith('!')) continue;
    if (pattern.endsWith('/*') || pattern.endsWith('/**')) {
      const base = pattern.replace(/\/\*+$/, '');
      const entries = await readdir(join(repo, base), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) if (entry.isDirectory()) dirs.push(posix.join(base, entry.name));
    } else dirs.push(pattern);
  }
  const workspaces: Workspace[] = [];
  for (const dir of dirs) {
    const ws = await readJson(join(repo, dir, 'package.json'));
    if (ws)
      workspaces.push({ name: typeof ws.name === 'string' ? ws.name : dir, dir, scripts: scriptsOf(ws) });
  }
  return workspaces;
}

async function gitTags(repo: string, pattern: string): Promise<string[]> {
  const run = await execa('git', ['tag', '--list', pattern], { cwd: repo, reject: false });
  return run.exitCode === 0 ? run.stdout.split('\n').filter(Boolean) : [];
}

const firstExisting = (repo: string, paths: string[]): string | undefined =>
  paths.find((path) => existsSync(join(repo, path)));

export async function inspectRepository(repoPath: string, knownGoodTagPattern = 'v*'): Promise<Inspection> {
  const repo = resolve(repoPath);
  const missing: string[] = [];
  if (!existsSync(join(repo, '.git'))) missing.push(`a git repository at ${repo} (no .git)`);
  const pkg = await readJson(join(repo, 'package.json'));
  if (!pkg) missing.push(`package.json at ${join(repo, 'package.json')}`);
  const packageManager = await inspectPackageManager(repo);
  const scripts = scriptsOf(pkg);
  const workspaces = await readWorkspaces(repo, pkg);
  const runbook = findRunbook(packageManager, scripts, workspaces);
  if (!runbook.build) missing.push('a build script (package.json scripts.build): the full rollback runs it');
  if (!runbook.buildWidgets)
    missing.push(
      'a widget build (package.json scripts "build:widgets" / "widgets:build", or a widgets workspace with a build script): the widget rollback runs it',
    );
  if (!runbook.test)
    missing.push('a test script (package.json scripts.test): every rollback verifies with it');
  if (!runbook.contractTest)
    missing.push(
      'a contract test script (package.json scripts matching /contract/): the MCP rollback runs it',
    );

  const found = findServerStart(packageManager.name, scripts);
  let server: ServerInspection | undefined;
  if (!found)
    missing.push(
      'a server start script (package.json scripts "mcp:start" / "start"): the MCP rollback restarts it',
    );
  else {
    server = { start: found.start.argv, startFrom: found.start.from, entry: found.entry };
    const source = found.entry
      ? await readFile(join(repo, found.entry), 'utf8').catch(() => undefined)
      : undefined;
    if (!source) missing.push(`the server's entry file (from ${found.start.from})`);
    else {
      const port = findPortEnv(source);
      server.portEnv = port?.name;
      server.defaultPort = port?.defaultPort;
      server.healthPath = findHealthPath(source);
      if (!port) missing.push(`the server's port variable (no process.env.*PORT* in ${found.entry})`);
      if (!server.healthPath)
        missing.push(`the server's health path (no /health, /healthz or / route in ${found.entry})`);
    }
  }
  const mcpPath = server?.entry ? `${posix.dirname(server.entry)}/` : firstExisting(repo, ['platforms/mcp/']);
  const ws = runbook.widgetsWorkspace?.dir;
  const widgetsDistCandidates = [
    ...(ws ? [`${ws}/dist`, `${ws}/dist/widgets`] : []),
    'dist/widgets',
    'dist',
    ...workspaces.filter((w) => /widget/i.test(`${w.name} ${w.dir}`)).map((w) => `${w.dir}/dist`),
  ].filter((path, i, all) => all.indexOf(path) === i);

  const tags = await gitTags(repo, knownGoodTagPattern);
  const newestKnownGood = newestTag(tags);
  if (!newestKnownGood)
    missing.push(
      `a known-good tag matching ${knownGoodTagPattern} (git tag v1.0.0 <good commit>): checkout and reset roll back to it`,
    );
  return {
    repo,
    packageManager,
    workspaces,
    runbook,
    server,
    widgetsDistCandidates,
    mcpPath,
    uiPath: firstExisting(repo, ['packages/ui/src/', ...(ws ? [`${ws}/src/`] : [])]),
    testPaths: ['test', 'tests'].filter((path) => existsSync(join(repo, path))),
    visualBaselines: firstExisting(repo, ['tests/visual/baselines']),
    knownGoodTagPattern,
    tags,
    newestKnownGood,
    missing,
    warnings: [...packageManager.warnings],
  };
}
