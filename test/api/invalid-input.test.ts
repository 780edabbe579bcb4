import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertmanagerPayload, type ApiHarness, sign, startApiHarness } from './harness';

/** Every refused request must leave the server without a single incident workflow. */
async function incidentCount(h: ApiHarness): Promise<number> {
  const { count } = await h.temporal.client.workflow.count(`WorkflowType = 'incidentWorkflow'`);
  return count;
}

const generic = { dedup_key: 'refused-1', severity: 'critical', summary: 'down', source: 'probe' };

describe('bad input to the API answers 4xx with the reason and starts nothing', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness('invalid');
  });
  after(async () => {
    await h?.close();
  });

  const cases: {
    name: string;
    path: string;
    body: string;
    status: number;
    reason: RegExp;
    field?: string;
  }[] = [
    {
      name: 'invalid JSON',
      path: '/webhooks/generic',
      body: '{"dedup_key": ',
      status: 400,
      reason: /not valid JSON/,
    },
    { name: 'empty body', path: '/webhooks/generic', body: '', status: 400, reason: /empty/ },
    {
      name: 'an unknown top-level field',
      path: '/webhooks/generic',
      body: JSON.stringify({ ...generic, routing_key: 'abc' }),
      status: 400,
      reason: /unknown field/,
      field: 'routing_key',
    },
    {
      name: 'a wrong type',
      path: '/webhooks/generic',
      body: JSON.stringify({ ...generic, summary: 42 }),
      status: 400,
      reason: /summary/,
      field: 'summary',
    },
    {
      name: 'a value outside the list',
      path: '/webhooks/generic',
      body: JSON.stringify({ ...generic, severity: 'apocalyptic' }),
      status: 400,
      reason: /severity/,
      field: 'severity',
    },
    {
      name: 'an unknown field inside an Alertmanager alert',
      path: '/webhooks/alertmanager',
      body: JSON.stringify({
        ...alertmanagerPayload(['aaaaaaaaaaaaaaa1']),
        alerts: [{ ...alertmanagerPayload(['aaaaaaaaaaaaaaa1']).alerts[0], silenced: true }],
      }),
      status: 400,
      reason: /unknown field/,
      field: 'alerts.0.silenced',
    },
    {
      name: 'a wrong Alertmanager payload version',
      path: '/webhooks/alertmanager',
      body: JSON.stringify({ ...alertmanagerPayload(['aaaaaaaaaaaaaaa2']), version: '3' }),
      status: 400,
      reason: /version/,
      field: 'version',
    },
    {
      name: 'a __proto__ key',
      path: '/webhooks/generic',
      body: `{"dedup_key":"p","severity":"critical","summary":"x","source":"y","custom_details":{"__proto__":{"polluted":"yes"}}}`,
      status: 400,
      reason: /__proto__/,
    },
    {
      name: 'a constructor key',
      path: '/webhooks/alertmanager',
      body: `{"version":"4","status":"firing","alerts":[],"constructor":{"prototype":{}}}`,
      status: 400,
      reason: /constructor|prototype/,
    },
    {
      name: 'deep nesting',
      path: '/webhooks/generic',
      body: `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      status: 400,
      reason: /nests deeper/,
    },
    {
      // Checked before the incident is looked up, so a bad body never waits on visibility.
      name: 'a bad decision body for an incident ID that does not exist',
      path: '/incidents/INCIDENT-20261127-000000-zzzz/approve',
      body: JSON.stringify({ option: 'reboot-everything', approver: '@lead' }),
      status: 400,
      reason: /option/,
      field: 'option',
    },
    {
      name: 'an array instead of an object',
      path: '/webhooks/generic',
      body: '[1,2,3]',
      status: 400,
      reason: /expected object/i,
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status}`, async () => {
      const response = await h.call(c.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: c.body,
      });
      assert.equal(response.status, c.status);
      const body = (await response.json()) as { error: string; field?: string };
      assert.match(body.error, c.reason);
      if (c.field) assert.equal(body.field, c.field);
    });
  }

  it('refuses a body over the limit with 413', async () => {
    const huge = JSON.stringify({ ...generic, summary: 'x'.repeat(300 * 1024) });
    const response = await h.call('/webhooks/generic', { json: huge });
    assert.equal(response.status, 413);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await h.call('/webhooks/generic', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'dedup_key=1',
    });
    assert.equal(response.status, 415);
  });

  it('refuses a signed GitHub delivery with a malformed body with 400', async () => {
    const body = JSON.stringify({
      action: 'completed',
      repository: { full_name: 'a/b' },
      workflow_run: { id: 'one' },
    });
    const response = await fetch(`${h.base}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'workflow_run',
        'x-hub-signature-256': sign(body),
      },
      body,
    });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /workflow_run\.id/);
  });

  it('refuses an Alertmanager batch with one bad alert without starting the good ones', async () => {
    const payload = alertmanagerPayload(['bbbbbbbbbbbbbbb1', 'bbbbbbbbbbbbbbb2']);
    (payload.alerts[1] as { startsAt: string }).startsAt = 'yesterday';
    const response = await h.call('/webhooks/alertmanager', { json: payload });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { field: string }).field, 'alerts.1.startsAt');
  });

  it('has started no incident for any refused request', async () => {
    assert.equal(await incidentCount(h), 0);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  });
});
