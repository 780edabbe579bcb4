/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createServiceActivities } from '../../src/activities/target/services';
import { incidentWorkflowId } from '../../src/contracts/incident';
import {
  acknowledgeSignal,
  approveUpdate,
  recordMitigationUpdate,
  rejectUpdate,
} from '../../src/contracts/messages';
import { createExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { incidentInput, kinds, waitForStatus } from '../helpers/lifecycle';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

describe('what an unclassified incident proposes, and what deploy-known-good leaves behind', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-proposal-')]);
  });
  after(async () => {
    await env?.teardown();
    await dir?.cleanup();
  });

  it(
    'proposes the least destructive procedure with every step before approval, and reports the detached HEAD',
    { timeout: 180_000 },
    async () => {
      const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-contract' }, 'unknown');
      const port = await freePort();
      const deps = runbookDeps(dir.path, repo.path, port, {
        services: { 'mcp-server': { port, startTimeoutMs: 15_000 } },
      });
      const taskQueue = uniqueTaskQueue('proposal');
      const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
      const handle = await env.client.workflow.start('incidentWorkflow', {
        taskQueue,
        workflowId: incidentWorkflowId('proposal-1'),
        args: [
          {
            incident: incidentInput({
              scenario: 'unknown',
              services: ['mcp-server'],
              summary: 'Something is wrong with the MCP server',
              fingerprint: 'proposal-1',
            }),
          },
        ],
      });
      try {
        await handle.signal(acknowledgeSignal, { by: '@oncall' });
        let status = await waitForStatus(
          handle,
          (s) => s.pendingApproval?.option === 'revert-last-change' && s.pendingApproval.plan !== undefined,
          60_000,
        );
        const pending = status.pendingApproval!;
        assert.equal(pending.procedure, 'mcp', 'not the full rollback');
        const plan = pending.plan!.join('\n');
        assert.match(plan, /services: mcp-server/);
        assert.match(plan, new RegExp(`^stop-server: .* in ${repo.path} \\(service mcp-server\\)`, 'm'));
        assert.match(
          plan,
          new RegExp(`^revert-commit: git revert --no-edit ${repo.badSha} in ${repo.path}`, 'm'),
        );
        assert.match(plan, new RegExp(`^install: pnpm install in ${repo.path}`, 'm'));
        assert.match(plan, /^verify-contract: pnpm test:mcp-contract/m);
        assert.doesNotMatch(plan, /rm -rf node_modules|remove-node-modules/);
        assert.match(kinds(status, 'proposed').at(-1)!.message, /install: pnpm install/);

        await handle.executeUpdate(rejectUpdate, {
          args: [{ option: 'revert-last-change', approver: '@jscraik', reason: 'try the tag' }],
        });
        await waitForStatus(handle, (s) => s.pendingAction?.option === 'disable-feature', 30_000);
        await handle.executeUpdate(recordMitigationUpdate, {
          args: [{ option: 'disable-feature', by: '@oncall', outcome: 'failed' }],
        });
        status = await waitForStatus(
          handle,
          (s) => s.pendingApproval?.option === 'deploy-known-good' && s.pendingApproval.plan !== undefined,
          30_000,
        );
        assert.match(
          status.pendingApproval!.plan!.join('\n'),
          /checkout-known-good: git checkout --detach v1\.0\.0/,
        );
        await handle.executeUpdate(approveUpdate, {
          args: [{ option: 'deploy-known-good', approver: '@jscraik' }],
        });
        status = await waitForStatus(handle, (s) => s.mitigatedAt !== undefined, 120_000);
        assert.deepEqual(status.detachedHead, { at: 'v1.0.0', branch: 'main', option: 'deploy-known-good' });
        assert.match(
          kinds(status, 'detached-head')[0]!.message,
          /HEAD is detached at v1\.0\.0; branch main still points at the broken commit/,
        );
        assert.equal(await gitIn(repo.path, 'rev-parse', 'main'), repo.badSha);
      } finally {
        await handle.terminate('test finished').catch(() => undefined);
        await stop();
        await quietActivityEnv()
          .run(createServiceActivities(deps).stopService, { service: 'mcp-server' })
          .catch(() => undefined);
      }
    },
  );
});
