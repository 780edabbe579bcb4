import { defaultPolicy, type Policy } from '../../src/contracts/policy';
import type { Stage } from '../../src/contracts/incident';
import type { IncidentStatus } from '../../src/contracts/messages';
import { IncidentLifecycle } from '../../src/workflows/incident/lifecycle';

/** What a lifecycle built outside the sandbox did with its effects. */
export interface RecordedEffects {
  searchAttributeUpserts: Stage[];
  patchesAsked: string[];
  /** What went to the workflow `log`: one entry per timeline entry. */
  logged: { message: string; fields: Record<string, unknown> }[];
}

/** A lifecycle with plain-object effects, for unit tests of the state class and message rules. */
export function testLifecycle(
  overrides: Partial<IncidentStatus> = {},
  options: { policy?: Policy; patched?: boolean } = {},
): { ctx: IncidentLifecycle; effects: RecordedEffects } {
  const effects: RecordedEffects = { searchAttributeUpserts: [], patchesAsked: [], logged: [] };
  const state: IncidentStatus = {
    incidentId: 'INCIDENT-20261130-010000-abc123',
    workflowId: 'incident-test',
    stage: 'detection',
    severity: 'SEV-2',
    services: ['widget'],
    scenario: 'widget',
    summary: 'widgets broken',
    source: 'user-report',
    labels: [],
    detectedAt: '2026-11-30T01:00:00.000Z',
    optionsTried: [],
    timeline: [],
    escalations: [],
    deadlines: {},
    alerts: { firing: 1, resolved: 0 },
    runs: 1,
    ...overrides,
  } as IncidentStatus;
  const ctx = new IncidentLifecycle(
    {
      severity: state.severity,
      services: state.services,
      scenario: state.scenario,
      summary: state.summary,
    } as never,
    state,
    options.policy ?? defaultPolicy(),
    [],
    {
      publishSearchAttributes: (s) => effects.searchAttributeUpserts.push(s.stage),
      patched: (id) => {
        effects.patchesAsked.push(id);
        return options.patched ?? true;
      },
      log: (message, fields) => effects.logged.push({ message, fields }),
    },
  );
  return { ctx, effects };
}
