import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  alertmanagerPayload,
  type ApiHarness,
  settledCount,
  sign,
  startApiHarness,
  workflowExists,
} from './harness';
import { clickPayload, formBody, slackHeaders } from '../helpers/slack';

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD = [
  '',
  ' ',
  '\u0000',
  '\u202e',
  '\ud800',
  '💥',
  'é'.repeat(300),
  '${jndi:x}',
  "'; DROP TABLE--",
  '__proto__',
  'x'.repeat(5_000),
];
const VALUES: unknown[] = [null, true, 0, -1, 1e308, '', [], {}, [[[[]]]], { __proto__: 1 }, ...ODD];

/** Mutates a valid body: drop, retype or add a field, at the top or one level down. */
function mutate(random: () => number, body: Record<string, unknown>): string {
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const copy = structuredClone(body);
  const target: Record<string, unknown> =
    random() < 0.3 && Array.isArray(copy.alerts) ? (copy.alerts as Record<string, unknown>[])[0]! : copy;
  const keys = Object.keys(target);
  const action = random();
  if (action < 0.3 && keys.length) delete target[pick(keys)];
  else if (action < 0.7 && keys.length) target[pick(keys)] = pick(VALUES);
  else target[pick(['extra', 'routing_key', pick(ODD).slice(0, 20) || 'k'])] = pick(VALUES);
  let text = JSON.stringify(copy);
  if (random() < 0.1) text = text.replace('"extra"', '"__proto__"');
  if (random() < 0.05) text = text.slice(0, Math.floor(random() * text.length));
  return text;
}

