import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertRoutingSchema, routeAlert } from '../../src/config/alert-routing';
import { ConfigError, parseEngineConfig } from '../../src/config/engine-config';

describe('alert routing: labels to service, severity and scenario', () => {
  const routing = alertRoutingSchema.parse({
    rules: [
      {
        name: 'mcp down',
        match: { alertname: 'McpServerDown' },
        matchRe: { env: 'prod|production' },
        services: ['mcp-server'],
        severity: 'SEV-1',
        scenario: 'mcp-server-fails-to-start',
      },
      { matchRe: { alertname: 'Visual.*' }, scenario: 'visual-regression', labels: ['ui'] },
    ],
  });

  it('applies the first rule whose matchers all hold', () => {
    const route = routeAlert(routing, { alertname: 'McpServerDown', env: 'production', severity: 'warning' });
    assert.deepEqual(route, {
      services: ['mcp-server'],
      severity: 'SEV-1',
      scenario: 'mcp-server-fails-to-start',
      labels: [],
      rule: 'mcp down',
    });
  });

  it('anchors regular expressions like Alertmanager and falls through to labels, then defaults', () => {
    const staging = routeAlert(routing, { alertname: 'McpServerDown', env: 'production-eu' });
    assert.equal(staging.rule, undefined, 'prod|production does not match production-eu');
    assert.equal(staging.severity, 'SEV-3');
    assert.deepEqual(staging.services, ['mcp-server']);
    const visual = routeAlert(routing, {
      alertname: 'VisualDiff',
      service: 'widgets,ui-kit',
      severity: 'critical',
    });
    assert.equal(visual.rule, 'rules[1]');
    assert.equal(visual.scenario, 'visual-regression');
    assert.equal(visual.severity, 'SEV-1', 'severity from the label through severityMap');
    assert.deepEqual(visual.services, ['widgets', 'ui-kit']);
  });

  it('takes SEV-N label values as they are and ignores unknown scenarios and unsafe service names', () => {
    const route = routeAlert(routing, { severity: 'sev-2', scenario: 'rm -rf', service: '../etc, ok-name' });
    assert.equal(route.severity, 'SEV-2');
    assert.equal(route.scenario, 'unknown');
    assert.deepEqual(route.services, ['ok-name']);
  });

  it('adds security and data-loss labels so the workflow escalates at once', () => {
    assert.deepEqual(routeAlert(routing, { security: 'true' }).labels, ['security']);
    assert.deepEqual(routeAlert(routing, { category: 'data-loss' }).labels, ['data-loss']);
    assert.deepEqual(routeAlert(routing, { security: 'false' }).labels, []);
  });

  it('refuses a bad routing config naming the field', () => {
    assert.throws(
      () => parseEngineConfig({ alertRouting: { rules: [{ matchRe: { alertname: '([' } }] } }),
      (error: unknown) =>
        error instanceof ConfigError && /alertRouting\.rules\.0\.matchRe\.alertname/.test(error.message),
    );
    assert.throws(() => parseEngineConfig({ alertRouting: { colour: 'red' } }), /alertRouting/);
  });
});
