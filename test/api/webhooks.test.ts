import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { statusQuery } from '../../src/contracts/messages';
import {
  alertmanagerPayload,
  type ApiHarness,
  eventually,
  sign,
  startApiHarness,
  workflowExists,
} from './harness';

interface IntakeBody {
  workflowId: string;
  incidentId?: string;
  deduplicated: boolean;
  recorded: boolean;
  url: string;
  severity?: string;
  scenario?: string;
  services?: string[];
}

const signalCount = async (h: ApiHarness, workflowId: string) => {
  let count = 0;
  const history = await h.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  // 26 = EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
  for (const event of history.events ?? []) if (Number(event.eventType) === 26) count++;
  return count;
};

const githubRun = (conclusion: string, name = 'Build widgets') => ({
  action: 'completed',
  repository: { full_name: 'acme/widgets-service', html_url: 'https://github.com/acme/widgets-service' },
  workflow_run: {
    id: 991,
    name,
    workflow_id: 4242,
    head_branch: 'main',
    head_sha: 'a'.repeat(40),
    conclusion,
    html_url: 'https://github.com/acme/widgets-service/actions/runs/991',
    updated_at: new Date().toISOString(),
    run_attempt: 1,
    // GitHub sends many more fields; the verified body is read loosely.
    display_title: 'Bump dependency',
  },
  sender: { login: 'octocat' },
});

