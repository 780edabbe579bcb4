/**
 * The engine's own monitoring files: deploy/prometheus/rules.yml (checked and unit-tested by the
 * real promtool) and deploy/grafana/incident-engine.json (parses, every query parses in a real
 * Prometheus, every engine metric it names is in the catalogue docs/operations.md documents).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireTool } from '../../scripts/debian-tools';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus';

const run = promisify(execFile);
const RULES = join(PROJECT_ROOT, 'deploy/prometheus/rules.yml');
const RULE_TESTS = join(PROJECT_ROOT, 'deploy/prometheus/rules.test.yml');
const DASHBOARD = join(PROJECT_ROOT, 'deploy/grafana/incident-engine.json');
const OPERATIONS = join(PROJECT_ROOT, 'docs/operations.md');

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
const queries = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

/** Engine metric names a PromQL text refers to. */
const engineMetrics = (text: string): string[] =>
  [...text.matchAll(/\bincident_engine_[a-z_]+\b/g)].map((m) => m[0]);

/**
 * The documented catalogue: the metric names in docs/operations.md's table rows
 * (`| \`incident_engine_...\` | type | ...`). Histograms are documented by their base name, so
 * their `_bucket`, `_sum` and `_count` series count as documented too.
 */
function catalogue(): Set<string> {
  let text = '';
  try {
    text = readFileSync(OPERATIONS, 'utf8');
  } catch {
    return new Set();
  }
  return new Set([...text.matchAll(/^\|\s*`(incident_engine_[a-z_]+)`\s*\|/gm)].map((m) => m[1]!));
}
const documented = (name: string, known: Set<string>): boolean =>
  known.has(name) || known.has(name.replace(/_(bucket|sum|count)$/, ''));

describe('the engine’s alert rules and dashboard', () => {
  it('rules.yml passes `promtool check rules` (real promtool)', async () => {
    const { stdout } = await run(requireTool('promtool'), ['check', 'rules', RULES]);
    assert.match(stdout, /SUCCESS: 5 rules found/);
  });

  it('each alert fires on what should page and stays quiet otherwise (`promtool test rules`)', async () => {
    const { stdout } = await run(requireTool('promtool'), ['test', 'rules', RULE_TESTS]);
    assert.match(stdout, /SUCCESS/);
  });

  it('the dashboard covers incidents by stage, MTTA / MTTR, rollbacks by outcome and approval wait', () => {
    assert.equal(dashboard.uid, 'incident-engine');
    const all = queries.map((q) => q.expr).join('\n');
    for (const needle of [
      'incident_engine_open_incidents',
      'incident_engine_time_to_acknowledge_seconds_sum',
      'incident_engine_time_to_resolve_seconds_sum',
      'incident_engine_rollbacks_total',
      'incident_engine_approval_wait_seconds_bucket',
    ])
      assert.ok(all.includes(needle), needle);
    assert.match(all, /by \(stage\)/);
    assert.match(all, /by \(procedure, outcome\)/);
  });

  it('every engine metric the dashboard and the rules name is in the documented catalogue', (t) => {
    const known = catalogue();
    if (known.size === 0) {
      // docs/operations.md "## Metrics" comes with the engine metrics (branch w3-metrics).
      t.skip('docs/operations.md documents no incident_engine_ metrics yet');
      return;
    }
    const named = new Set([
      ...engineMetrics(queries.map((q) => q.expr).join('\n')),
      ...engineMetrics(readFileSync(RULES, 'utf8')),
    ]);
    const missing = [...named].filter((name) => !documented(name, known));
    assert.deepEqual(missing, [], `not in docs/operations.md: ${missing.join(', ')}`);
  });

  describe('every dashboard query parses in a real Prometheus', () => {
    let prom: PrometheusServer;
    before(async () => {
      prom = await startPrometheus();
    });
    after(() => prom?.stop());

    it(`${queries.length} queries, Grafana's range variables filled in`, async () => {
      for (const { panel, expr } of queries) {
        const promql = expr.replaceAll('$__range', '1h').replaceAll('$__rate_interval', '1m');
        await prom.query(promql).catch((error: Error) => assert.fail(`${panel}: ${error.message}`));
      }
    });
  });
});
