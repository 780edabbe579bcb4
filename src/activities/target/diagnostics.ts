/**
 * Triage for the guide's four scenarios: every `DiagnosticId` of src/domain/scenarios.ts runs its
 * guide command (or the read-only git/file equivalent) and answers one line for the timeline. A
 * diagnostic that finds a problem is a result (`ok: false`), not an error: only a broken setup
 * fails the activity. All are read-only, so running one twice is harmless.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunbookCommandName } from '../../config/target';
import { assertTagPattern } from '../../domain/git-safety';
import { meaningfulLines } from '../../domain/output-lines';
import type { DiagnosticId } from '../../domain/scenarios';
import { describeTestSummary, summariseTestOutput } from '../../domain/test-output';
import { validated } from '../support/activity-context';
import { execRunbookCommand } from './commands';
import type { ActivityDeps } from '../deps';
import { git, head, revParse } from '../support/git-runner';
import { lastLines } from '../support/run-process';
import { lastRunOutput } from '../support/failure-details';
import { insideRepo, resolveRepo } from '../support/repo';
import { builtWidgets } from './workspace';

export interface DiagnosticInput {
  incidentId: string;
  diagnostic: DiagnosticId;
  /** Defaults to the configured target repository. */
  repoPath?: string;
}

export interface DiagnosticResult {
  diagnostic: DiagnosticId;
  ok: boolean;
  /** One line for the timeline. */
  summary: string;
  /** Last lines of the command output. */
  tail?: string;
  /** Where the full log is, under incidents/<ID>/logs/. */
  logPath?: string;
}

export interface RepositorySnapshotInput {
  incidentId: string;
  repoPath?: string;
}

/** What triage needs to answer "is this a regression": HEAD, the known-good tag, what changed. */
export interface RepositorySnapshot {
  head: string;
  knownGood?: { tag: string; sha: string };
  commitsSinceKnownGood: { sha: string; subject: string }[];
}

type Run = (
  deps: ActivityDeps,
  repo: string,
  input: DiagnosticInput,
) => Promise<Omit<DiagnosticResult, 'diagnostic'>>;

const oneline = async (repo: string, args: string[]) =>
  (await git(repo, ['log', '--format=%h %s', ...args])).stdout.split('\n').filter(Boolean);

const recent =
  (count: number, path?: (deps: ActivityDeps) => string): Run =>
  async (deps, repo) => {
    const scope = path ? ['--', insideRepoRelative(repo, path(deps))] : [];
    const lines = await oneline(repo, [`--max-count=${count}`, 'HEAD', ...scope]);
    const where = path ? ` touching ${path(deps)}` : '';
    return {
      ok: true,
      summary: lines.length
        ? `${lines.length} recent commits${where}; newest: ${lines[0]}`
        : `no commits${where}`,
      tail: lines.join('\n'),
    };
  };

function insideRepoRelative(repo: string, path: string): string {
  insideRepo(repo, path, 'path');
  return path;
}

/**
 * What a command's output says in one line: a test runner's failing tests and counts when it is
 * one (the whole run is read back from the log), else the last line that is the command's own.
 */
async function outputLine(tail: string, logPath: string): Promise<string> {
  const output = (await lastRunOutput(logPath)) ?? tail;
  const tests = summariseTestOutput(output);
  if (tests && (tests.failed ?? 0) > 0) return describeTestSummary(tests);
  return (meaningfulLines(output, 1)[0] ?? '').trim().slice(0, 300);
}

/** A runbook command whose exit code is the answer (contract test, build, visual test ...). */
const command =
  (name: RunbookCommandName, passed: string, failed: string): Run =>
  async (deps, repo, input) => {
    const result = await execRunbookCommand(deps, {
      incidentId: input.incidentId,
      command: name,
      step: `diagnostic-${input.diagnostic}`,
      repoPath: repo,
    });
    const ok = result.exitCode === 0;
    const reason = result.timedOut ? ' (timed out, killed)' : ok ? '' : ` (exit ${result.exitCode ?? '?'})`;
    const lastLine = await outputLine(result.tail, result.logPath);
    return {
      ok,
      summary: `${ok ? passed : failed}${reason}${lastLine ? `: ${lastLine}` : ''}`,
      tail: lastLines(result.tail),
      logPath: result.logPath,
    };
  };

const bundleSize: Run = async (deps, repo) => {
  const widgets = await builtWidgets(deps, repo);
  if (widgets.length === 0)
    return { ok: false, summary: `no built widgets under ${deps.config.target.paths.widgetsDist}` };
  const budget = deps.config.target.widgetBudgetBytes;
  const over = widgets.filter((w) => w.bytes > budget);
  const largest = widgets.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return {
    ok: over.length === 0,
    summary:
      over.length === 0
        ? `${widgets.length} widgets within the ${budget}-byte budget; largest ${largest.file} ${largest.bytes} bytes`
        : `${over.length} widgets over the ${budget}-byte budget: ${over.map((w) => `${w.file} ${w.bytes}`).join(', ')}`,
    tail: widgets.map((w) => `${w.bytes}\t${w.file}`).join('\n'),
  };
};

