import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRelatedIncidentActivities } from '../../src/activities/incident/related-incidents';
import { historyQuery } from '../../src/temporal/incident-history';
import { testDeps } from '../helpers/temporal';

describe('incident history queries', () => {
  it('narrows the visibility query by start time, severity, and scenario or services', () => {
    assert.equal(
      historyQuery({
        since: new Date('2026-10-01T00:00:00Z'),
        severity: 'SEV-1',
        scenario: 'mcp-server-fails-to-start',
        services: ['mcp', 'widgets'],
        matchAny: true,
        excludeWorkflowId: 'incident-fp-1',
      }),
      "WorkflowType = 'incidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew' AND " +
        "StartTime >= '2026-10-01T00:00:00.000Z' AND IncidentSeverity = 'SEV-1' AND " +
        "(IncidentScenario = 'mcp-server-fails-to-start' OR (IncidentServices = 'mcp' OR IncidentServices = 'widgets')) AND " +
        "WorkflowId != 'incident-fp-1'",
    );
  });

  it('refuses values that could change the query', () => {
    assert.throws(() => historyQuery({ services: ["mcp' OR WorkflowType != '"] }), /refused service/);
  });

  it('finds no related incidents, and says why, when the worker has no Temporal client', async () => {
    const lines: string[] = [];
    const activities = createRelatedIncidentActivities(testDeps('/tmp/unused', lines));
    const related = await activities.findRelatedIncidents({
      incidentId: 'INCIDENT-20261127-170000',
      workflowId: 'incident-fp-1',
      scenario: 'visual-regression',
      services: ['widgets'],
    });
    assert.deepEqual(related, []);
    assert.match(lines[0] ?? '', /no Temporal client configured; related incidents not searched/);
  });
});
