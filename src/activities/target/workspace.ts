/**
 * Work-tree steps of the rollbacks that are not git or commands: the full rollback's clean
 * install (`rm -rf node_modules`) and the widget verification (`ls -lh dist/widgets/*.html`).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FAILURE } from '../../domain/failure-types';
import { failure, keepAlive } from '../support/activity-context';
import type { ActivityDeps } from '../deps';
import { insideRepo, resolveRepo } from '../support/repo';

export interface BuiltWidget {
  file: string;
  bytes: number;
}

/** The built widget files, by name. */
export async function builtWidgets(deps: ActivityDeps, repo: string): Promise<BuiltWidget[]> {
  const dir = insideRepo(repo, deps.config.target.paths.widgetsDist, 'target.paths.widgetsDist');
  const names = await readdir(dir).catch(() => [] as string[]);
  const widgets: BuiltWidget[] = [];
  for (const name of names.filter((n) => n.endsWith('.html')).sort())
    widgets.push({
      file: join(deps.config.target.paths.widgetsDist, name),
      bytes: (await stat(join(dir, name))).size,
    });
  return widgets;
}

export function createWorkspaceActivities(deps: ActivityDeps) {
  return {
    /** `rm -rf node_modules` in the repository (only there). Gone already → no-op. */
    async removeNodeModules(input: { repoPath?: string }): Promise<void> {
      const repo = resolveRepo(deps, input.repoPath);
      await keepAlive(rm(insideRepo(repo, 'node_modules'), { recursive: true, force: true }));
    },

    /** `ls -lh dist/widgets/*.html`: fails `VerificationFailed` when none were built. Read-only. */
    async listBuiltWidgets(input: { repoPath?: string }): Promise<BuiltWidget[]> {
      const widgets = await builtWidgets(deps, resolveRepo(deps, input.repoPath));
      if (widgets.length === 0)
        throw failure(
          FAILURE.verificationFailed,
          `no ${deps.config.target.paths.widgetsDist}/*.html after the build`,
        );
      return widgets;
    },
  };
}
