import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowBundle } from '../../src/worker/workflow-bundle';
import * as workflows from '../../src/workflows';
import { HISTORIES_DIR } from '../helpers/histories';

Runtime.install({ logger: new DefaultLogger('WARN') });

interface Fixture {
  workflowId: string;
  history: { events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] };
}

const fixtures = readdirSync(HISTORIES_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, ...(JSON.parse(readFileSync(join(HISTORIES_DIR, name), 'utf8')) as Fixture) }));

const typeOf = (fixture: Fixture) =>
  fixture.history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

/**
 * Replays recorded histories against today's workflow code. A failure means a change to workflow
 * code would break incidents already in flight: guard it with patched(), or, when the change is
 * meant to break old histories, re-record them (README, "Changing workflow code").
 */
describe('replay of recorded workflow histories', () => {
  it('has at least one recorded history for every workflow type', () => {
    const recorded = new Set(fixtures.map(typeOf));
    for (const type of Object.keys(workflows))
      assert.ok(recorded.has(type), `no recorded history for ${type}`);
  });

  for (const fixture of fixtures) {
    it(`replays ${fixture.name} (${typeOf(fixture)}) without nondeterminism`, async () => {
      const { code } = await workflowBundle();
      await Worker.runReplayHistory(
        { workflowBundle: { code }, replayName: fixture.name },
        fixture.history,
        fixture.workflowId,
      );
    });
  }

  // A worker with tracing on runs the OpenTelemetry workflow interceptors (traced bundle, plugin
  // sink); histories recorded without them must replay with them, and the other way round.
  const tracingPlugin = new OpenTelemetryPlugin({
    resource: new Resource({ 'service.name': 'replay' }),
    spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()),
  });
  for (const fixture of fixtures) {
    it(`replays ${fixture.name} (${typeOf(fixture)}) with tracing on`, async () => {
      const { code } = await workflowBundle({ traced: true });
      await Worker.runReplayHistory(
        { workflowBundle: { code }, replayName: `${fixture.name} traced`, plugins: [tracingPlugin] },
        fixture.history,
        fixture.workflowId,
      );
    });
  }
});