const uiSourceDiff: Run = async (deps, repo) => {
  const path = insideRepoRelative(repo, deps.config.target.paths.ui);
  if (!(await revParse(repo, 'HEAD~1'))) return { ok: true, summary: 'no previous commit to compare' };
  const stat = (await git(repo, ['diff', '--stat', 'HEAD~1', 'HEAD', '--', path])).stdout.trim();
  return {
    ok: stat === '',
    summary:
      stat === ''
        ? `no change to ${path} in the last commit`
        : `last commit changed ${path}: ${lastLines(stat, 1).trim()}`,
    tail: stat,
  };
};

/** The guide's `grep -r "timeout" <tests>`: which test files set timeouts at all. */
const testTimeouts: Run = async (deps, repo) => {
  const hits: string[] = [];
  const files: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, join(rel, entry.name));
      else if (/\.(m?[jt]sx?|cjs)$/.test(entry.name) && (await stat(full)).size < 1_000_000) {
        files.push(join(rel, entry.name));
        const lines = (await readFile(full, 'utf8')).split('\n');
        lines.forEach((line, i) => {
          if (/timeout/i.test(line)) hits.push(`${join(rel, entry.name)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
  };
  for (const dir of deps.config.target.paths.tests)
    await walk(insideRepo(repo, dir, 'target.paths.tests'), dir);
  const withTimeouts = new Set(hits.map((hit) => hit.split(':')[0]));
  const without = files.filter((file) => !withTimeouts.has(file));
  return {
    ok: without.length === 0,
    summary: `${files.length} test files, ${without.length} without any timeout${without.length ? `: ${without.slice(0, 5).join(', ')}` : ''}`,
    tail: hits.slice(0, 30).join('\n'),
  };
};

const RUNS: Record<DiagnosticId, Run> = {
  'recent-commits': recent(10),
  'recent-commits-mcp': recent(5, (deps) => deps.config.target.paths.mcp),
  'contract-test': command('contractTest', 'contract test passed', 'contract test FAILED'),
  'dependency-listing': command('dependencyListing', 'dependencies listed', 'dependency listing failed'),
  'widget-build': command('buildWidgets', 'widget build passes locally', 'widget build FAILS locally'),
  'upstream-ui-sdk': command('upstreamUiSdk', 'upstream UI SDK listed', 'upstream UI SDK listing failed'),
  'visual-diff': command('visualTest', 'no visual diffs', 'visual diffs detected'),
  'ui-source-diff': uiSourceDiff,
  'bundle-size': bundleSize,
  'test-timeouts': testTimeouts,
};

export function createDiagnosticActivities(deps: ActivityDeps) {
  return {
    /**
     * Runs one triage diagnostic. Commands get their configured timeout and are killed with their
     * process tree past it (a hanging contract test answers `ok: false`, it does not hang triage).
     * Read-only; retries are harmless. Heartbeats while a command runs.
     */
    async runDiagnostic(input: DiagnosticInput): Promise<DiagnosticResult> {
      const repo = resolveRepo(deps, input.repoPath);
      const run = RUNS[input.diagnostic];
      return { diagnostic: input.diagnostic, ...(await run(deps, repo, input)) };
    },

    /**
     * HEAD, the newest known-good tag (by version, among tags matching the configured pattern
     * and merged into HEAD) and the commits since it. Read-only.
     */
    async snapshotRepository(input: RepositorySnapshotInput): Promise<RepositorySnapshot> {
      const repo = resolveRepo(deps, input.repoPath);
      const pattern = validated(() => assertTagPattern(deps.config.target.knownGoodTagPattern));
      const current = await head(repo);
      const tags = (
        await git(repo, ['tag', '--list', '--merged', current, '--sort=-v:refname', pattern])
      ).stdout
        .split('\n')
        .filter(Boolean);
      const tag = tags[0];
      const sha = tag ? await revParse(repo, `refs/tags/${tag}`) : undefined;
      const range = sha ? [`${sha}..${current}`] : ['--max-count=20', current];
      const commits = (await git(repo, ['log', '--format=%H %s', ...range])).stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ sha: line.slice(0, 40), subject: line.slice(41) }));
      return {
        head: current,
        knownGood: tag && sha ? { tag, sha } : undefined,
        commitsSinceKnownGood: commits,
      };
    },
  };
}
