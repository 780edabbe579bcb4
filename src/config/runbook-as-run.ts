/**
 * The runbook as it will run in a repository: which package manager the repository expects (read
 * from its package.json and lockfiles, rules in domain/) and the guide's pnpm defaults translated
 * to it. The plan (CLI, API, the planRollback activity) and the run share these functions, so what
 * an approver sees is what runs. Reads files only; finding and running the binary is the
 * activities' part (activities/target/package-manager.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectPackageManager, type PackageManagerSpec, translateGuideArgv } from '../domain/package-manager';
import { type RunbookCommandName, runbookSchema } from './target';

const GUIDE_DEFAULTS = runbookSchema.parse({});

/** True when `configured` is the guide's own argv for `command` (left at its default). */
export function isGuideDefault(command: RunbookCommandName, configured: readonly string[]): boolean {
  const guide = GUIDE_DEFAULTS[command].argv;
  return guide.length === configured.length && guide.every((arg, i) => arg === configured[i]);
}

/** Reads package.json and the top-level file names, then detects (pure rules in domain/). */
export async function inspectPackageManager(repo: string): Promise<PackageManagerSpec> {
  const text = await readFile(join(repo, 'package.json'), 'utf8').catch(() => undefined);
  let packageJson: unknown;
  try {
    packageJson = text === undefined ? undefined : JSON.parse(text);
  } catch {
    packageJson = undefined;
  }
  return detectPackageManager({ packageJson, files: await readdir(repo).catch(() => []) });
}

/**
 * The argv a runbook command runs in a repository of `spec`: the guide's default argv (written
 * for pnpm) follows the repository's manager (`pnpm build` → `npm run build`); anything else runs
 * as configured. The plan and the run both use this, so the plan shows what runs.
 */
export function runbookArgvFor(
  command: RunbookCommandName,
  configured: readonly string[],
  spec: PackageManagerSpec,
): string[] {
  return isGuideDefault(command, configured) ? translateGuideArgv(configured, spec) : [...configured];
}

/** What the procedure builder reads of a target: its repository and runbook argv. */
interface RunbookTarget {
  repoPath?: string;
  runbook: Record<RunbookCommandName, { argv: string[] }>;
}

/**
 * `target` with every runbook argv as it will run in `repo` (see `runbookArgvFor`), for plans.
 * A repository that cannot be read, or names a manager the engine does not run, keeps the
 * configured argv: the run then fails with the reason.
 */
export async function targetAsRun<T extends RunbookTarget>(target: T, repo = target.repoPath): Promise<T> {
  if (!repo) return target;
  const spec = await inspectPackageManager(repo).catch(() => undefined);
  if (!spec) return target;
  const runbook = Object.fromEntries(
    Object.entries(target.runbook).map(([name, command]) => [
      name,
      { ...command, argv: runbookArgvFor(name as RunbookCommandName, command.argv, spec) },
    ]),
  ) as T['runbook'];
  return { ...target, runbook };
}
