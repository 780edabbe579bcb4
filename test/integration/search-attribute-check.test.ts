import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SA } from '../../src/contracts/search-attributes';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { checkSearchAttributes } from '../../src/temporal/search-attribute-check';
import { spawnGroup } from '../helpers/processes';
import { startDevServerEnv } from '../helpers/temporal';

const TSX = import.meta.resolve('tsx');

/**
 * A namespace registered for an older version lacks `IncidentApprovalSince`: the worker must
 * refuse to start and name the fix, since every incident would otherwise fail its workflow tasks
 * at the next upsert and stay stuck.
 */
describe('search attributes the workflow needs', () => {
  let older: TestWorkflowEnvironment;
  let current: TestWorkflowEnvironment;

  before(async () => {
    const olderAttributes = Object.values(SA).filter((key) => key !== SA.approvalSince);
    older = await startDevServerEnv(olderAttributes);
    current = await startDevServerEnv();
  });
  after(async () => {
    await older?.teardown();
    await current?.teardown();
  });

  it('names the missing attribute and passes a namespace that has them all', async () => {
    assert.deepEqual(await checkSearchAttributes(older.client, 'default'), {
      ok: false,
      problems: ['IncidentApprovalSince (Datetime) is not registered'],
    });
    assert.deepEqual(await checkSearchAttributes(current.client, 'default'), { ok: true });
  });

  it(
    'the worker exits non-zero before polling, naming the attribute and register.sh',
    { timeout: 90_000 },
    async () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NO_COLOR: '1',
        TEMPORAL_ADDRESS: older.address,
        TEMPORAL_TASK_QUEUE: 'search-attribute-check',
        WORKER_METRICS_ADDRESS: 'off',
      };
      delete env.NODE_TEST_CONTEXT;
      delete env.INCIDENT_CONFIG;
      const worker = spawnGroup(
        process.execPath,
        ['--import', TSX, join(PROJECT_ROOT, 'src/worker/main.ts')],
        {
          cwd: PROJECT_ROOT,
          env,
        },
      );
      const code = await worker.exited;
      const output = worker.output();
      assert.notEqual(code, 0, output);
      assert.match(
        output,
        /namespace default lacks search attributes .*IncidentApprovalSince \(Datetime\) is not registered/,
      );
      assert.match(output, /deploy\/temporal\/register\.sh/);
      assert.doesNotMatch(output, /polling task queue/);
    },
  );
});
