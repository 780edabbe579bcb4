import assert from 'node:assert/strict';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncidentStatus } from '../../src/contracts/messages';
import { createExampleRepo, revertsOf } from '../helpers/example-repo';
import { type Engine, startEngine } from '../helpers/engine-processes';
import { orphansInside, type StepGates, stepGates } from '../helpers/e2e-target';
import { freePort, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';

/**
 * The Temporal dev server SIGKILLed and started again on the same SQLite file and port, once while
 * an incident waits for its acknowledgement (the ack deadline and the escalation interval are
 * short, so they fall after the restart) and once while its rollback runs. The worker and the API
 * stay up and reconnect; the incident's timers fire and it runs to closed.
 */
describe('Temporal dev server killed and restarted on the same SQLite file', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let engine: Engine;
  let gates: StepGates;
  const restarts: number[] = [];

  before(async () => {
    dir = await tempDir('e2e-restart-');
    root = await realpath(dir.path);
    gates = await stepGates(root);
  });
  after(async () => {
    if (restarts.length > 0)
      console.log(
        `# server restarts survived: ${restarts.length}; server down ${restarts.map((ms) => `${ms} ms`).join(', ')}`,
      );
    await engine?.close();
    await dir?.cleanup();
  });

  const restartServer = async () => {
    const down = Date.now();
    await engine.killServer();
    await sleep(1_000);
    await engine.startServer();
    restarts.push(Date.now() - down);
  };

  it(
    'fires the ack escalations after the restart, then survives a restart mid-rollback and closes',
    { timeout: 240_000 },
    async () => {
      const repo = await createExampleRepo(root, { breakKind: 'widget-build' }, 'repo');
      engine = await startEngine(root, {
        incidentsDir: join(root, 'incidents'),
        policy: {
          ackDeadlines: { 'SEV-3': '10s' },
          escalationInterval: '3s',
          healthCheck: { interval: '1s', duration: '2s' },
          review: { remindersBefore: [] },
        },
        target: {
          repoPath: repo.path,
          services: { mcp: { port: await freePort() } },
          runbook: { buildWidgets: { argv: gates.wrap('build-widgets', ['pnpm', 'build:widgets']) } },
        },
      });
      const response = await engine.post('/webhooks/generic', {
        dedup_key: 'e2e-restart',
        severity: 'SEV-3',
        summary: 'Widget build fails in CI: bundle size exceeded',
        source: 'ci',
        scenario: 'widget-build-fails',
        service: 'widgets',
      });
      assert.equal(response.status, 202, await response.clone().text());
      const { workflowId } = (await response.json()) as { workflowId: string };
      const opened = Date.now();
      let status = await engine.cliJson<IncidentStatus>('status', workflowId);
      assert.equal(status.escalations.length, 0, 'nothing escalated before the deadline');

      await restartServer();
      assert.ok(Date.now() - opened < 10_000, 'the server was back before the ack deadline');
      await waitFor(
        () => `two ack escalations after the restart; got ${JSON.stringify(status.escalations)}`,
        async () => {
          status = await engine.cliJson<IncidentStatus>('status', workflowId);
          return status.escalations.length >= 2;
        },
        40_000,
      );
      const escalatedAfter = Date.parse(status.escalations[0]!.at) - opened;
      assert.ok(escalatedAfter >= 9_000, `first escalation ${escalatedAfter} ms after opening`);

      await engine.cliJson('ack', workflowId, '--by', '@jscraik');
      await waitFor(
        () => `revert proposed; stage ${status.stage}`,
        async () => {
          status = await engine.cliJson<IncidentStatus>('status', workflowId);
          return status.pendingApproval?.option === 'revert-last-change';
        },
        60_000,
      );
      await gates.arm('build-widgets');
      const base = await gates.starts('build-widgets');
      await engine.cliJson(
        'approve',
        workflowId,
        '--option',
        'revert-last-change',
        '--approver',
        '@jscraik',
        '--target',
        repo.badSha!,
      );
      await gates.waitForStart('build-widgets', base + 1);
      await restartServer();
      await gates.disarm('build-widgets');
      await waitFor(
        () => `mitigated; stage ${status.stage}, tried ${JSON.stringify(status.optionsTried)}`,
        async () => {
          status = await engine.cliJson<IncidentStatus>('status', workflowId);
          return status.mitigatedAt !== undefined || status.optionsTried.some((o) => o.outcome === 'failed');
        },
        90_000,
      );
      assert.ok(
        status.optionsTried.some((o) => o.option === 'revert-last-change' && o.outcome === 'succeeded'),
        JSON.stringify(status.optionsTried),
      );
      await engine.cliJson('resolve', workflowId, '--why', 'budget', '--fix-branch', 'fix/budget');
      await waitFor(
        () => `review; stage ${status.stage}`,
        async () => {
          status = await engine.cliJson<IncidentStatus>('status', workflowId);
          return status.stage === 'review';
        },
        60_000,
      );
      await engine.cliJson(
        'review',
        workflowId,
        '--went-well',
        'survived a server restart',
        '--by',
        '@jscraik',
      );
      await waitFor(
        () => `closed; stage ${status.stage}`,
        async () => {
          status = await engine.cliJson<IncidentStatus>('status', workflowId);
          return status.stage === 'closed';
        },
        60_000,
      );
      assert.equal((await revertsOf(repo.path, repo.badSha!)).length, 1, 'exactly one revert');
      assert.deepEqual(await orphansInside(repo.path), [], 'nothing left running in the clone');
    },
  );
});
