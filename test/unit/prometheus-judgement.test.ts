import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseEngineConfig } from '../../src/config/engine-config';
import { policySchema, sloThreshold } from '../../src/contracts/policy';
import {
  judgePrometheus,
  parsePromValue,
  type PromAnswer,
  thresholdOf,
} from '../../src/domain/prometheus-judgement';
import { planIncident } from '../../src/domain/incident-plan';

const one = (value: string): PromAnswer => ({ seriesCount: 1, series: [{ labels: '{}', value }] });
const max = { bound: 'max', value: 0.005 } as const;
const min = { bound: 'min', value: 0.995 } as const;

const refused = (policy: unknown): string => {
  try {
    parseEngineConfig({ policy }, 'test config');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('the policy was accepted');
};
const check = (extra: object) => ({
  healthCheck: { prometheus: { url: 'http://prometheus:9090', query: 'up', ...extra } },
});

describe('judging a Prometheus answer against the SLO', () => {
  it('passes a single value on the right side of the bound, the bound itself included', () => {
    assert.deepEqual(judgePrometheus(one('0'), max), {
      ok: true,
      value: 0,
      detail: 'value 0 within ≤ 0.005',
    });
    assert.equal(judgePrometheus(one('0.005'), max).ok, true);
    assert.equal(judgePrometheus(one('0.995'), min).ok, true);
    assert.equal(judgePrometheus(one('1'), min).ok, true);
  });

  it('fails a value past the bound, saying what it saw', () => {
    assert.deepEqual(judgePrometheus(one('0.3333333333'), max), {
      ok: false,
      value: 0.3333333333,
      detail: 'value 0.3333 outside ≤ 0.005',
    });
    assert.equal(judgePrometheus(one('0.99'), min).ok, false);
    assert.equal(judgePrometheus(one('+Inf'), max).ok, false);
    assert.equal(judgePrometheus(one('-Inf'), min).detail, 'value -Infinity outside ≥ 0.995');
  });

  it('fails no data, several series and NaN, each with how to fix the query', () => {
    assert.match(judgePrometheus({ seriesCount: 0, series: [] }, max).detail, /no series .*or vector\(0\)/);
    const two: PromAnswer = {
      seriesCount: 7,
      series: [
        { labels: '{code="500"}', value: '0.1' },
        { labels: '{code="200"}', value: '0.9' },
      ],
    };
    assert.match(judgePrometheus(two, max).detail, /returned 7 series \(\{code="500"\}, \.\.\.\).*sum\(/);
    assert.equal(judgePrometheus(two, max).ok, false);
    const nan = judgePrometheus(one('NaN'), min);
    assert.equal(nan.ok, false);
    assert.match(nan.detail, /NaN/);
  });

  it('reads Prometheus float text, infinities included', () => {
    assert.equal(parsePromValue('+Inf'), Number.POSITIVE_INFINITY);
    assert.equal(parsePromValue('-Inf'), Number.NEGATIVE_INFINITY);
    assert.equal(parsePromValue('1e-3'), 0.001);
    assert.ok(Number.isNaN(parsePromValue('NaN')));
    assert.ok(Number.isNaN(parsePromValue('')));
  });

  it("resolves 'slo' from the availability objective", () => {
    assert.equal(sloThreshold('max', 99.5), 0.005);
    assert.equal(sloThreshold('min', 99.9), 0.999);
    const parsed = policySchema.parse(check({ max: 'slo' }));
    assert.deepEqual(thresholdOf(parsed.healthCheck.prometheus!, 99.9), { bound: 'max', value: 0.001 });
    const availability = policySchema.parse(check({ min: 0.999 }));
    assert.deepEqual(thresholdOf(availability.healthCheck.prometheus!, 99.5), { bound: 'min', value: 0.999 });
  });
});

describe('policy.healthCheck.prometheus', () => {
  it('parses with a default timeout and no check unless configured', () => {
    assert.equal(policySchema.parse({}).healthCheck.prometheus, undefined);
    assert.deepEqual(policySchema.parse(check({ max: 'slo' })).healthCheck.prometheus, {
      url: 'http://prometheus:9090',
      query: 'up',
      max: 'slo',
      timeout: 10_000,
    });
  });

  it('refuses bad config naming the field', () => {
    assert.match(
      refused(check({})),
      /policy\.healthCheck\.prometheus\.max: give exactly one of max .* and min/,
    );
    assert.match(
      refused(check({ max: 0.001, min: 0.999 })),
      /policy\.healthCheck\.prometheus\.min: give exactly one/,
    );
    assert.match(refused(check({ max: 5 })), /prometheus\.max: must be a ratio between 0 and 1/);
    assert.match(
      refused({ healthCheck: { prometheus: { url: 'ftp://p', query: 'up', max: 'slo' } } }),
      /policy\.healthCheck\.prometheus\.url: must be an http\(s\) URL/,
    );
    assert.match(
      refused({ healthCheck: { prometheus: { url: 'http://u:secret@p:9090', query: 'up', max: 'slo' } } }),
      /prometheus\.url: must not carry credentials/,
    );
    assert.doesNotMatch(
      refused({ healthCheck: { prometheus: { url: 'http://u:secret@p:9090', query: 'up', max: 'slo' } } }),
      /secret/,
    );
    assert.match(refused(check({ query: '  ', max: 'slo' })), /prometheus\.query: must be a PromQL query/);
    assert.match(refused(check({ max: 'slo', step: '1m' })), /prometheus: Unrecognized key: "step"/);
    assert.match(
      refused({ healthCheck: { interval: '5s', ...check({ max: 'slo', timeout: '5s' }).healthCheck } }),
      /prometheus\.timeout: must be shorter than healthCheck\.interval/,
    );
  });

  it('cross-checks a numeric threshold against the SLO', () => {
    assert.match(
      refused(check({ max: 0.05 })),
      /policy\.healthCheck\.prometheus\.max: allows more errors than the SLO \(slo\.availabilityPercent 99\.5 allows an error ratio of 0\.005\)/,
    );
    assert.match(
      refused(check({ min: 0.99 })),
      /policy\.healthCheck\.prometheus\.min: is below the SLO \(slo\.availabilityPercent 99\.5 means an availability of 0\.995\)/,
    );
    // Stricter than the SLO, or the SLO itself, is fine.
    parseEngineConfig({ policy: check({ max: 0.001 }) }, 'stricter');
    parseEngineConfig({ policy: { slo: { availabilityPercent: 99 }, ...check({ max: 0.01 }) } }, 'equal');
  });

  it('shows in the plan', () => {
    const policy = policySchema.parse(check({ max: 'slo' }));
    const plan = planIncident(
      {
        severity: 'SEV-2',
        services: ['mcp-server'],
        scenario: 'mcp-server-fails-to-start',
        summary: 's',
        labels: [],
      },
      policy,
      parseEngineConfig({}, 'defaults').target,
      new Date('2026-11-30T05:00:00Z'),
    );
    const verification = plan.deadlines.find((d) => d.name === 'recovery verification');
    assert.equal(
      verification?.after,
      'a PromQL check at http://prometheus:9090 (value ≤ slo) every 1 min for 30 min after the fix',
    );
  });
});
