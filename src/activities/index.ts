import type { ActivityDeps } from './deps';
import { createDiagnosticActivities } from './diagnostics';
import { createNotifyActivities } from './notify';
import { createRecordActivities } from './records';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from explicit dependencies (no singletons). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRecordActivities(deps),
    ...createNotifyActivities(deps),
    ...createDiagnosticActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
