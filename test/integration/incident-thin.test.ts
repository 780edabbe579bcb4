import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentWorkflowId } from '../../src/domain/incident';
import { acknowledgeSignal, statusQuery } from '../../src/workflows/messages';
import { runWorker, startDevServerEnv, tempDir, testDeps, uniqueTaskQueue } from '../helpers/temporal';

describe('incident workflow on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    env = await startDevServerEnv();
    dir = await tempDir();
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it('opens an incident, writes its note, answers the status query and closes on acknowledge', async () => {
    const taskQueue = uniqueTaskQueue('thin');
    const { stop } = await runWorker(env, testDeps(dir.path), taskQueue);
    try {
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('thin-1'),
        args: [
          {
            incident: {
              severity: 'SEV-3',
              services: ['mcp'],
              scenario: 'unknown',
              summary: 'contract test failing',
              source: 'user-report',
              labels: [],
              fingerprint: 'thin-1',
            },
          },
        ],
      });
      let status = await handle.query(statusQuery);
      assert.match(status.incidentId, /^INCIDENT-\d{8}-\d{6}/);
      assert.equal(status.stage, 'detection');
      assert.equal(status.severity, 'SEV-3');
      await handle.signal(acknowledgeSignal, { by: 'alice' });
      const result = await handle.result();
      assert.equal(result.acknowledgedBy, 'alice');
      const note = await readFile(join(dir.path, 'incidents', status.incidentId, 'incident.txt'), 'utf8');
      assert.match(note, new RegExp(`^${status.incidentId}\nSeverity: SEV-3\nDetected: `));
      status = result;
      assert.ok(status.timeline.some((entry) => entry.kind === 'acknowledged'));
    } finally {
      await stop();
    }
  });
});
