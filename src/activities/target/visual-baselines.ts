/**
 * The visual-regression scenario's "intended change" branch: `pnpm test:visual:update`, then
 * commit the new baselines, as the guide's `git commit -am "Update visual baselines for ..."`.
 */
import { assertRepoPath } from '../../domain/git-safety';
import { FAILURE } from '../../domain/failure-types';
import { failure, validated } from '../support/activity-context';
import { execRunbookCommand } from './commands';
import type { ActivityDeps } from '../deps';
import { git, gitCommitting, head } from '../support/git-runner';
import { withPendingMarker } from '../support/git-state';
import { lastLines } from '../support/run-process';
import { resolveRepo } from '../support/repo';

export interface UpdateBaselinesInput {
  incidentId: string;
  repoPath?: string;
  /** The feature the change belongs to, for the commit message. */
  reason?: string;
}

export function createVisualBaselineActivities(deps: ActivityDeps) {
  return {
    /**
     * Regenerates the baselines and commits only the baselines folder with the trailer
     * `Incident-Baselines: <ID>`. Safe to run twice: a second run regenerates identical files,
     * finds nothing to commit and returns the first run's commit.
     */
    async updateVisualBaselines(input: UpdateBaselinesInput): Promise<{ commit?: string; changed: boolean }> {
      const repo = resolveRepo(deps, input.repoPath);
      const baselines = validated(() =>
        assertRepoPath(deps.config.target.paths.visualBaselines, 'target.paths.visualBaselines'),
      );
      const trailer = `Incident-Baselines: ${input.incidentId}`;
      return withPendingMarker(repo, `baselines-${input.incidentId}`, async () => {
        const run = await execRunbookCommand(deps, {
          incidentId: input.incidentId,
          command: 'visualUpdate',
          step: 'update-visual-baselines',
          repoPath: repo,
        });
        if (run.exitCode !== 0)
          throw failure(
            FAILURE.commandFailed,
            `visual update exited with ${run.exitCode ?? 'no code'}:\n${lastLines(run.tail)}`,
          );
        await git(repo, ['add', '--all', '--', baselines]);
        const staged = await git(repo, ['diff', '--cached', '--quiet'], { allowFail: true });
        if (staged.exitCode === 0) {
          const done = await git(repo, ['log', '-1', '--format=%H', '--fixed-strings', `--grep=${trailer}`]);
          return { commit: done.stdout.trim() || undefined, changed: false };
        }
        const reason = (input.reason ?? input.incidentId).replace(/[\r\n]+/g, ' ').slice(0, 200);
        await gitCommitting(repo, ['commit', '--quiet', '--no-verify', '-F', '-'], {
          input: `Update visual baselines for ${reason}\n\n${trailer}\n`,
        });
        return { commit: await head(repo), changed: true };
      });
    },
  };
}
