import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi, DEFAULT_BODY_LIMIT } from '../../src/api/server';
import { parseEngineConfig } from '../../src/config/engine-config';
import { loadEnv } from '../../src/config/env';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { incidentInput } from '../helpers/lifecycle';
import { startDevServerEnv } from '../helpers/temporal';
import { clickPayload, SLACK_SIGNING_SECRET, slackHeaders } from '../helpers/slack';
import { alertmanagerPayload, API_TOKEN, GITHUB_SECRET, settledCount, sign } from './harness';

const TOTAL = Number(process.env.HOSTILE_TOTAL ?? 10_000);
const SEED = 0x1c1de47;
const PARALLEL = 8;

/** Deterministic pseudo-random numbers (mulberry32): the same seed gives the same 10,000 bodies. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const ODD_TEXT = [
  '\u0000',
  '\u202eSEV-1',
  '\ud800',
  '\udfff\ud800',
  '💥'.repeat(50),
  'e\u0301'.repeat(100),
  '\ufeff',
  '${jndi:ldap://x}',
  "'; DROP TABLE incidents;--",
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '\u2028\u2029',
  'a'.repeat(70_000),
];
const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1e308, -0.5, [], [1, 2], {}, { a: { b: [] } }];
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** A valid body per route, which each generator then makes invalid by construction. */
const VALID = {
  generic: () => ({ dedup_key: 'k', severity: 'SEV-3', summary: 's', source: 'fuzzer' }),
  alertmanager: () => alertmanagerPayload(['abc123']) as unknown as Record<string, unknown>,
  github: () => ({
    action: 'completed',
    repository: { full_name: 'acme/widgets' },
    workflow_run: { id: 1, name: 'CI', head_branch: 'main', conclusion: 'failure', head_sha: 'a'.repeat(40) },
  }),
  ack: () => ({ by: '@jscraik' }),
  approve: () => ({ option: 'revert-last-change', approver: '@jscraik' }),
  reject: () => ({ option: 'revert-last-change', approver: '@jscraik' }),
  resolve: () => ({ by: '@jscraik', whys: ['why'] }),
  review: () => ({ by: '@jscraik' }),
  // Slack's payload, sent form-encoded and signed (see sendOne). No member is mapped in this
  // config, so even a payload that parses ends at 403 without reaching Temporal.
  slack: () =>
    clickPayload({
      actionId: 'incident-approve',
      value: JSON.stringify({ w: 'incident-hostile-bulk-target', o: 'revert-last-change' }),
      userId: 'U0ALICE',
    }) as unknown as Record<string, unknown>,
} as const;
type Route = keyof typeof VALID;
/** Fields each route requires, so giving one the wrong type is always refused. */
const REQUIRED: Record<Route, string[]> = {
  generic: ['dedup_key', 'severity', 'summary', 'source'],
  alertmanager: ['version', 'status', 'alerts'],
  github: ['action', 'repository', 'workflow_run'],
  ack: ['by'],
  approve: ['option', 'approver'],
  reject: ['option', 'approver'],
  resolve: ['by', 'whys'],
  review: ['by'],
  slack: ['type', 'user', 'channel', 'message', 'actions'],
};
const ROUTES = Object.keys(VALID) as Route[];

interface HostileRequest {
  kind: string;
  route: Route;
  /** Raw body text (or bytes for the huge ones). */
  body: string;
  /** Raw bytes sent instead of `body` (invalid UTF-8). */
  bytes?: Buffer;
  headers: Record<string, string>;
  /** Decision routes: which incident the body is sent to. */
  incident?: string;
}

/** Nests `value` `depth` levels deep in alternating objects and arrays. */
const nest = (depth: number, leaf = '1'): string => {
  let text = leaf;
  for (let i = 0; i < depth; i++) text = i % 2 ? `[${text}]` : `{"n":${text}}`;
  return text;
};

/** Replaces one required field with a value of the wrong type (a string for a non-string). */
function wrongType(random: Random, route: Route, body: Record<string, unknown>): Record<string, unknown> {
  const field = pick(random, REQUIRED[route]);
  const original = body[field];
  const candidates = WRONG_TYPES.filter((v) => typeof v !== typeof original || Array.isArray(original));
  const value =
    typeof original === 'string'
      ? pick(random, candidates)
      : pick(random, [...candidates.filter((v) => !Array.isArray(v) && typeof v !== 'object'), 'text']);
  return { ...body, [field]: value };
}

