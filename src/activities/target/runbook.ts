/**
 * Every runbook activity of the rollback procedures and scenarios (git, commands, services,
 * workspace, visual baselines, CI, repository lock), one spread for src/activities/index.ts.
 */
import { createCiActivities } from './ci';
import { createCommandActivities } from './commands';
import type { ActivityDeps } from '../deps';
import { createGitActivities } from './git';
import { createRepoLockActivities } from './repo-lock';
import { createServiceActivities } from './services';
import { createVisualBaselineActivities } from './visual-baselines';
import { createWorkspaceActivities } from './workspace';

export function createRunbookActivities(deps: ActivityDeps) {
  return {
    ...createGitActivities(deps),
    ...createCommandActivities(deps),
    ...createServiceActivities(deps),
    ...createWorkspaceActivities(deps),
    ...createVisualBaselineActivities(deps),
    ...createCiActivities(deps),
    ...createRepoLockActivities(deps),
  };
}
