import type { ActivityDeps } from './deps';
import { createDiagnosticActivities } from './diagnostics';
import { createDrillActivities } from './drill';
import { createHealthProbeActivities } from './health-probe';
import { createPolicyActivities } from './load-policy';
import { createProcedureActivities } from './procedures';
import { createNotifyActivities } from './notify';
import { createOpenIncidentActivities } from './open-incidents';
import { createRecordActivities } from './records';
import { createRelatedIncidentActivities } from './related-incidents';
import { createRunbookActivities } from './runbook';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from explicit dependencies (no singletons). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRecordActivities(deps),
    ...createNotifyActivities(deps),
    ...createDiagnosticActivities(deps),
    ...createRunbookActivities(deps),
    ...createPolicyActivities(deps),
    ...createProcedureActivities(deps),
    ...createHealthProbeActivities(deps),
    ...createOpenIncidentActivities(deps),
    ...createRelatedIncidentActivities(deps),
    ...createDrillActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
