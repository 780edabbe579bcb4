import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SA } from '../../src/contracts/search-attributes';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import {
  checkSearchAttributes,
  INDEXED_VALUE_TYPES,
  registerMissingSearchAttributes,
} from '../../src/temporal/search-attributes';
import { devServerArgs, startDevServer, waitUntilServing } from '../../src/temporal/dev-server';
import { requireBinary } from '../../src/temporal/binaries';
import { freePort } from '../../src/activities/support/free-port';
import { spawnGroup } from '../helpers/processes';
import { startDevServerEnv, tempDir } from '../helpers/temporal';

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
    assert.deepEqual(await checkSearchAttributes(older.connection, 'default'), {
      ok: false,
      problems: ['IncidentApprovalSince (Datetime) is not registered'],
    });
    assert.deepEqual(await checkSearchAttributes(current.connection, 'default'), { ok: true });
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

  it(
    "a dev server on an older version's SQLite file gets the attributes added since",
    { timeout: 120_000 },
    async () => {
      const dir = await tempDir('incident-sa-');
      const options = {
        cliPath: requireBinary('cli'),
        dbFile: join(dir.path, 'temporal.db'),
        port: await freePort(),
        uiPort: await freePort(),
      };
      const address = `127.0.0.1:${options.port}`;
      try {
        // The older version's first start: its file is created without IncidentApprovalSince.
        const args = devServerArgs(options);
        const at = args.indexOf('IncidentApprovalSince=Datetime');
        assert.ok(at > 0);
        args.splice(at - 1, 2);
        const older = spawn(options.cliPath, args, { stdio: 'ignore' });
        const olderExited = new Promise((done) => older.once('exit', done));
        await waitUntilServing(address, older, 60_000);
        older.kill('SIGTERM');
        await olderExited;

        const server = await startDevServer({ ...options, stdio: 'ignore' });
        const serverExited = new Promise((done) => server.once('exit', done));
        const connection = await Connection.connect({ address });
        try {
          const listed = (await connection.operatorService.listSearchAttributes({ namespace: 'default' }))
            .customAttributes;
          assert.equal(listed['IncidentApprovalSince'], INDEXED_VALUE_TYPES.Datetime);
          assert.deepEqual(
            await registerMissingSearchAttributes(connection, 'default'),
            [],
            'nothing left to add',
          );
        } finally {
          await connection.close();
          server.kill('SIGTERM');
          await serverExited;
        }
      } finally {
        await dir.cleanup();
      }
    },
  );
});
