import assert from 'node:assert/strict';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ancestors, historyOwnerOf } from '../../src/cluster/harness';
import type { IncidentStatus } from '../../src/contracts/messages';
import { rollbackWorkflowId } from '../../src/contracts/rollback';
import {
  type ClusterEngine,
  deliverAlert,
  type Delivery,
  startClusterEngine,
} from '../helpers/cluster-engine';
import { orphansInside, type StepGates, stepGates, stopService } from '../helpers/e2e-target';
import { createExampleRepo, type ExampleRepo, revertsOf } from '../helpers/example-repo';
import { freePort, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';

/**
 * Proven by breaking it: one incident through a full widget rollback on the production topology
 * (PostgreSQL, frontend, matching, worker, two history hosts, two engine workers, the API, each its
 * own process) while, in turn, PostgreSQL is restarted with `pg_ctl restart -m immediate` just
 * before the acknowledgement deadline (the escalation timer falls due in the outage), the engine
 * worker running the install step is SIGKILLed, the history host owning the rollback's shard is
 * SIGKILLed during the widget build, and the frontend is restarted during the tests. Step gates
 * (test/helpers/e2e-target.ts) hold each step so the faults land at known points. Alerts for the
 * incident are delivered around every fault as Alertmanager does (retried until 202).
 *
 * Pass: the incident closes, exactly one revert commit, every accepted alert recorded on the one
 * incident, the ack escalations present in status and timeline. The time to resume after each
 * fault is printed as `# ...` lines; it is not asserted (no speed assertions on a shared machine).
 */
describe('the cluster survives its processes breaking mid-incident', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let gates: StepGates;
  let repo: ExampleRepo;
  let engine: ClusterEngine | undefined;
  const figures: string[] = [];
  const deliveries: Delivery[] = [];
  const DEDUP = 'cluster-faults';

  before(async () => {
    dir = await tempDir('cluster-faults-');
    root = await realpath(dir.path);
    gates = await stepGates(root);
    repo = await createExampleRepo(root, { breakKind: 'widget-build', docsAfter: true }, 'repo');
    const started = Date.now();
    engine = await startClusterEngine(root, {
      incidentsDir: join(root, 'incidents'),
      policy: {
        ackDeadlines: { 'SEV-3': '25s' },
        escalationInterval: '4s',
        healthCheck: { interval: '1s', duration: '2s' },
        review: { remindersBefore: [] },
      },
      target: {
        repoPath: repo.path,
        services: { mcp: { port: await freePort(), startTimeoutMs: 30_000, stopGraceMs: 2_000 } },
        runbook: {
          install: { argv: gates.wrap('install', ['pnpm', 'install']) },
          buildWidgets: { argv: gates.wrap('build-widgets', ['pnpm', 'build:widgets']) },
          test: { argv: gates.wrap('test', ['pnpm', 'test']) },
        },
      },
    });
    figures.push(`cluster started in ${Date.now() - started} ms`);
  });
  after(async () => {
    for (const line of figures) console.log(`# ${line}`);
    // A failure half-way leaves gates armed: release them so no held command waits out its minute.
    for (const gate of ['install', 'build-widgets', 'test']) await gates?.disarm(gate);
    await engine?.cluster.stop();
    await stopService(repo?.path ?? join(root, 'repo')).catch(() => undefined);
    await dir?.cleanup();
  });

  const status = (id: string) => engine!.cliJson<IncidentStatus>('status', id);
  const deliver = async (summary: string) => {
    const delivery = await deliverAlert(engine!, DEDUP, summary);
    deliveries.push(delivery);
    return delivery;
  };
  /** Retries a CLI call while the cluster recovers; resolves with its answer. */
  const retrying = async <T>(call: () => Promise<T>, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  };
  /** PID of the process that ran the gate's most recent start (the gate script writes its own PID). */
  const lastGatePid = async (name: string) =>
    Number((await readFile(join(root, `${name}.starts`), 'utf8')).trim().split('\n').at(-1));

  it(
    'closes the incident with one revert, every alert recorded and every ack timer fired',
    { timeout: 900_000 },
    async () => {
      const { cluster } = engine!;
      const first = await deliver('Widget build fails in CI: bundle size exceeded');
      const workflowId = first.workflowId;
      const opened = first.acceptedAt;
      let current = await retrying(() => status(workflowId), 60_000);
      assert.equal(current.escalations.length, 0, 'nothing escalated before the deadline');
      await deliver('still failing (before the database restart)');

      // (d) PostgreSQL restarted (immediate: no checkpoint, crash recovery on start) a moment before
      // the ack deadline, so the escalation timer falls due while the database is down.
      // The workflow's own ack deadline (its clock): the 202 can arrive well after the start.
      const dueAt = current.deadlines.ack ? Date.parse(current.deadlines.ack) : opened + 25_000;
      await sleep(Math.max(0, dueAt - 1_500 - Date.now()));
      const outageDelivery = deliver('alert sent during the database restart');
      const pgDown = Date.now();
      await cluster.restartPostgres();
      const pgBack = Date.now();
      await retrying(() => status(workflowId));
      await outageDelivery;
      const pgResumed = Date.now();
      figures.push(
        `postgres restart -m immediate: database back after ${pgBack - pgDown} ms, engine answering after ${pgResumed - pgDown} ms; ack timer due ${dueAt - pgDown} ms after the restart began`,
      );
      await waitFor(
        () => `two ack escalations; got ${JSON.stringify(current.escalations)}`,
        async () => {
          current = await status(workflowId);
          return current.escalations.length >= 2;
        },
        120_000,
      );
      const firstEscalation = Date.parse(current.escalations[0]!.at);
      figures.push(
        `first ack escalation recorded ${firstEscalation - pgDown} ms after the database restart began (due at ${dueAt - pgDown} ms)`,
      );
      assert.ok(
        firstEscalation >= dueAt - 1_000,
        `escalated ${dueAt - firstEscalation} ms before the ack deadline ${new Date(dueAt).toISOString()}`,
      );

      await retrying(() => engine!.cliJson('ack', workflowId, '--by', '@jscraik'));
      await waitFor(
        () => `revert proposed; stage ${current.stage}`,
        async () => {
          current = await status(workflowId);
          return current.pendingApproval?.option === 'revert-last-change';
        },
        120_000,
      );
      await gates.arm('install');
      await gates.arm('build-widgets');
      await gates.arm('test');
      const base = {
        install: await gates.starts('install'),
        build: await gates.starts('build-widgets'),
        test: await gates.starts('test'),
      };
      await engine!.cliJson(
        'approve',
        workflowId,
        '--option',
        'revert-last-change',
        '--approver',
        '@jscraik',
        '--target',
        repo.badSha!,
      );

      // (a) The engine worker running `pnpm install` SIGKILLed; the other worker takes the step over
      // once the heartbeat timeout expires. The killed one is started again (two workers remain).
      await gates.waitForStart('install', base.install + 1, 180_000);
      const gatePid = await lastGatePid('install');
      const chain = ancestors(gatePid);
      const victim = ['worker-1', 'worker-2'].find((name) =>
        chain.includes(cluster.supervisor.pid(name) ?? -1),
      );
      assert.ok(victim, `the install step (pid ${gatePid}) runs under one of the engine workers`);
      await deliver('still failing (before the worker kill)');
      await cluster.kill(victim);
      const workerKilled = Date.now();
      // Started again in parallel: the resume is the surviving worker's, not the new one's.
      const victimBack = cluster.restart(victim);
      const workerResumed = await gates.waitForStart('install', base.install + 2, 120_000);
      await victimBack;
      await gates.disarm('install');
      figures.push(
        `${victim} SIGKILLed during install: step resumed on another worker after ${workerResumed - workerKilled} ms`,
      );
      await deliver('still failing (after the worker kill)');

      // (b) The history host owning the rollback's shard SIGKILLed while the widget build runs; its
      // shards move to the other host and the rollback goes on to its next step.
      await gates.waitForStart('build-widgets', base.build + 1, 180_000);
      const rollbackId = rollbackWorkflowId('widget', current.incidentId);
      const found = historyOwnerOf(cluster, rollbackId);
      const owner = found ?? 'history-1';
      await deliver('still failing (before the history kill)');
      await cluster.kill(owner);
      const historyKilled = Date.now();
      await gates.disarm('build-widgets');
      const historyResumed = await gates.waitForStart('test', base.test + 1, 240_000);
      figures.push(
        `${owner} (${found ? `owner of ${rollbackId}'s shard` : 'shard owner not found in PostgreSQL'}) SIGKILLed during the widget build: next step started after ${historyResumed - historyKilled} ms`,
      );
      await deliver('still failing (one history host down)');

      // (c) The frontend restarted (SIGTERM, then started again) while the tests step runs; workers,
      // API and CLI reconnect.
      await cluster.restart(owner); // back to two history hosts before the next fault
      const frontendDown = Date.now();
      await cluster.kill('frontend', 'SIGTERM');
      const frontendDelivery = deliver('alert sent while the frontend restarts');
      await cluster.restart('frontend');
      await retrying(() => status(workflowId));
      await frontendDelivery;
      figures.push(
        `frontend restarted during tests: engine answering again after ${Date.now() - frontendDown} ms`,
      );
      await gates.disarm('test');

      await waitFor(
        () => `mitigated; stage ${current.stage}, tried ${JSON.stringify(current.optionsTried)}`,
        async () => {
          current = await status(workflowId);
          return (
            current.mitigatedAt !== undefined || current.optionsTried.some((o) => o.outcome === 'failed')
          );
        },
        240_000,
      );
      assert.ok(
        current.optionsTried.some((o) => o.option === 'revert-last-change' && o.outcome === 'succeeded'),
        JSON.stringify(current.optionsTried),
      );
      await deliver('resolved soon');
      await retrying(() =>
        engine!.cliJson(
          'resolve',
          workflowId,
          '--why',
          'a widget outgrew its budget',
          '--fix-branch',
          'fix/budget',
        ),
      );
      await waitFor(
        () => `review; stage ${current.stage}`,
        async () => {
          current = await status(workflowId);
          return current.stage === 'review';
        },
        120_000,
      );
      await retrying(() =>
        engine!.cliJson(
          'review',
          workflowId,
          '--went-well',
          'the cluster survived its faults',
          '--by',
          '@jscraik',
        ),
      );
      await waitFor(
        () => `closed; stage ${current.stage}`,
        async () => {
          current = await status(workflowId);
          return current.stage === 'closed';
        },
        120_000,
      );

      assert.equal((await revertsOf(repo.path, repo.badSha!)).length, 1, 'exactly one revert commit');
      // Every delivery deduplicated into the one incident, and none lost. A retried delivery whose
      // first try reached the server before the fault cut its answer may count twice: at least.
      assert.deepEqual(
        [...new Set(deliveries.map((d) => d.workflowId))],
        [workflowId],
        'all alerts on one incident',
      );
      const attempts = deliveries.reduce((sum, d) => sum + d.attempts, 0);
      assert.ok(
        current.alerts.firing >= deliveries.length && current.alerts.firing <= attempts,
        `alerts recorded ${current.alerts.firing}, delivered ${deliveries.length} in ${attempts} requests`,
      );
      figures.push(
        `alerts: ${deliveries.length} delivered in ${attempts} requests, ${current.alerts.firing} recorded on ${workflowId}`,
      );
      assert.ok(current.escalations.length >= 2, 'ack escalations in status');
      const escalatedInTimeline = current.timeline.filter((entry) =>
        /escalat/i.test(JSON.stringify(entry)),
      ).length;
      assert.ok(escalatedInTimeline >= 1, 'ack escalation in the timeline');
      figures.push(
        `ack escalations: ${current.escalations.length} in status, ${escalatedInTimeline} in the timeline`,
      );
      await waitFor(
        () => `no process left in ${repo.path}`,
        async () => (await orphansInside(repo.path)).length === 0,
        15_000,
      ).catch(async () => assert.deepEqual(await orphansInside(repo.path), [], 'orphans inside the clone'));
    },
  );
});
