import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fetchStatus } from '../../src/use-cases/status';
import { palette } from '../../src/cli/colour';
import { statusText } from '../../src/cli/format';
import { parseEngineConfig } from '../../src/config/engine-config';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { renderReport } from '../../src/domain/report';
import { acknowledgeSignal, approveUpdate } from '../../src/contracts/messages';
import { createExampleRepo } from '../helpers/example-repo';
import { incidentInput, kinds, waitForStatus } from '../helpers/lifecycle';
import { runWorker, startDevServerEnv, tempDir, testDeps, uniqueTaskQueue } from '../helpers/temporal';

/** Why a rollback failed reaches every place an operator looks. */
describe('a failed rollback step explains itself', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-failure-')]);
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it(
    'shows the command, exit code, failing line and log path in status, CLI output and report',
    { timeout: 120_000 },
    async () => {
      // HEAD is a docs commit on top of the break: reverting it leaves the widget build broken.
      const repo = await createExampleRepo(
        dir.path,
        { breakKind: 'widget-build', docsAfter: true },
        'target',
      );
      const config = parseEngineConfig(
        { incidentsDir: join(dir.path, 'incidents'), target: { repoPath: repo.path } },
        'failure details test',
      );
      const taskQueue = uniqueTaskQueue('rollback-failure');
      const { stop } = await runWorker(
        env,
        testDeps(dir.path, [], { config, client: env.client }),
        taskQueue,
      );
      const workflowId = incidentWorkflowId('rollback-failure-1');
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId,
        args: [
          {
            incident: incidentInput({
              severity: 'SEV-3',
              scenario: 'widget-build-fails',
              services: ['widgets'],
              summary: 'Widget build fails in CI: bundle size exceeded',
              source: 'ci-failure',
              fingerprint: 'rollback-failure-1',
            }),
          },
        ],
      });
      try {
        await handle.signal(acknowledgeSignal, { by: '@oncall' });
        await waitForStatus(handle, (s) => s.pendingApproval?.option === 'revert-last-change', 60_000);
        await handle.executeUpdate(approveUpdate, {
          args: [{ option: 'revert-last-change', approver: '@jscraik' }],
        });
        const status = await waitForStatus(
          handle,
          (s) => s.optionsTried.some((a) => a.outcome === 'failed'),
          90_000,
        );
        const logPath = join(dir.path, 'incidents', status.incidentId, 'logs', 'build-widgets.log');
        const failingLine = /widget changelog is \d+ bytes, over the 16384-byte budget/;

        // The timeline entry (what status, the API and the report's timeline carry).
        const entry = kinds(status, 'mitigation-failed').at(-1)!;
        assert.match(entry.message, /widgetRollback failed at step build-widgets/);
        assert.match(entry.message, /`pnpm build:widgets` exit 1 \(CommandFailed\)/);
        assert.match(entry.message, failingLine);
        assert.ok(entry.message.includes(logPath), entry.message);

        // The structured record in the status document (the API's and `--json`'s).
        const apiStatus = JSON.parse(
          JSON.stringify(await fetchStatus(env.client, { workflowId })),
        ) as typeof status;
        const failure = apiStatus.optionsTried.find((a) => a.outcome === 'failed')?.failure;
        assert.equal(failure?.step, 'build-widgets');
        assert.equal(failure?.command, 'pnpm build:widgets');
        assert.equal(failure?.exitCode, 1);
        assert.equal(failure?.type, 'CommandFailed');
        assert.equal(failure?.logPath, logPath);
        assert.match(failure?.lines?.at(-1) ?? '', failingLine);

        // `incident status`.
        const text = statusText(palette(false), status, 'http://ui');
        assert.match(
          text,
          /last failure: revert-last-change, step build-widgets: `pnpm build:widgets` exit 1 \(CommandFailed\)/,
        );
        assert.match(text, new RegExp(`\\|\\s+${failingLine.source}`));
        assert.ok(text.includes(`log: ${logPath}`), text);

        // The report.
        const report = renderReport({
          status,
          related: [],
          owner: '@oncall',
          renderedAt: new Date().toISOString(),
        });
        assert.match(report, /## Failed Steps/);
        assert.match(report, /`pnpm build:widgets` exit 1 \(CommandFailed\)/);
        assert.match(report, failingLine);
        assert.ok(report.includes(`Log: \`${logPath}\``), report);
      } finally {
        await handle.terminate('test finished').catch(() => undefined);
        await stop();
      }
    },
  );
});
