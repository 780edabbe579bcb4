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
});
