import {
  buildProcedure,
  type ProcedureInput,
  type ProcedurePlan,
  ProcedurePlanError,
} from '../../domain/procedures';
import { FAILURE } from '../../domain/failure-types';
import { failure } from '../support/activity-context';
import type { ActivityDeps } from '../deps';
import { targetAsRun } from '../../config/runbook-as-run';

export function createProcedureActivities(deps: ActivityDeps) {
  return {
    /**
     * The rollback's step list from the worker's target config (services, paths, runbook argv)
     * and the input. The workflow cannot read config; calling this first records the plan in
     * history, so the run (and its replays) follow the steps that were planned. Runbook argv are
     * shown as they will run in the repository (`targetAsRun`: the guide's pnpm defaults follow
     * its package manager). Pure read, safe to retry; a plan that cannot be built fails
     * `NotConfigured` (not retried).
     */
    async planRollback(input: ProcedureInput & { incidentId: string }): Promise<ProcedurePlan> {
      const target = await targetAsRun(deps.config.target, input.repoPath ?? deps.config.target.repoPath);
      try {
        return buildProcedure(input, target);
      } catch (error) {
        if (error instanceof ProcedurePlanError) throw failure(FAILURE.notConfigured, error.message);
        throw error;
      }
    },
  };
}
