import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type IncidentStatus, statusQuery } from '../../src/contracts/messages';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { incidentInput } from '../helpers/lifecycle';
import { type ApiHarness, eventually, startApiHarness } from './harness';

/** Approvers for these tests: @sre may decide on reverts of a SEV-2, @lead on anything else. */
const POLICY = { approvers: { 'SEV-2': { '*': ['@lead'], 'revert-last-change': ['@sre'] } } };

interface Decision {
  accepted: boolean;
  message: string;
  stage: string;
  updateId: string;
}

describe('incident routes: list, show and decisions as Workflow Updates', () => {
  let h: ApiHarness;
  let workflowId: string;
  let incidentId: string;
  const status = () => h.temporal.client.workflow.getHandle(workflowId).query(statusQuery);
  const until = (predicate: (s: IncidentStatus) => boolean) =>
    eventually(async () => {
      const s = await status();
      return predicate(s) ? s : undefined;
    }, 20_000);

  before(async () => {
    h = await startApiHarness('incidents', { policy: POLICY });
    const response = await h.call('/webhooks/generic', {
      json: {
        dedup_key: 'mcp-start-failure',
        severity: 'error',
        summary: 'MCP server fails to start after deploy',
        source: 'synthetic-probe',
        service: 'mcp-server',
        scenario: 'mcp-server-fails-to-start',
      },
    });
    assert.equal(response.status, 202);
    ({ workflowId, incidentId } = (await response.json()) as { workflowId: string; incidentId: string });
  });
  after(async () => {
    await h?.close();
  });

  it('shows an incident by workflow ID and by incident ID with its status and Web UI link', async () => {
    const byWorkflow = await h.call(`/incidents/${workflowId}`);
    assert.equal(byWorkflow.status, 200);
    const shown = (await byWorkflow.json()) as {
      status: IncidentStatus;
      url: string;
      executionStatus: string;
    };
    assert.equal(shown.status.incidentId, incidentId);
    assert.equal(shown.status.severity, 'SEV-2');
    assert.equal(shown.executionStatus, 'RUNNING');
    assert.match(shown.url, new RegExp(`/workflows/${workflowId}$`));
    const byIncident = await h.call(`/incidents/${incidentId}`);
    assert.equal(byIncident.status, 200);
    assert.equal(((await byIncident.json()) as { workflowId: string }).workflowId, workflowId);
  });

  it('lists open incidents with filters from visibility', async () => {
    const listed = await eventually(async () => {
      const response = await h.call('/incidents?status=open&severity=SEV-2&service=mcp-server');
      const body = (await response.json()) as { incidents: { workflowId: string; incidentId?: string }[] };
      return body.incidents.find((i) => i.workflowId === workflowId && i.incidentId) ? body : undefined;
    });
    assert.equal(listed.incidents[0]!.incidentId, incidentId);
    const none = (await (await h.call('/incidents?severity=SEV-4')).json()) as { incidents: unknown[] };
    assert.deepEqual(none.incidents, []);
  });

  it('refuses bad lookups: unknown filter 400, malformed ID 400, unknown incident 404', async () => {
    const filter = await h.call('/incidents?colour=red');
    assert.equal(filter.status, 400);
    assert.equal(((await filter.json()) as { field: string }).field, 'query.colour');
    const malformed = await h.call(`/incidents/${encodeURIComponent("x' OR 1=1")}`);
    assert.equal(malformed.status, 400);
    const unknown = await h.call('/incidents/incident-does-not-exist');
    assert.equal(unknown.status, 404);
  });

  it('acknowledges over HTTP; a retry with the same Idempotency-Key gets the first answer, a second ack 409', async () => {
    const unauthenticated = await h.call(`/incidents/${incidentId}/ack`, {
      json: { by: '@oncall' },
      token: null,
    });
    assert.equal(unauthenticated.status, 401);
    const headers = { 'idempotency-key': 'ack-attempt-1' };
    const first = await h.call(`/incidents/${incidentId}/ack`, { json: { by: '@oncall' }, headers });
    assert.equal(first.status, 200, await first.clone().text());
    const a = (await first.json()) as Decision;
    assert.equal(a.accepted, true);
    const retry = await h.call(`/incidents/${incidentId}/ack`, { json: { by: '@oncall' }, headers });
    assert.equal(retry.status, 200, 'the retried Update returns the first result');
    assert.deepEqual(((await retry.json()) as Decision).message, a.message);
    const second = await h.call(`/incidents/${incidentId}/ack`, { json: { by: '@someone-else' } });
    assert.equal(second.status, 409);
    assert.match(((await second.json()) as { error: string }).error, /already acknowledged by @oncall/);
    const s = await status();
    assert.equal(s.acknowledgedBy, '@oncall');
    assert.equal(s.timeline.filter((e) => e.kind === 'acknowledged').length, 1);
  });

  it('refuses a decision from someone the approvers config does not list, with 403, before it reaches the workflow', async () => {
    await until((s) => s.pendingApproval?.option === 'revert-last-change');
    const response = await h.call(`/incidents/${workflowId}/approve`, {
      json: { option: 'revert-last-change', approver: '@mallory' },
    });
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as { error: string }).error, /@mallory may not approve/);
    const s = await status();
    assert.equal(s.pendingApproval?.option, 'revert-last-change', 'nothing changed');
  });

  it('moves the workflow with a reject from an allowed approver, and answers 409 to an option that is not pending', async () => {
    const wrong = await h.call(`/incidents/${workflowId}/approve`, {
      json: { option: 'deploy-known-good', approver: '@lead' },
    });
    assert.equal(wrong.status, 409);
    assert.ok(((await wrong.json()) as { error: string }).error.length > 0);
    // A body claiming another channel is accepted, and recorded as what it is: the API.
    const rejected = await h.call(`/incidents/${workflowId}/reject`, {
      json: {
        option: 'revert-last-change',
        approver: '@sre',
        reason: 'the change is unrelated',
        via: 'slack',
      },
    });
    assert.equal(rejected.status, 200, await rejected.clone().text());
    const s = await until((x) => x.pendingApproval?.option !== 'revert-last-change');
    assert.ok(s.optionsTried.some((o) => o.option === 'revert-last-change' && o.outcome === 'rejected'));
    assert.deepEqual(
      s.decisions?.map((d) => `${d.decision} ${d.by} ${d.via ?? 'unknown'}`),
      ['ack @oncall api', 'reject @sre api'],
    );
    assert.match(s.decisions[1]!.saw!, /^revert-last-change \(destructive\); /);
  });

  it('records the outcome of a hand-carried option and a severity change over HTTP', async () => {
    await until((s) => s.pendingAction?.option === 'disable-feature');
    const outcome = await h.call(`/incidents/${workflowId}/outcome`, {
      json: { option: 'disable-feature', by: '@oncall', outcome: 'failed', detail: 'no flag covers it' },
    });
    assert.equal(outcome.status, 200, await outcome.clone().text());
    const s = await until((x) => x.pendingApproval?.option === 'deploy-known-good');
    assert.ok(s.optionsTried.some((o) => o.option === 'disable-feature' && o.outcome === 'failed'));
    const severity = await h.call(`/incidents/${workflowId}/severity`, {
      json: { severity: 'SEV-1', by: '@oncall', reason: 'all widgets failing' },
    });
    assert.equal(severity.status, 200, await severity.clone().text());
    await until((x) => x.severity === 'SEV-1');
  });

  it('refuses malformed decisions with 400 naming the field, and unknown verbs with 404', async () => {
    const extra = await h.call(`/incidents/${workflowId}/ack`, { json: { by: '@oncall', force: true } });
    assert.equal(extra.status, 400);
    assert.equal(((await extra.json()) as { field: string }).field, 'force');
    const badOption = await h.call(`/incidents/${workflowId}/approve`, {
      json: { option: 'rm -rf', approver: '@lead' },
    });
    assert.equal(badOption.status, 400);
    assert.equal(((await badOption.json()) as { field: string }).field, 'option');
    const verb = await h.call(`/incidents/${workflowId}/explode`, { json: {} });
    assert.equal(verb.status, 404);
  });

  it('shows an incident no worker answers for, with the reason instead of its status', async () => {
    // An incident on a queue nobody polls: the query times out at the API's deadline, which the
    // client reports as "Failed to query Workflow" with DEADLINE_EXCEEDED only as its cause.
    const orphan = incidentWorkflowId('no-worker-polls');
    await h.temporal.client.workflow.start('incidentWorkflow', {
      taskQueue: 'incidents-no-worker',
      workflowId: orphan,
      args: [{ incident: incidentInput({ fingerprint: 'no-worker-polls' }) }],
    });
    const shown = await h.call(`/incidents/${orphan}`);
    const body = (await shown.json()) as { status: unknown; statusError?: string; executionStatus: string };
    assert.equal(shown.status, 200, JSON.stringify(body));
    assert.equal(body.status, null);
    assert.equal(body.executionStatus, 'RUNNING');
    assert.match(
      body.statusError ?? '',
      /^no worker answered the status query for incident-no-worker-polls within 5 s \(is the worker running\?\)$/,
    );
    await h.temporal.client.workflow.getHandle(orphan).terminate('test finished');
  });
});
