import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { log as activityContextLog } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { SA } from '../../src/contracts/search-attributes';
import { freePort } from '../../src/activities/support/free-port';
import { createLogger } from '../../src/logging/logger';
import { requireBinary } from '../../src/temporal/binaries';
import { activityLog } from '../../src/worker/activity-log';
import { installRuntime } from '../../src/worker/runtime';
import type { LogProbeActivities } from '../fixtures/log-probe/workflows';

// This file installs the Runtime itself (with the engine's logger over a capture stream), so it
// must not import test/helpers/temporal.ts, which installs a quiet one at import.
const lines: Record<string, unknown>[] = [];
const capture = {
  write(chunk: string) {
    lines.push(JSON.parse(chunk) as Record<string, unknown>);
  },
};
const logger = createLogger({ name: 'worker', level: 'info', format: 'json', destination: capture });
installRuntime(logger);

describe('structured logs from a real worker', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: requireBinary('cli') },
        ip: '127.0.0.1',
        port: await freePort(),
        ui: false,
        searchAttributes: Object.values(SA),
        log: { format: 'pretty', level: 'error' },
      },
    });
  });
  after(async () => {
    await env?.teardown();
  });

  it('carries workflowId, runId, workflowType, activityType and the engine fields on workflow, deps.log and activity log lines', async () => {
    const deps = { log: activityLog(logger.child({ component: 'notify' })) };
    const activities: LogProbeActivities = {
      probeStep(incidentId) {
        deps.log(`deps line for ${incidentId}`, { incidentId, step: 'probe-step' });
        activityContextLog.info('activity context line');
        return Promise.resolve('ok');
      },
    };
    const taskQueue = `log-probe-${process.pid}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../fixtures/log-probe/workflows.ts', import.meta.url)),
      activities,
    });
    const incidentId = 'INCIDENT-20261130-050000-logs';
    const workflowId = `log-probe-${process.pid}`;
    const handle = await worker.runUntil(async () => {
      const started = await env.client.workflow.start('logProbe', {
        taskQueue,
        workflowId,
        args: [incidentId],
      });
      assert.equal(await started.result(), 'ok');
      return started;
    });
    const runId = handle.firstExecutionRunId;

    const byMsg = (msg: string) => {
      const line = lines.find((l) => l.msg === msg);
      assert.ok(line, `no line "${msg}" among:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
      return line;
    };
    const workflowLine = byMsg('probe workflow started');
    assert.equal(workflowLine.level, 'info');
    assert.equal(workflowLine.name, 'worker');
    assert.equal(workflowLine.sdkComponent, 'workflow');
    assert.equal(workflowLine.workflowId, workflowId);
    assert.equal(workflowLine.runId, runId);
    assert.equal(workflowLine.workflowType, 'logProbe');
    assert.equal(workflowLine.incidentId, incidentId);
    assert.equal(workflowLine.step, 'probe');

    for (const msg of [`deps line for ${incidentId}`, 'activity context line']) {
      const line = byMsg(msg);
      assert.equal(line.sdkComponent, 'activity', msg);
      assert.equal(line.workflowId, workflowId, msg);
      assert.equal(line.runId, runId, msg);
      assert.equal(line.activityType, 'probeStep', msg);
      assert.equal(line.workflowRunId, undefined, `${msg}: one name for the run ID`);
      assert.equal(line.taskToken, undefined, `${msg}: the task token is never logged`);
    }
    const depsLine = byMsg(`deps line for ${incidentId}`);
    assert.equal(depsLine.incidentId, incidentId);
    assert.equal(depsLine.step, 'probe-step');
    assert.equal(depsLine.component, 'notify');

    // The SDK's own worker lines come through the same logger.
    assert.ok(
      lines.some((l) => l.sdkComponent === 'worker' && l.msg === 'Worker state changed'),
      'worker lifecycle lines reach the process logger',
    );
  });
});
