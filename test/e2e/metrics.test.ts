import assert from 'node:assert/strict';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IncidentStatus } from '../../src/contracts/messages';
import { createExampleRepo } from '../helpers/example-repo';
import { type Engine, startEngine } from '../helpers/engine-processes';
import { stopService } from '../helpers/e2e-target';
import { freePort, waitFor } from '../helpers/processes';
import { type PrometheusServer, type PromSample, startPrometheus } from '../helpers/prometheus';
import { tempDir } from '../helpers/temporal';

const show = (samples: PromSample[]) =>
  samples.map((s) => `${JSON.stringify(s.metric)} ${s.value}`).join('\n') || '(no series)';

/**
 * The worker and the API as production runs them, each serving Prometheus metrics on its own
 * port, scraped every second by a real Prometheus while an incident runs from an alert (and its
 * duplicate) through acknowledgement, an approval and a widget rollback to resolution. PromQL
 * over Prometheus's HTTP API sees the engine's series with their labels and values, and the SDK's
 * own worker series beside them.
 */
describe('Prometheus scrapes the worker and the API while an incident runs', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let engine: Engine;
  let prometheus: PrometheusServer;
  let repoPath: string | undefined;
  let workflowId: string;

  before(async () => {
    dir = await tempDir('e2e-metrics-');
    root = await realpath(dir.path);
  });
  after(async () => {
    await prometheus?.stop();
    await engine?.close();
    if (repoPath) await stopService(repoPath).catch(() => undefined);
    await dir?.cleanup();
  });

  /** Waits until `promql` returns series that `check` accepts; prints and returns them. */
  const expectSeries = async (promql: string, check: (samples: PromSample[]) => boolean) => {
    const samples = await prometheus.waitForSeries(promql, check, 30_000);
    console.log(`# ${promql}\n${show(samples).replace(/^/gm, '#   ')}`);
    return samples;
  };
  const single = (value: number) => (samples: PromSample[]) =>
    samples.length === 1 && samples[0]!.value === value;

  it(
    'answers PromQL with incidents opened, webhook requests by status, the rollback and SDK worker series',
    { timeout: 300_000 },
    async () => {
      const repo = await createExampleRepo(root, { breakKind: 'widget-build' }, 'repo');
      repoPath = repo.path;
      const [workerMetrics, apiMetrics] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
      engine = await startEngine(
        root,
        {
          incidentsDir: join(root, 'incidents'),
          policy: { healthCheck: { interval: '1s', duration: '2s' }, review: { remindersBefore: [] } },
          target: { repoPath: repo.path, services: { mcp: { port: await freePort() } } },
        },
        {
          WORKER_METRICS_ADDRESS: workerMetrics,
          API_METRICS_ADDRESS: apiMetrics,
          WORKER_METRICS_INTERVAL_MS: '1000',
        },
      );
      // Fails (never skips) when Prometheus is not installed, saying how to provision it.
      prometheus = await startPrometheus({
        scrape: [
          { job: 'worker', targets: [workerMetrics] },
          { job: 'api', targets: [apiMetrics] },
        ],
      });
      await expectSeries('up', (s) => s.length === 2 && s.every((x) => x.value === 1));

      const alert = {
        dedup_key: 'e2e-metrics',
        severity: 'SEV-1',
        summary: 'Widget build fails in CI: bundle size exceeded',
        source: 'ci',
        scenario: 'widget-build-fails',
        service: 'widgets',
      };
      const first = await engine.post('/webhooks/generic', alert);
      assert.equal(first.status, 202, await first.clone().text());
      ({ workflowId } = (await first.json()) as { workflowId: string });
      const again = await engine.post('/webhooks/generic', alert);
      assert.equal(again.status, 202);
      assert.equal(((await again.json()) as { deduplicated: boolean }).deduplicated, true);
      const unauthenticated = await fetch(`${engine.apiBase}/webhooks/generic`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(unauthenticated.status, 401);

      await engine.cliJson('ack', workflowId, '--by', '@jscraik');
      let s: IncidentStatus | undefined;
      const status = async () => (s = await engine.cliJson<IncidentStatus>('status', workflowId));
      await waitFor(
        () => `revert proposed; stage ${s?.stage}`,
        async () => (await status()).pendingApproval?.option === 'revert-last-change',
        90_000,
      );
      await expectSeries('incident_engine_approvals_waiting{severity="SEV-1"}', single(1));
      await expectSeries(
        'incident_engine_approval_oldest_age_seconds{severity="SEV-1"}',
        (x) => x.length === 1 && x[0]!.value >= 1,
      );
      await engine.cliJson('approve', workflowId, '--option', 'revert-last-change', '--target', repo.badSha!);
      await waitFor(
        () => `mitigated; stage ${s?.stage}, tried ${JSON.stringify(s?.optionsTried)}`,
        async () => (await status()).mitigatedAt !== undefined,
        120_000,
      );

      const opened = await expectSeries('incident_engine_incidents_opened_total', single(1));
      assert.deepEqual(
        [opened[0]!.metric.severity, opened[0]!.metric.scenario, opened[0]!.metric.source],
        ['SEV-1', 'widget-build-fails', s!.source],
      );
      await expectSeries(
        'sum by (status) (incident_engine_webhook_requests_total{route="/webhooks/generic"})',
        (x) =>
          x.length === 2 &&
          x.some((r) => r.metric.status === '202' && r.value === 2) &&
          x.some((r) => r.metric.status === '401' && r.value === 1),
      );
      await expectSeries('incident_engine_alerts_deduplicated_total', single(1));
      await expectSeries('incident_engine_time_to_acknowledge_seconds_count{severity="SEV-1"}', single(1));
      await expectSeries('incident_engine_escalations_total{reason="immediate",severity="SEV-1"}', single(1));
      await expectSeries('incident_engine_approvals_requested_total{option="revert-last-change"}', single(1));
      await expectSeries('incident_engine_approval_wait_seconds_count{outcome="approved"}', single(1));
      await expectSeries(
        'incident_engine_rollbacks_total{procedure="widget",outcome="succeeded"}',
        single(1),
      );
      await expectSeries('incident_engine_rollback_duration_seconds_count{procedure="widget"}', single(1));
      await expectSeries('incident_engine_time_to_mitigate_seconds_count', single(1));
      await expectSeries(
        'incident_engine_notifications_total{kind="escalation",channel="log",outcome="sent"}',
        (x) => x.length === 1 && x[0]!.value >= 1,
      );
      await expectSeries('incident_engine_open_incidents{stage="resolution",severity="SEV-1"}', single(1));
      await expectSeries('sum(incident_engine_open_incidents)', single(1));
      await expectSeries('incident_engine_approvals_waiting{severity="SEV-1"}', single(0));
      // The SDK's own worker metrics on the same endpoint: polls and workflow task latencies.
      await expectSeries(
        'sum(temporal_workflow_task_queue_poll_succeed_total{job="worker"})',
        (x) => x.length === 1 && x[0]!.value > 0,
      );
      await expectSeries(
        'sum(temporal_workflow_task_execution_latency_count{job="worker",workflow_type="incidentWorkflow"})',
        (x) => x.length === 1 && x[0]!.value > 0,
      );
    },
  );

  it(
    'a restarted worker replays the incident without counting it again, and counts what happens next',
    { timeout: 180_000 },
    async () => {
      assert.ok(workflowId, 'the first test opened the incident');
      await engine.killWorker();
      await engine.startWorker();
      // The new process replays the whole history (opened, acknowledged, escalated, approved,
      // mitigated) to answer the resolve update, then records only the resolution.
      await engine.cliJson(
        'resolve',
        workflowId,
        '--why',
        'a widget outgrew its budget',
        '--fix-branch',
        'fix/budget',
      );
      let s: IncidentStatus | undefined;
      await waitFor(
        () => `review; stage ${s?.stage}`,
        async () => (s = await engine.cliJson<IncidentStatus>('status', workflowId)).stage === 'review',
        90_000,
      );
      await expectSeries('incident_engine_time_to_resolve_seconds_count{severity="SEV-1"}', single(1));
      await expectSeries('incident_engine_open_incidents{stage="review",severity="SEV-1"}', single(1));
      // The old process's series went stale with it; the replay recorded none of them again.
      for (const name of [
        'incident_engine_incidents_opened_total',
        'incident_engine_time_to_acknowledge_seconds_count',
        'incident_engine_escalations_total',
        'incident_engine_approvals_requested_total',
        'incident_engine_time_to_mitigate_seconds_count',
      ])
        assert.deepEqual(await prometheus.query(name), [], `${name} after the replay`);
    },
  );
});
