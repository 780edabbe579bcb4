/**
 * A disposable copy of examples/mcp-widgets-service as a real git repository: the known-good
 * release tagged `v1.0.0`, then one real breaking commit of the chosen kind.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyExampleRepo, EXAMPLES } from '../../src/config/default-target';

export const EXAMPLE_SOURCE = EXAMPLES['mcp-widgets-service'];

/**
 * - `mcp-start`: the server refuses to start (a contract tool loses its implementation); the
 *   commit also edits README.md, outside platforms/mcp/.
 * - `mcp-contract`: the server starts but `render_widget` answers without HTML.
 * - `widget-build`: a widget grows past the bundle budget, so `pnpm build:widgets` fails.
 * - `ui-change`: the UI accent colour changes, so the visual test shows diffs.
 * - `test-hang`: a test that never ends and leaves a grandchild process running.
 * - `tool-error`: the server starts and /health says ok, but every `render_widget` call answers
 *   500 (it reads an argument clients do not send): only the error ratio in /metrics shows it.
 */
export type BreakKind =
  'mcp-start' | 'mcp-contract' | 'widget-build' | 'ui-change' | 'test-hang' | 'tool-error';

export interface ExampleRepo {
  path: string;
  /** The commit tagged v1.0.0. */
  goodSha: string;
  /** The breaking commit (HEAD unless `docsAfter`). */
  badSha?: string;
  /** HEAD when created. */
  headSha: string;
}

export const gitIn = async (repo: string, ...args: string[]): Promise<string> =>
  (await execa('git', args, { cwd: repo })).stdout.trim();

async function edit(repo: string, file: string, change: (text: string) => string): Promise<void> {
  const path = join(repo, file);
  const before = await readFile(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  await writeFile(path, after);
}

const BREAKS: Record<BreakKind, { message: string; apply: (repo: string) => Promise<void> }> = {
  'mcp-start': {
    message: 'Rename render_widget tool implementation',
    apply: async (repo) => {
      await edit(repo, 'platforms/mcp/tools.mjs', (t) => t.replace('render_widget:', 'renderWidget:'));
      await edit(repo, 'README.md', (t) => `${t}\nThe render tool is now called renderWidget.\n`);
    },
  },
  'mcp-contract': {
    message: 'Return widget markup under a new key',
    apply: (repo) =>
      edit(repo, 'platforms/mcp/tools.mjs', (t) =>
        t.replace('return { html: renderWidget(name) };', 'return { markup: renderWidget(name) };'),
      ),
  },
  'widget-build': {
    message: 'Show the full changelog',
    apply: (repo) =>
      edit(repo, 'packages/widgets/src/changelog.mjs', (t) =>
        t.replace(
          "list(['Widgets render from shared UI', 'Contract tests in CI'])",
          'list(Array.from({ length: 2000 }, (_, i) => `Change number ${i}`))',
        ),
      ),
  },
  'ui-change': {
    message: 'New accent colour',
    apply: (repo) =>
      edit(repo, 'packages/ui/src/theme.mjs', (t) => t.replace("accent: '#0b5fff'", "accent: '#d1242f'")),
  },
  'tool-error': {
    message: 'Render widgets in the caller theme',
    apply: (repo) =>
      edit(repo, 'platforms/mcp/tools.mjs', (t) =>
        t
          .replace('render_widget: ({ name }) => {', 'render_widget: ({ name, theme }) => {')
          .replace(
            'return { html: renderWidget(name) };',
            'return { html: renderWidget(name, theme.name) };',
          ),
      ),
  },
  'test-hang': {
    message: 'Add a test that waits for the server',
    apply: (repo) =>
      writeFile(
        join(repo, 'test', 'wait-for-server.test.mjs'),
        [
          "import { spawn } from 'node:child_process';",
          "import { test } from 'node:test';",
          '',
          "test('waits for a server that never answers', async () => {",
          "  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });",
          '  await new Promise(() => setInterval(() => {}, 1000));',
          '});',
          '',
        ].join('\n'),
      ),
  },
};

export interface ExampleRepoOptions {
  breakKind?: BreakKind;
  /** A harmless commit after the breaking one (so "revert HEAD" would revert the wrong thing). */
  docsAfter?: boolean;
}

/** Copies the example into `<dir>/<name>`, commits, tags v1.0.0, then commits the break. */
export async function createExampleRepo(
  dir: string,
  options: ExampleRepoOptions = {},
  name = 'repo',
): Promise<ExampleRepo> {
  const { path, sha: goodSha } = await copyExampleRepo(EXAMPLE_SOURCE, join(dir, name), {
    user: { name: 'Test Operator', email: 'operator@example.test' },
  });
  let badSha: string | undefined;
  if (options.breakKind) {
    const change = BREAKS[options.breakKind];
    await change.apply(path);
    await gitIn(path, 'add', '--all');
    await gitIn(path, 'commit', '--quiet', '-m', change.message);
    badSha = await gitIn(path, 'rev-parse', 'HEAD');
  }
  if (options.docsAfter) {
    await writeFile(join(path, 'CHANGELOG.md'), '# Changelog\n\n- 1.0.0: first release\n');
    await gitIn(path, 'add', 'CHANGELOG.md');
    await gitIn(path, 'commit', '--quiet', '-m', 'Add a changelog');
  }
  return { path, goodSha, badSha, headSha: await gitIn(path, 'rev-parse', 'HEAD') };
}

/** Commits whose message says "This reverts commit <sha>" (or the path-revert trailer). */
export async function revertsOf(repo: string, sha: string): Promise<string[]> {
  const out = await gitIn(repo, 'log', '--format=%H', '--fixed-strings', `--grep=${sha}`, `${sha}..HEAD`);
  return out.split('\n').filter(Boolean);
}

/** Live processes whose command line contains `text` (for orphan checks), from /proc. */
export async function processesMatching(text: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      if (cmdline.includes(text) && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'))
        pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

export { freePort } from '../../src/activities/support/free-port';

export const NPM_EXAMPLE_SOURCE = EXAMPLES['npm-mcp-service'];

/**
 * A disposable copy of examples/npm-mcp-service (npm workspaces, server under services/mcp-server
 * on PORT with /healthz) as a git repository, `v1.0.0` tagged, through the same helper the demo
 * and the sandbox target use.
 */
export async function createNpmExampleRepo(dir: string, name = 'npm-repo'): Promise<ExampleRepo> {
  const { path, sha } = await copyExampleRepo(NPM_EXAMPLE_SOURCE, join(dir, name), {
    user: { name: 'Test Operator', email: 'operator@example.test' },
  });
  return { path, goodSha: sha, headSha: sha };
}

/** One text replacement in one file of a repository. */
export interface ExampleChange {
  file: string;
  from: string;
  to: string;
  message: string;
}

/** Applies `change` (it must change the file) and commits it; returns the commit's SHA. */
export async function commitChange(repo: string, change: ExampleChange): Promise<string> {
  await edit(repo, change.file, (text) => text.replace(change.from, change.to));
  await gitIn(repo, 'commit', '--quiet', '-am', change.message);
  return gitIn(repo, 'rev-parse', 'HEAD');
}
