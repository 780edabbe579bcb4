/**
 * What `incident doctor` concludes from a repository's files, as pure functions: which package.json
 * script is the build, the widget build, the tests, the contract test and the server start; which
 * environment variable the server reads its port from and which path answers health.
 */
import {
  installArgv,
  listArgv,
  type PackageManagerName,
  type PackageManagerSpec,
  runScriptArgv,
} from '../domain/package-manager';

export type Scripts = Record<string, string>;

export interface Workspace {
  name: string;
  /** Relative to the repository, without a trailing slash. */
  dir: string;
  scripts: Scripts;
}

/** A runbook command doctor found, and in words where it came from. */
export interface Found {
  argv: string[];
  from: string;
}

const firstScript = (scripts: Scripts, names: readonly string[], pattern?: RegExp): string | undefined =>
  names.find((name) => name in scripts) ??
  (pattern ? Object.keys(scripts).find((n) => pattern.test(n)) : undefined);

function fromScript(pm: PackageManagerName, scripts: Scripts, name: string): Found {
  return { argv: runScriptArgv(pm, name), from: `scripts["${name}"] = ${scripts[name]}` };
}

/** `npm run build --workspace=<name>`, `pnpm --filter <name> build`, `yarn workspace <name> build`. */
export function workspaceScriptArgv(pm: PackageManagerName, workspace: string, name: string): string[] {
  if (pm === 'npm') return ['npm', 'run', name, `--workspace=${workspace}`];
  if (pm === 'pnpm') return ['pnpm', '--filter', workspace, name];
  return ['yarn', 'workspace', workspace, name];
}

export interface RunbookFindings {
  install: Found;
  build?: Found;
  buildWidgets?: Found;
  /** The workspace whose build makes the widgets, when that is how they are built. */
  widgetsWorkspace?: Workspace;
  test?: Found;
  contractTest?: Found;
  visualTest?: Found;
  visualUpdate?: Found;
  dependencyListing: Found;
  upstreamUiSdk: Found;
}

export function findRunbook(
  spec: PackageManagerSpec,
  scripts: Scripts,
  workspaces: Workspace[],
): RunbookFindings {
  const pm = spec.name;
  const pick = (names: readonly string[], pattern?: RegExp) => {
    const name = firstScript(scripts, names, pattern);
    return name ? fromScript(pm, scripts, name) : undefined;
  };
  let buildWidgets = pick(['build:widgets', 'widgets:build', 'build-widgets'], /widget.*build|build.*widget/);
  const widgetsWorkspace = workspaces.find(
    (w) => /widget/i.test(`${w.name} ${w.dir}`) && 'build' in w.scripts,
  );
  if (!buildWidgets && widgetsWorkspace)
    buildWidgets = {
      argv: workspaceScriptArgv(pm, widgetsWorkspace.name, 'build'),
      from: `workspace ${widgetsWorkspace.name} (${widgetsWorkspace.dir}) scripts["build"] = ${widgetsWorkspace.scripts.build}`,
    };
  return {
    install: { argv: installArgv(spec), from: `${pm}${spec.lockfile ? ` with ${spec.lockfile}` : ''}` },
    build: pick(['build']),
    buildWidgets,
    widgetsWorkspace,
    test: pick(['test']),
    contractTest: pick(['test:mcp-contract', 'test:contract', 'contract-test', 'test:mcp'], /contract/),
    visualTest: pick(['test:visual:web', 'test:visual'], /^test:visual(?!.*update)/),
    visualUpdate: pick(['test:visual:update'], /visual.*update/),
    dependencyListing: { argv: listArgv(pm), from: `${pm} lists direct dependencies` },
    upstreamUiSdk: { argv: listArgv(pm, '@openai/apps-sdk-ui'), from: `${pm} lists the upstream UI SDK` },
  };
}

export interface ServerFindings {
  start: Found;
  /** The file `node <file>` runs, relative to the repository. */
  entry?: string;
}

/** The script that starts the MCP server: one named for it, else `start`, `serve`. */
export function findServerStart(pm: PackageManagerName, scripts: Scripts): ServerFindings | undefined {
  const name = firstScript(
    scripts,
    ['mcp:start', 'start:mcp', 'mcp', 'start', 'serve'],
    /mcp.*(start|serve)|(start|serve).*mcp/,
  );
  if (!name) return undefined;
  const entry = /\bnode\s+(?:--\S+\s+)*([^\s&|;]+\.[cm]?[jt]s)\b/.exec(scripts[name]!)?.[1];
  return { start: fromScript(pm, scripts, name), entry };
}

/** The environment variable the server reads its port from (one with PORT in its name) and its default. */
export function findPortEnv(source: string): { name: string; defaultPort?: number } | undefined {
  const match =
    /process\.env\.([A-Z0-9_]*PORT[A-Z0-9_]*)/.exec(source) ??
    /process\.env\[\s*['"]([A-Z0-9_]*PORT[A-Z0-9_]*)['"]\s*\]/.exec(source);
  if (!match) return undefined;
  const name = match[1]!;
  const fallback = new RegExp(`${name}['"\\]]*\\s*(?:\\?\\?|\\|\\|)\\s*['"]?(\\d{2,5})`).exec(source);
  return { name, defaultPort: fallback ? Number(fallback[1]) : undefined };
}

/** The health path the server answers: a literal health-like route, else `/` when it routes `/`. */
export function findHealthPath(source: string): string | undefined {
  const named = /['"`](\/(?:healthz|health|livez|readyz|ready|ping|status))['"`]/.exec(source);
  if (named) return named[1];
  return /url\s*===?\s*['"`]\/['"`]/.test(source) ? '/' : undefined;
}

/** Newest first by version (`v1.10.0` after `v1.9.0`). */
export function newestTag(tags: readonly string[]): string | undefined {
  const parts = (tag: string) => (tag.match(/\d+/g) ?? []).map(Number);
  return [...tags].sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++)
      if ((x[i] ?? -1) !== (y[i] ?? -1)) return (y[i] ?? -1) - (x[i] ?? -1);
    return b.localeCompare(a);
  })[0];
}