/** Each generator makes a body that no route may accept. */
const GENERATORS: Record<string, (random: Random, route: Route) => Omit<HostileRequest, 'route'>> = {
  'truncated-json': (random, route) => {
    const text = JSON.stringify(VALID[route]());
    return {
      kind: 'truncated-json',
      body: text.slice(0, 1 + Math.floor(random() * (text.length - 2))),
      headers: {},
    };
  },
  'not-json': (random) => ({
    kind: 'not-json',
    body: pick(random, [
      '{',
      '}',
      "{'a':1}",
      '{"a":1,}',
      'NaN',
      'undefined',
      '{"a":01}',
      '\u0000',
      'x'.repeat(100),
    ]),
    headers: {},
  }),
  'not-an-object': (random) => ({
    kind: 'not-an-object',
    body: pick(random, ['[]', '[{}]', '"text"', '1', 'null', 'true', '[[[[]]]]', '""']),
    headers: {},
  }),
  'deeply-nested': (random, route) => {
    const depth = 33 + Math.floor(random() * 3_000);
    const body = { ...VALID[route](), deep: '@@' };
    return { kind: 'deeply-nested', body: JSON.stringify(body).replace('"@@"', nest(depth)), headers: {} };
  },
  'prototype-key': (random, route) => {
    const key = pick(random, FORBIDDEN);
    const body = VALID[route]() as Record<string, unknown>;
    const text =
      random() < 0.5
        ? JSON.stringify(body).replace(/^\{/, `{"${key}":{"polluted":true},`)
        : JSON.stringify({ ...body, extra: '@@' }).replace('"@@"', `{"a":{"${key}":{"polluted":1}}}`);
    return { kind: 'prototype-key', body: text, headers: {} };
  },
  'wrong-type': (random, route) => ({
    kind: 'wrong-type',
    body: JSON.stringify(wrongType(random, route, VALID[route]())),
    headers: {},
  }),
  'missing-field': (random, route) => {
    const body = VALID[route]() as Record<string, unknown>;
    delete body[pick(random, REQUIRED[route])];
    return { kind: 'missing-field', body: JSON.stringify(body), headers: {} };
  },
  'unknown-odd-field': (random, route) => {
    // Every schema is strict: a field the route does not know is refused, whatever its name.
    const name = `${pick(random, ODD_TEXT).slice(0, 40)}x${Math.floor(random() * 1e6)}`;
    return {
      kind: 'unknown-odd-field',
      body: JSON.stringify({ ...VALID[route](), [name]: pick(random, [...ODD_TEXT, ...WRONG_TYPES]) }),
      headers: {},
    };
  },
  'odd-unicode-enum': (random, route) => {
    // Enum-like fields with odd unicode around a valid value are not that value.
    const body = VALID[route]() as Record<string, unknown>;
    const field =
      { generic: 'severity', alertmanager: 'status', github: 'action' }[route as string] ??
      REQUIRED[route][0]!;
    const original = body[field];
    const value = typeof original === 'string' ? original : 'x';
    const odd = pick(random, ['\u202e', '\u0000', '\ufeff', '\u200b', '\ud800', '💥', 'é', '\n']);
    body[field] = random() < 0.5 ? `${odd}${value}` : `${value.slice(0, -1)}${odd}`;
    return { kind: 'odd-unicode-enum', body: JSON.stringify(body), headers: {} };
  },
  huge: (random, route) => {
    const filler = pick(random, ['a', 'é', '💥', '\\u0000']);
    const size = DEFAULT_BODY_LIMIT + 1 + Math.floor(random() * 64 * 1024);
    const body = JSON.stringify({ ...VALID[route](), pad: '@@' }).replace(
      '"@@"',
      `"${filler.repeat(size / filler.length)}"`,
    );
    return { kind: 'huge', body, headers: {} };
  },
  'control-character': (random, route) => {
    // Keys, names and labels take no control character; free text only tab, LF and CR.
    const control = pick(random, ['\u0000', '\u0001', '\u001b[2J', '\u007f', '\u0085', '\ud800']);
    const body = VALID[route]() as Record<string, unknown>;
    if (route === 'generic') {
      const field = pick(random, ['dedup_key', 'source', 'summary', 'component', 'service']);
      body[field] = `${random() < 0.5 ? control : ''}x${control}`;
    } else {
      const alert = (body.alerts as Record<string, unknown>[])[0]!;
      const labels = alert.labels as Record<string, string>;
      if (random() < 0.5) alert.fingerprint = `abc${control}`;
      else labels[pick(random, ['service', 'severity', 'alertname'])] = `x${control}`;
    }
    return { kind: 'control-character', body: JSON.stringify(body), headers: {} };
  },
  'invalid-utf8': (random, route) => {
    // Malformed bytes are refused, never decoded to U+FFFD (which merges distinct keys). They go
    // into the first string value (generic: dedup_key), where a lossy decode would be accepted.
    const text = Buffer.from(JSON.stringify(VALID[route]()));
    const at = text.indexOf('":"') + 3;
    const bad = Buffer.from(
      pick(random, [[0xff], [0xfe, 0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88]]),
    );
    const bytes = Buffer.concat([text.subarray(0, at), bad, text.subarray(at)]);
    return { kind: 'invalid-utf8', body: bytes.toString('latin1'), bytes, headers: {} };
  },
  'unsafe-service': (random, route) => {
    // A service name that is not one is refused, not replaced by the default services.
    const name = pick(random, [
      '$(touch /tmp/x)',
      '`id`',
      '../../etc/passwd',
      'a;rm -rf /',
      'a b',
      '-rf',
      '.',
    ]);
    const body = VALID[route]() as Record<string, unknown>;
    if (route === 'generic') body.service = random() < 0.5 ? name : ['mcp-server', name];
    else ((body.alerts as Record<string, unknown>[])[0]!.labels as Record<string, string>).service = name;
    return { kind: 'unsafe-service', body: JSON.stringify(body), headers: {} };
  },
  'wrong-content-type': (random, route) => ({
    kind: 'wrong-content-type',
    body: JSON.stringify(VALID[route]()),
    headers: {
      'content-type': pick(random, [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/jsonx',
        'image/png',
      ]),
    },
  }),
};
const KINDS = Object.keys(GENERATORS);

function generate(random: Random, i: number, incidentIds: string[]): HostileRequest {
  const route = ROUTES[i % ROUTES.length]!;
  // Huge bodies cost 256 KiB each on the wire: one in fifty.
  // GitHub's event schemas are deliberately lenient (GitHub adds fields, and any action other
  // than "completed" is a 202 "ignored"), so unknown fields and odd action names are no refusal
  // there; its hostile cases are the rest plus forged signatures.
  // Control characters and service names are checked on the alert routes (decision bodies are
  // the CLI's schemas); invalid UTF-8 everywhere but GitHub, whose signature covers the bytes.
  const alertOnly = ['control-character', 'unsafe-service'];
  const kinds = KINDS.filter(
    (k) =>
      k !== 'huge' &&
      !(
        route === 'github' &&
        (k === 'unknown-odd-field' || k === 'odd-unicode-enum' || k === 'invalid-utf8')
      ) &&
      !(alertOnly.includes(k) && route !== 'generic' && route !== 'alertmanager'),
  );
  const kind = i % 50 === 0 ? 'huge' : pick(random, kinds);
  const request: HostileRequest = { route, ...GENERATORS[kind]!(random, route) };
  if (!['generic', 'alertmanager', 'github', 'slack'].includes(route))
    request.incident = pick(random, incidentIds);
  return request;
}

describe('10,000 generated hostile request bodies across the API routes', () => {
  let temporal: TestWorkflowEnvironment;
  let app: FastifyInstance;
  let base: string;
  const existing = incidentWorkflowId('hostile-bulk-target');
  before(async () => {
    temporal = await startDevServerEnv();
    const env = loadEnv({
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'hostile-bulk-no-worker',
      API_TOKEN,
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      SLACK_SIGNING_SECRET,
    });
    app = await buildApi({ client: temporal.client, env, config: parseEngineConfig({}) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // One real incident, so decision bodies reach validation rather than the 404 for no incident.
    // No worker polls its queue: a body that slipped through would hang and fail the test.
    await temporal.client.workflow.start('incidentWorkflow', {
      taskQueue: 'hostile-bulk-no-worker',
      workflowId: existing,
      args: [{ incident: incidentInput({ fingerprint: 'hostile-bulk-target' }) }],
    });
  });
  after(async () => {
    await app?.close();
    await temporal?.teardown();
  });

  it(
    'answers every one with a 4xx, never crashes, and starts no workflow',
    { timeout: 240_000 },
    async () => {
      // The baseline is the target incident once visibility shows it: read too early, it is 0 and
      // the target itself would count as a workflow started by hostile input (seen in CI).
      const before = await settledCount(temporal, undefined, 1);
      assert.equal(before, 1, 'only the target incident exists before the run');
      const random = rng(SEED);
      const requests = Array.from({ length: TOTAL }, (_, i) =>
        // Workflow IDs only: an INCIDENT-... ID waits up to 3 s for visibility before its 404.
        generate(random, i, [existing, 'incident-none-such']),
      );
      const statuses = new Map<string, number>();
      const failures: string[] = [];
      let replays = 0;
      const timing = new Map<string, number>();
      const send = async (r: HostileRequest, i: number) => {
        const t0 = Date.now();
        try {
          await sendOne(r, i);
        } finally {
          const key = `${r.route}/${r.kind}/${r.incident ?? ''}`;
          timing.set(key, (timing.get(key) ?? 0) + Date.now() - t0);
        }
      };
      const sendOne = async (r: HostileRequest, i: number) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...r.headers };
        let path: string;
        let body: BodyInit = r.bytes ? new Uint8Array(r.bytes) : r.body;
        let replay = false;
        if (r.route === 'slack') {
          path = '/webhooks/slack/interactions';
          // The JSON goes in Slack's `payload` form field; raw bytes percent-encoded as they are.
          const form = `payload=${r.bytes ? [...r.bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('') : encodeURIComponent(r.body)}`;
          body = form;
          // A quarter forged, a quarter stale, the rest signed and refused on content; of those, half
          // are sent twice and the second must be refused as a replay.
          const forge = i % 4;
          Object.assign(
            headers,
            slackHeaders(form, {
              ...(forge === 0 ? { secret: 'not-the-slack-signing-secret' } : {}),
              ...(forge === 1 ? { timestamp: Math.floor(Date.now() / 1000) - 301 - (i % 3_600) } : {}),
            }),
            { 'content-type': r.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
          );
          replay = forge === 3;
        } else if (r.route === 'github') {
          path = '/webhooks/github';
          headers['x-github-event'] = i % 3 === 0 ? 'check_run' : 'workflow_run';
          // A third forged (wrong secret, missing, malformed); the rest signed, and refused on content.
          const forge = i % 3;
          if (forge === 0) headers['x-hub-signature-256'] = sign(r.body, 'not-the-secret');
          else if (forge === 1 && i % 2 === 0) headers['x-hub-signature-256'] = `sha1=${'0'.repeat(40)}`;
          else headers['x-hub-signature-256'] = sign(r.body);
        } else {
          path = r.incident
            ? `/incidents/${encodeURIComponent(r.incident)}/${r.route}`
            : `/webhooks/${r.route}`;
          headers.authorization = i % 97 === 0 ? 'Bearer wrong-token-0123456789' : `Bearer ${API_TOKEN}`;
        }
        const post = () =>
          fetch(`${base}${path}`, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(15_000),
          }).catch((error: Error) => error);
        let response = await post();
        if (replay && !(response instanceof Error) && response.status < 500) {
          await response.text();
          response = await post();
          replays++;
          if (
            !(response instanceof Error) &&
            response.status !== 401 &&
            response.status !== 413 &&
            response.status !== 415
          )
            failures.push(`#${i} ${r.kind} slack replay -> ${response.status}`);
        }
        if (response instanceof Error) {
          // A huge body may be refused before it is all sent; the socket closing then is the 413.
          if (r.kind === 'huge') return statuses.set('413-closed', (statuses.get('413-closed') ?? 0) + 1);
          failures.push(`#${i} ${r.kind} ${r.route}: ${response.message}`);
          return;
        }
        const text = await response.text();
        const key = `${r.route === 'slack' ? 'slack ' : ''}${response.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (response.status < 400 || response.status >= 500)
          failures.push(
            `#${i} ${r.kind} ${r.route} -> ${response.status}: ${text.slice(0, 200)} body ${r.body.slice(0, 200)}`,
          );
      };
      const started = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (next < requests.length) {
            const i = next++;
            await send(requests[i]!, i);
          }
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      if (process.env.HOSTILE_TIMING) console.log([...timing].sort((a, b) => b[1] - a[1]).slice(0, 15));
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200, 'the API still answers /healthz');
      assert.deepEqual(failures.slice(0, 20), [], `${failures.length} requests not refused with a 4xx`);
      assert.ok(
        replays > 0 && (statuses.get('slack 401') ?? 0) > replays,
        'Slack forgeries and replays refused',
      );
      // Read once visibility has settled: a count right after the last request could miss a start.
      assert.equal(
        await settledCount(temporal, undefined, before),
        before,
        'no workflow started from hostile input',
      );
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
      const byKind = KINDS.map((k) => `${k} ${requests.filter((r) => r.kind === k).length}`).join(', ');
      console.log(
        `# hostile inputs: ${TOTAL} in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; kinds ${byKind}`,
      );
    },
  );
});
