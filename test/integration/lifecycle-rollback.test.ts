import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseEngineConfig } from '../../src/config/engine-config';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { acknowledgeSignal, approveUpdate } from '../../src/contracts/messages';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { createExampleRepo, freePort, gitIn, revertsOf } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';
import { incidentInput, kinds, waitForStatus } from '../helpers/lifecycle';
import { runWorker, startDevServerEnv, tempDir, testDeps, uniqueTaskQueue } from '../helpers/temporal';

/** Mitigation through a real rollback child workflow against a real git repository. */
describe('incident mitigation through the real rollback children', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('lifecycle-rollback-')]);
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it(
    'reverts the commit triage found at HEAD once approved, and moves on to resolution',
    { timeout: 120_000 },
    async () => {
      const repo = await createExampleRepo(dir.path, { breakKind: 'widget-build' }, 'target');
      const lines: string[] = [];
      const config = parseEngineConfig(
        { incidentsDir: join(dir.path, 'incidents'), target: { repoPath: repo.path } },
        'rollback lifecycle test',
      );
      const taskQueue = uniqueTaskQueue('lifecycle-rollback');
      const { stop } = await runWorker(
        env,
        testDeps(dir.path, lines, { config, client: env.client }),
        taskQueue,
      );
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('rollback-1'),
        args: [
          {
            incident: incidentInput({
              severity: 'SEV-3',
              scenario: 'widget-build-fails',
              services: ['widgets'],
              summary: 'Widget build fails in CI: bundle size exceeded',
              source: 'ci-failure',
              fingerprint: 'rollback-1',
            }),
          },
        ],
      });
      try {
        await handle.signal(acknowledgeSignal, { by: '@oncall' });
        let status = await waitForStatus(
          handle,
          (s) => s.pendingApproval?.option === 'revert-last-change',
          60_000,
        );
        assert.equal(status.repository?.head, repo.badSha, 'triage found the breaking commit at HEAD');
        assert.match(status.triage!.regression, /likely regression: 1 commit\(s\) since known-good v1\.0\.0/);
        const widgetBuild = status.triage!.diagnostics.find((d) => d.diagnostic === 'widget-build');
        assert.equal(widgetBuild?.ok, false, 'the widget build diagnostic reports the failure');

        const approved = await handle.executeUpdate(approveUpdate, {
          args: [
            { option: 'revert-last-change', approver: '@jscraik', comment: 'revert the changelog commit' },
          ],
        });
        assert.equal(approved.accepted, true);
        status = await waitForStatus(handle, (s) => s.stage === 'resolution', 90_000);
        assert.deepEqual(
          status.optionsTried.map((a) => [a.option, a.outcome]),
          [
            ['revert-last-change', 'approved'],
            ['revert-last-change', 'succeeded'],
          ],
        );
        assert.ok(
          kinds(status, 'rollback-started').some((e) =>
            e.message.includes(`rollback-widget-${status.incidentId}`),
          ),
        );
        const subject = await gitIn(repo.path, 'log', '-1', '--format=%s');
        assert.match(subject, /^Revert "Show the full changelog"/);
        assert.ok(status.mitigatedAt);
      } finally {
        await handle.terminate('test finished').catch(() => undefined);
        await stop();
      }
    },
  );
  it(
    'reverts the MCP part of the newest commit touching platforms/mcp/, not a docs commit on top',
    { timeout: 120_000 },
    async () => {
      const repo = await createExampleRepo(
        dir.path,
        { breakKind: 'mcp-start', docsAfter: true },
        'mcp-target',
      );
      const port = await freePort();
      const deps = { ...runbookDeps(dir.path, repo.path, port), client: env.client };
      const taskQueue = uniqueTaskQueue('lifecycle-mcp');
      const { stop } = await runWorker(env, deps, taskQueue);
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('rollback-mcp-1'),
        args: [
          {
            incident: incidentInput({
              severity: 'SEV-3',
              scenario: 'mcp-server-fails-to-start',
              services: ['mcp'],
              summary: 'pnpm mcp:start fails',
              fingerprint: 'rollback-mcp-1',
            }),
          },
        ],
      });
      try {
        await handle.signal(acknowledgeSignal, { by: '@oncall' });
        let status = await waitForStatus(
          handle,
          (s) => s.pendingApproval?.option === 'revert-last-change',
          60_000,
        );
        assert.equal(status.repository?.head, repo.headSha, 'HEAD is the docs commit');
        const approved = await handle.executeUpdate(approveUpdate, {
          args: [{ option: 'revert-last-change', approver: '@jscraik' }],
        });
        assert.equal(approved.accepted, true);
        status = await waitForStatus(handle, (s) => s.stage === 'resolution', 90_000);
        assert.equal(status.optionsTried.at(-1)?.outcome, 'succeeded', JSON.stringify(status.optionsTried));
        assert.equal(
          (await revertsOf(repo.path, repo.badSha!)).length,
          1,
          'one path revert of the MCP change',
        );
        assert.equal(await gitIn(repo.path, 'diff', repo.goodSha, 'HEAD', '--', 'platforms/mcp/'), '');
        assert.match(
          await gitIn(repo.path, 'show', 'HEAD:CHANGELOG.md'),
          /first release/,
          'docs commit kept',
        );
        assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`), 'the MCP server is healthy again');
      } finally {
        await handle.terminate('test finished').catch(() => undefined);
        await stop();
        const services = createServiceActivities(deps);
        await quietActivityEnv().run((input: { service: string }) => services.stopService(input), {
          service: 'mcp',
        });
      }
    },
  );
});