describe('hostile bodies across the API routes', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness('hostile');
  });
  after(async () => {
    await h?.close();
  });

  it('answers 600 mutated bodies with no 5xx, and starts an incident only for the ones it accepted', async () => {
    const random = rng(20261127);
    const generic = {
      dedup_key: 'hostile',
      severity: 'warning',
      summary: 'fuzz',
      source: 'fuzzer',
      custom_details: { a: 1 },
    };
    const decision = { option: 'revert-last-change', approver: '@jscraik', comment: 'ok' };
    const statuses = new Map<number, number>();
    let opened = 0;
    const openedIds: string[] = [];
    for (let i = 0; i < 600; i++) {
      const kind = i % 4;
      let response: Response;
      if (kind === 0) {
        response = await h.call('/webhooks/generic', {
          json: mutate(random, { ...generic, dedup_key: `hostile-${i}` }),
        });
      } else if (kind === 1) {
        const fingerprint = `f${i.toString(16).padStart(15, '0')}`;
        response = await h.call('/webhooks/alertmanager', {
          json: mutate(random, alertmanagerPayload([fingerprint])),
        });
      } else if (kind === 2) {
        response = await h.call(`/incidents/incident-nothing-${i}/approve`, {
          json: mutate(random, decision),
        });
      } else {
        const body = mutate(random, { action: 'completed', repository: { full_name: 'a/b' }, zen: 'x' });
        const forged = random() < 0.5;
        response = await fetch(`${h.base}/webhooks/github`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': random() < 0.5 ? 'ping' : 'workflow_run',
            'x-hub-signature-256': forged ? sign(body, 'forged') : sign(body),
          },
          body,
        });
        if (forged) assert.equal(response.status, 401);
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const text = await response.text();
      assert.ok(response.status < 500, `request ${i} answered ${response.status}: ${text}`);
      if (response.status === 202) {
        const body = JSON.parse(text) as {
          deduplicated?: boolean;
          workflowId?: string;
          incidents?: { deduplicated: boolean; workflowId: string }[];
        };
        const fresh = (body.incidents ?? [body]).filter((x) => x.deduplicated === false);
        opened += fresh.length;
        openedIds.push(...fresh.map((x) => x.workflowId!));
      }
    }
    assert.ok((statuses.get(400) ?? 0) > 100, `mostly refused: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(202) ?? 0) > 0, 'some mutations stay valid and are accepted');
    // Each accepted new alert names its workflow, which the server itself knows (not visibility).
    for (const id of openedIds) assert.ok(await workflowExists(h.temporal, id), `workflow ${id} exists`);
    // Visibility lags the last start: count once it has settled, not right after the last request.
    const count = await settledCount(h.temporal, `WorkflowType = 'incidentWorkflow'`, opened);
    assert.equal(
      count,
      opened,
      `incidents started (${count}) = accepted new alerts (${opened}); statuses ${JSON.stringify([...statuses])}`,
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses 300 forged, stale, replayed, tampered and malformed Slack interactions with 4xx, deciding nothing', async () => {
    const random = rng(20261130);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const now = () => Math.floor(Date.now() / 1000);
    const incident = `incident-slack-hostile-nothing`;
    const valid = () =>
      clickPayload({
        actionId: pick(['incident-ack', 'incident-approve', 'incident-reject']),
        value: JSON.stringify({ w: incident, o: 'revert-last-change' }),
        // No slack.users in this harness's config: every well-formed click is from an unknown member.
        userId: pick(['U0ALICE', 'U0MALLORY', 'W0GRID']),
      });
    const KINDS = ['forged', 'stale', 'future', 'tampered', 'unsigned', 'malformed', 'replayed'] as const;
    const expected: Record<(typeof KINDS)[number], number[]> = {
      forged: [401],
      stale: [401],
      future: [401],
      tampered: [401],
      unsigned: [401],
      malformed: [400],
      replayed: [401],
    };
    const statuses = new Map<string, number>();
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${h.base}/webhooks/slack/interactions`, { method: 'POST', headers, body });
    for (let i = 0; i < 300; i++) {
      const kind = KINDS[i % KINDS.length]!;
      let body = formBody(valid());
      let headers = slackHeaders(body);
      if (kind === 'forged')
        headers = slackHeaders(body, { secret: pick(['', 'x', 'slack-signing-secret-for-tests-0124']) });
      else if (kind === 'stale')
        headers = slackHeaders(body, { timestamp: now() - 301 - Math.floor(random() * 86_400) });
      else if (kind === 'future')
        headers = slackHeaders(body, { timestamp: now() + 301 + Math.floor(random() * 86_400) });
      else if (kind === 'tampered') body = body.replace('incident-', 'incident-x');
      else if (kind === 'unsigned') {
        const drop = pick(['x-slack-signature', 'x-slack-request-timestamp']);
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== drop));
      } else if (kind === 'malformed') {
        body = pick([
          formBody(pick(['{', '[]', 'null', '{"type":"block_actions"}', '{"__proto__":{"polluted":1}}'])),
          formBody({ ...valid(), actions: [] }),
          formBody({ ...valid(), type: 'view_submission' }),
          `${formBody(valid())}&payload=%7B%7D`,
          'payload=%ff%fe',
          'text=hello',
        ])
          // Identical bytes signed in the same second are one request (a replay): keep each unique.
          .concat(`&nonce=${i}`);
        headers = slackHeaders(body);
      }
      const response = await post(body, headers);
      let status = response.status;
      await response.text();
      if (kind === 'replayed') {
        // The first, validly signed, is refused on content (unknown member 403, or no incident 404);
        // the same bytes again are a replay.
        assert.ok([403, 404].includes(status), `first of replay pair answered ${status}`);
        const again = await post(body, headers);
        status = again.status;
        assert.match(((await again.json()) as { error: string }).error, /replayed request/);
      }
      statuses.set(`${kind} ${status}`, (statuses.get(`${kind} ${status}`) ?? 0) + 1);
      assert.ok(expected[kind].includes(status), `#${i} ${kind} answered ${status}`);
    }
    assert.ok(!(await workflowExists(h.temporal, incident)), 'nothing started');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    console.log(`# hostile Slack interactions: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
