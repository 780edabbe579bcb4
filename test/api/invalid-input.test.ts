import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertmanagerPayload, type ApiHarness, settledCount, sign, startApiHarness } from './harness';

/** Every refused request must leave the server without a single incident workflow. */
const incidentCount = (h: ApiHarness): Promise<number> =>
  settledCount(h.temporal, `WorkflowType = 'incidentWorkflow'`, 0);

/** An Alertmanager body whose one alert has `change` applied. */
function amWith(fingerprint: string, change: (alert: Record<string, unknown>) => void): string {
  const payload = alertmanagerPayload([fingerprint]);
  change(payload.alerts[0] as unknown as Record<string, unknown>);
  return JSON.stringify(payload);
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
    // Control characters: none in keys, labels and names; free text keeps only tab, LF and CR.
    ...(
      [
        ['a NUL in dedup_key', { dedup_key: 'a\u0000b' }, 'dedup_key'],
        ['a lone surrogate in dedup_key', { dedup_key: 'k\ud800' }, 'dedup_key'],
        ['a newline in dedup_key', { dedup_key: 'k\nEVIL' }, 'dedup_key'],
        ['an escape sequence in summary', { summary: 'down \u001b[31mred' }, 'summary'],
        ['a NUL in summary', { summary: 'down\u0000' }, 'summary'],
        ['a DEL in source', { source: 'probe\u007f' }, 'source'],
        ['a C1 control in component', { component: 'db\u0085' }, 'component'],
        ['a NUL in service', { service: 'mcp\u0000' }, 'service'],
        ['a NUL in a custom_details value', { custom_details: { host: 'a\u0000' } }, 'custom_details.host'],
        // Unsafe service names are refused, not dropped for the default services (issue 16 #4).
        ['a shell command as service', { service: '$(touch /tmp/x)' }, 'service'],
        ['a path as one of the services', { service: ['mcp-server', '../../etc'] }, 'service'],
      ] as const
    ).map(([name, change, field]) => ({
      name,
      path: '/webhooks/generic',
      body: JSON.stringify({ ...generic, ...change }),
      status: 400,
      reason: new RegExp(field.replace('.', '\\.')),
      field,
    })),
    ...(
      [
        [
          'a NUL in an Alertmanager label value',
          'f1',
          (a: Record<string, unknown>) => {
            (a.labels as Record<string, string>).severity = 'critical\u0000';
          },
          'alerts.0.labels.severity',
        ],
        [
          'a control character in an annotation',
          'f2',
          (a: Record<string, unknown>) => {
            (a.annotations as Record<string, string>).summary = 'down\u0007';
          },
          'alerts.0.annotations.summary',
        ],
        ['a NUL in the fingerprint', 'f3\u0000', () => undefined, 'alerts.0.fingerprint'],
        [
          'a shell command in the service label',
          'f4',
          (a: Record<string, unknown>) => {
            (a.labels as Record<string, string>).service = '$(touch /tmp/x)';
          },
          'alerts.0.labels.service',
        ],
      ] as const
    ).map(([name, fingerprint, change, field]) => ({
      name,
      path: '/webhooks/alertmanager',
      body: amWith(fingerprint, change),
      status: 400,
      reason: /./,
      field,
    })),
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

  it('refuses invalid UTF-8 with 400 naming the field, instead of replacing it with U+FFFD', async () => {
    const before = Buffer.from(JSON.stringify({ ...generic, dedup_key: 'utf8-bad', summary: '@@' }));
    const at = before.indexOf('@@');
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xc0, 0xaf]]) {
      const body = Buffer.concat([before.subarray(0, at), Buffer.from(bad), before.subarray(at + 2)]);
      const response = await h.call('/webhooks/generic', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { error: string; field?: string };
      assert.equal(response.status, 400, JSON.stringify(answer));
      assert.match(answer.error, /not valid UTF-8/);
      assert.equal(answer.field, 'summary', JSON.stringify(answer));
    }
  });

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