describe('alert webhooks against a real Temporal dev server and worker', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness('webhooks');
  });
  after(async () => {
    await h?.close();
  });

  it('opens an incident from an Alertmanager alert and answers 202 with the workflow and Web UI link', async () => {
    const response = await h.call('/webhooks/alertmanager', {
      json: alertmanagerPayload(['a1b2c3d4e5f60001']),
    });
    assert.equal(response.status, 202);
    const body = (await response.json()) as { accepted: number; incidents: IntakeBody[] };
    assert.equal(body.accepted, 1);
    const [incident] = body.incidents;
    assert.equal(incident!.workflowId, 'incident-am-a1b2c3d4e5f60001');
    assert.equal(incident!.deduplicated, false);
    assert.equal(incident!.severity, 'SEV-1', 'severity=critical maps to SEV-1');
    assert.deepEqual(incident!.services, ['mcp-server']);
    assert.match(incident!.url, /\/namespaces\/default\/workflows\/incident-am-a1b2c3d4e5f60001$/);
    const status = await eventually(() =>
      h.temporal.client.workflow.getHandle(incident!.workflowId).query(statusQuery),
    );
    assert.equal(status.source, 'monitoring-alert');
    assert.match(status.incidentId, /^INCIDENT-\d{8}-\d{6}/);
  });

  it('lands a repeated alert on the open incident instead of opening a second one', async () => {
    const first = await h.call('/webhooks/alertmanager', { json: alertmanagerPayload(['feedbeef00000002']) });
    const second = await h.call('/webhooks/alertmanager', {
      json: alertmanagerPayload(['feedbeef00000002']),
    });
    const [a] = ((await first.json()) as { incidents: IntakeBody[] }).incidents;
    const [b] = ((await second.json()) as { incidents: IntakeBody[] }).incidents;
    assert.equal(a!.deduplicated, false);
    assert.equal(b!.deduplicated, true);
    assert.equal(b!.workflowId, a!.workflowId);
    const runs = [];
    for await (const run of h.temporal.client.workflow.list({ query: `WorkflowId = '${a!.workflowId}'` }))
      runs.push(run);
    assert.ok(runs.length <= 1, 'one run for the fingerprint');
    // A signal that arrives during a workflow task is buffered until the task completes.
    await eventually(async () => ((await signalCount(h, a!.workflowId)) === 2 ? true : undefined));
    // The opening alert is counted once (it arrives as the first signal), the repeat once more.
    const handle = h.temporal.client.workflow.getHandle(a!.workflowId);
    await eventually(async () => ((await handle.query(statusQuery)).alerts.firing >= 2 ? true : undefined));
    await new Promise((settle) => setTimeout(settle, 300));
    assert.equal((await handle.query(statusQuery)).alerts.firing, 2);
  });

  it('records a resolved alert on its open incident and starts nothing for an unknown fingerprint', async () => {
    await h.call('/webhooks/alertmanager', { json: alertmanagerPayload(['0000000000000003']) });
    const resolved = await h.call('/webhooks/alertmanager', {
      json: alertmanagerPayload(['0000000000000003', '00000000000000ff'], { status: 'resolved' }),
    });
    assert.equal(resolved.status, 202);
    const { incidents } = (await resolved.json()) as { incidents: IntakeBody[] };
    assert.equal(incidents[0]!.recorded, true);
    assert.equal(incidents[1]!.recorded, false);
    assert.equal(await workflowExists(h.temporal, 'incident-am-00000000000000ff'), false);
    const status = await eventually(async () => {
      const s = await h.temporal.client.workflow.getHandle('incident-am-0000000000000003').query(statusQuery);
      return s.alerts.resolved === 1 ? s : undefined;
    });
    assert.equal(status.alerts.resolved, 1);
  });

  it('routes labels through the config: an unmatched alert gets the defaults', async () => {
    const response = await h.call('/webhooks/alertmanager', {
      json: alertmanagerPayload(['0000000000000004'], {
        labels: { service: 'widgets', severity: 'warning' },
      }),
    });
    const [incident] = ((await response.json()) as { incidents: IntakeBody[] }).incidents;
    assert.equal(incident!.severity, 'SEV-3');
    assert.deepEqual(incident!.services, ['widgets']);
    assert.equal(incident!.scenario, 'unknown');
  });

  it('opens an incident from the generic (PagerDuty-like) webhook and deduplicates on dedup_key', async () => {
    const alert = {
      dedup_key: 'checkout/latency high',
      severity: 'error',
      summary: 'p99 latency above 2s',
      source: 'synthetic-monitor-1',
      component: 'mcp-server',
      custom_details: { p99_ms: 2300, region: 'eu-west-1' },
    };
    const first = await h.call('/webhooks/generic', { json: alert });
    assert.equal(first.status, 202);
    const a = (await first.json()) as IntakeBody;
    assert.equal(a.deduplicated, false);
    assert.equal(a.severity, 'SEV-2');
    assert.match(a.workflowId, /^incident-generic-checkout_latency_high-[0-9a-f]{16}$/);
    const second = (await (await h.call('/webhooks/generic', { json: alert })).json()) as IntakeBody;
    assert.equal(second.deduplicated, true);
    assert.equal(second.workflowId, a.workflowId);
    assert.match(second.incidentId ?? '', /^INCIDENT-/);
  });

  it('refuses the generic webhook without the bearer token and starts nothing', async () => {
    const alert = { dedup_key: 'no-token', severity: 'critical', summary: 'x', source: 'y' };
    const missing = await h.call('/webhooks/generic', { json: alert, token: null });
    assert.equal(missing.status, 401);
    const wrong = await h.call('/webhooks/generic', { json: alert, token: 'wrong-token-0123456789' });
    assert.equal(wrong.status, 401);
    assert.equal(await workflowExists(h.temporal, incidentWorkflowId('generic-no-token')), false);
  });

  it('opens a ci-failure incident from a signed GitHub workflow_run failure and records the next success on it', async () => {
    const body = JSON.stringify(githubRun('failure'));
    const response = await fetch(`${h.base}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'workflow_run',
        'x-hub-signature-256': sign(body),
      },
      body,
    });
    assert.equal(response.status, 202);
    const incident = (await response.json()) as IntakeBody;
    assert.equal(incident.deduplicated, false);
    assert.equal(incident.scenario, 'widget-build-fails');
    const status = await eventually(() =>
      h.temporal.client.workflow.getHandle(incident.workflowId).query(statusQuery),
    );
    assert.equal(status.source, 'ci-failure');

    const passed = JSON.stringify(githubRun('success'));
    const ok = await fetch(`${h.base}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'workflow_run',
        'x-hub-signature-256': sign(passed),
      },
      body: passed,
    });
    assert.equal(ok.status, 202);
    const resolved = (await ok.json()) as IntakeBody;
    assert.equal(resolved.workflowId, incident.workflowId);
    assert.equal(resolved.recorded, true);
  });

  it('opens an incident from a failed check_run and answers ping', async () => {
    const check = JSON.stringify({
      action: 'completed',
      repository: { full_name: 'acme/widgets-service' },
      check_run: {
        id: 5,
        name: 'visual (playwright)',
        head_sha: 'b'.repeat(40),
        conclusion: 'failure',
        html_url: null,
        completed_at: new Date().toISOString(),
        check_suite: { head_branch: 'main' },
      },
    });
    const response = await fetch(`${h.base}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'check_run',
        'x-hub-signature-256': sign(check),
      },
      body: check,
    });
    assert.equal(response.status, 202);
    assert.equal(((await response.json()) as IntakeBody).scenario, 'visual-regression');

    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const pong = await fetch(`${h.base}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-hub-signature-256': sign(ping),
      },
      body: ping,
    });
    assert.equal(pong.status, 200);
    const other = JSON.stringify({ action: 'opened' });
    const ignored = await fetch(`${h.base}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-hub-signature-256': sign(other),
      },
      body: other,
    });
    assert.equal(ignored.status, 202);
    assert.match(((await ignored.json()) as { ignored: string }).ignored, /issues/);
  });

  it('answers 401 to a GitHub delivery with a bad signature and starts nothing', async () => {
    const body = JSON.stringify({
      ...githubRun('failure', 'Forged build'),
      repository: { full_name: 'evil/forged' },
    });
    for (const signature of [sign(body, 'not-the-secret'), undefined, 'sha256=zz', sign(`${body} `)]) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': 'workflow_run',
      };
      if (signature) headers['x-hub-signature-256'] = signature;
      const response = await fetch(`${h.base}/webhooks/github`, { method: 'POST', headers, body });
      assert.equal(response.status, 401, `signature ${signature}`);
    }
    const started = [];
    for await (const run of h.temporal.client.workflow.list({
      query: `WorkflowId STARTS_WITH 'incident-gh-evil'`,
    })) {
      started.push(run);
    }
    assert.equal(started.length, 0);
    assert.equal(await workflowExists(h.temporal, 'incident-gh-evil_forged:workflow_run:4242:main'), false);
  });

  it('takes any non-empty Alertmanager fingerprint, not only hex, and makes its workflow ID safe', async () => {
    const odd = ['relay/α β:../1', 'relay/α β:../2', 'X'.repeat(256), 'has "quotes" & spaces'];
    const ids: string[] = [];
    for (const fingerprint of odd) {
      const response = await h.call('/webhooks/alertmanager', { json: alertmanagerPayload([fingerprint]) });
      assert.equal(response.status, 202, await response.clone().text());
      const [incident] = ((await response.json()) as { incidents: IntakeBody[] }).incidents;
      assert.match(incident!.workflowId, /^incident-am-[A-Za-z0-9._:@-]+$/);
      assert.ok(incident!.workflowId.length <= 160, incident!.workflowId);
      assert.equal(incident!.deduplicated, false);
      ids.push(incident!.workflowId);
    }
    assert.equal(new Set(ids).size, odd.length, 'values that clean alike still get their own incident');
    const again = await h.call('/webhooks/alertmanager', { json: alertmanagerPayload([odd[0]!]) });
    const [repeat] = ((await again.json()) as { incidents: IntakeBody[] }).incidents;
    assert.equal(repeat!.workflowId, ids[0]);
    assert.equal(repeat!.deduplicated, true);
    for (const id of ids) assert.ok(await workflowExists(h.temporal, id));
  });

  it('keeps tab, LF and CR in a free-text summary', async () => {
    const response = await h.call('/webhooks/generic', {
      json: {
        dedup_key: 'multi-line',
        severity: 'warning',
        summary: 'line 1\n\tline 2\r\n',
        source: 'probe',
      },
    });
    assert.equal(response.status, 202, await response.clone().text());
  });

  it('answers /healthz without a token', async () => {
    const response = await h.call('/healthz', { token: null });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, temporal: 'serving' });
  });
});
