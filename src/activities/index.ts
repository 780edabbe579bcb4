import type { ActivityDeps } from './deps';
import { createDiagnosticActivities } from './target/diagnostics';
import { createDrillActivities } from './target/drill';
import { createHealthProbeActivities } from './target/health-probe';
import { createPrometheusQueryActivities } from './target/prometheus-query';
import { createPolicyActivities } from './incident/load-policy';
import { createProcedureActivities } from './incident/procedures';
import { createNotifyActivities } from './incident/notify';
import { createOpenIncidentActivities } from './incident/open-incidents';
import { createRecordActivities } from './incident/records';
import { createRelatedIncidentActivities } from './incident/related-incidents';
import { createRunbookActivities } from './target/runbook';

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
    ...createPrometheusQueryActivities(deps),
    ...createOpenIncidentActivities(deps),
    ...createRelatedIncidentActivities(deps),
    ...createDrillActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
