/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import type { ActivityDeps } from '../../src/activities/deps';
import { isRunning } from '../../src/activities/support/process-tree';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { mcpRollback } from '../../src/workflows/rollback';
import { rollbackWorkflowId, type RollbackInput } from '../../src/contracts/rollback';
import { createExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';
import { plannedStepIds } from '../helpers/plan';

describe('mcpRollback on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const started: ActivityDeps[] = [];
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-mcp-')]);
  });
  after(async () => {
    for (const deps of started)
      for (const service of Object.keys(deps.config.target.services))
        await quietActivityEnv().run(createServiceActivities(deps).stopService, { service });
    await env?.teardown();
    await dir?.cleanup();
  });

  async function rollback(deps: ActivityDeps, input: Omit<RollbackInput, 'procedure'>) {
    const taskQueue = uniqueTaskQueue('mcp');
    started.push(deps);
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      return await env.client.workflow.execute(mcpRollback, {
        taskQueue,
        workflowId: rollbackWorkflowId('mcp', input.incidentId),
        args: [{ ...input, procedure: 'mcp' }],
      });
    } finally {
      await stop();
    }
  }

  it("reverts only platforms/mcp/'s part of the last MCP change; the server comes back healthy", async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-start' }, 'revert-path');
    const port = await freePort();
    const deps = runbookDeps(dir.path, repo.path, port);
    const result = await rollback(deps, { incidentId: 'INC-M1', mode: 'revert', repoPath: repo.path });
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
    assert.deepEqual(
      result.steps.map((s) => s.step),
      plannedStepIds(deps, { incidentId: 'INC-M1', procedure: 'mcp', mode: 'revert', repoPath: repo.path }),
      'the run took exactly the planned steps',
    );
    assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`));
    const contract = await execa('pnpm', ['test:mcp-contract'], {
      cwd: repo.path,
      env: { MCP_PORT: String(port), PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` },
      reject: false,
    });
    assert.equal(contract.exitCode, 0, contract.stdout + contract.stderr);
    assert.equal(await gitIn(repo.path, 'diff', repo.goodSha, 'HEAD', '--', 'platforms/mcp/'), '');
    assert.match(
      await gitIn(repo.path, 'show', 'HEAD:README.md'),
      /now called renderWidget/,
      'README change kept',
    );
    assert.match(
      await gitIn(repo.path, 'log', '-1', '--format=%B'),
      new RegExp(`Incident-Path-Revert: ${repo.badSha} -- platforms/mcp/`),
    );
  });

  it('stops the running broken server by its PID, checks out the known-good tag and restarts it', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-contract' }, 'checkout');
    const port = await freePort();
    const deps = runbookDeps(dir.path, repo.path, port);
    const before = await quietActivityEnv().run(createServiceActivities(deps).startService, {
      service: 'mcp',
    });
    assert.equal(before.action, 'started');
    const result = await rollback(deps, {
      incidentId: 'INC-M2',
      mode: 'checkout',
      knownGood: 'v1.0.0',
      repoPath: repo.path,
    });
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
    assert.equal(result.headAfter, repo.goodSha);
    assert.deepEqual(
      result.steps.map((s) => s.step),
      plannedStepIds(deps, {
        incidentId: 'INC-M2',
        procedure: 'mcp',
        mode: 'checkout',
        knownGood: 'v1.0.0',
        repoPath: repo.path,
      }),
    );
    await recordHistory(
      env.client.workflow.getHandle(rollbackWorkflowId('mcp', 'INC-M2')),
      'mcp-rollback-checkout',
    );
    assert.match(
      result.steps.find((s) => s.step === 'stop-server')!.detail!,
      new RegExp(`stopped pid ${before.pid}`),
    );
    assert.equal(await isRunning(before.pid!), false);
    assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`));
    assert.equal(result.steps.at(-2)!.step, 'verify-contract');
  });

  it('says the checkout left HEAD detached at the tag and which branch still needs the fix', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-contract' }, 'detached');
    const deps = runbookDeps(dir.path, repo.path, await freePort());
    const result = await rollback(deps, {
      incidentId: 'INC-M4',
      mode: 'checkout',
      knownGood: 'v1.0.0',
      repoPath: repo.path,
    });
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
    assert.equal(result.detachedAt, 'v1.0.0');
    assert.equal(result.branchToRestore, 'main');
    assert.equal(await gitIn(repo.path, 'rev-parse', 'main'), repo.badSha, 'the branch is still broken');
  });

  it('stops and restarts the service the config names (mcp-server, no service named mcp)', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-contract' }, 'renamed-service');
    const port = await freePort();
    const deps = runbookDeps(dir.path, repo.path, port, {
      services: { 'mcp-server': { port, startTimeoutMs: 15_000 } },
    });
    const before = await quietActivityEnv().run(createServiceActivities(deps).startService, {
      service: 'mcp-server',
    });
    assert.equal(before.action, 'started');
    const result = await rollback(deps, {
      incidentId: 'INC-M5',
      mode: 'checkout',
      knownGood: 'v1.0.0',
      repoPath: repo.path,
    });
    assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
    assert.match(
      result.steps.find((s) => s.step === 'stop-server')!.detail!,
      new RegExp(`stopped pid ${before.pid}`),
    );
    assert.equal(await isRunning(before.pid!), false);
    assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`));
  });

  it('does not start a service that was down when a refused checkout is undone', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-start' }, 'down');
    const port = await freePort();
    const deps = runbookDeps(dir.path, repo.path, port);
    const result = await rollback(deps, {
      incidentId: 'INC-M6',
      mode: 'checkout',
      knownGood: 'v9.9.9',
      repoPath: repo.path,
    });
    assert.equal(result.ok, false);
    assert.equal(result.failedStep, 'checkout-known-good');
    assert.equal(result.steps.find((s) => s.step === 'stop-server')?.detail, 'not-running');
    const undos = result.steps.filter((s) => s.step.startsWith('undo-')).map((s) => s.step);
    assert.deepEqual(undos, [], 'nothing was stopped, so nothing is started');
    assert.equal(await probeHealth(`http://127.0.0.1:${port}/health`), false);
  });

  it('undoes newest first when the contract test fails: stops the new server, restores HEAD, restarts the old one', async () => {
    const repo = await createExampleRepo(dir.path, { breakKind: 'mcp-contract' }, 'undo');
    const port = await freePort();
    const deps = runbookDeps(dir.path, repo.path, port);
    await quietActivityEnv().run(createServiceActivities(deps).startService, { service: 'mcp' });
    // "Known good" that is not: the broken commit itself, so the contract test fails.
    const result = await rollback(deps, {
      incidentId: 'INC-M3',
      mode: 'checkout',
      knownGood: repo.badSha,
      repoPath: repo.path,
    });
    assert.equal(result.ok, false);
    assert.equal(result.failedStep, 'verify-contract');
    await recordHistory(
      env.client.workflow.getHandle(rollbackWorkflowId('mcp', 'INC-M3')),
      'mcp-rollback-failed-with-undo',
    );
    const undos = result.steps.filter((s) => s.step.startsWith('undo-')).map((s) => `${s.step}:${s.status}`);
    assert.deepEqual(undos, [
      'undo-start-server:succeeded',
      'undo-checkout-known-good:succeeded',
      'undo-stop-server:succeeded',
    ]);
    assert.equal(await gitIn(repo.path, 'symbolic-ref', '--short', 'HEAD'), 'main');
    assert.ok(await probeHealth(`http://127.0.0.1:${port}/health`), 'the previous server runs again');
  });
});
