import type { ActivityDeps } from '../../src/activities/deps';
import { buildProcedure, successPathStepIds } from '../../src/domain/procedures';
import type { RollbackInput } from '../../src/contracts/rollback';

/** The step IDs `incident plan` promises for this input, as a successful run must record them. */
export const plannedStepIds = (deps: ActivityDeps, input: RollbackInput): string[] =>
  successPathStepIds(buildProcedure(input, deps.config.target));
