/**
 * The recovery check's Prometheus judgement end to end: a real Prometheus (test/helpers/
 * prometheus.ts) scrapes the example service's hand-written /metrics while the test sends it
 * traffic, and the incident workflow on a real dev server queries that Prometheus.
 *
 * The break is `tool-error`: the server starts and /health answers 200, but every render_widget
 * call fails with 500. The HTTP probe alone would call that recovered; the error ratio does not.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentWorkflowId } from '../../src/contracts/incident';
import { acknowledgeSignal, recordMitigationSignal, resolveUpdate } from '../../src/contracts/messages';
import type { PolicyDraft } from '../../src/contracts/policy';
import { createExampleRepo, type ExampleRepo, gitIn } from '../helpers/example-repo';
import { incidentInput, lifecycleDeps, waitForStatus } from '../helpers/lifecycle';
import { freePort, spawnGroup, type Spawned, waitFor } from '../helpers/processes';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

const JOB = 'mcp-server';
/** Share of tool calls answered 5xx over the last 5 s (1 s scrapes: about five samples). */
const ERROR_RATIO =
  `sum(rate(http_requests_total{job="${JOB}",route="/tools/call",code=~"5.."}[5s]))` +
  ` / sum(rate(http_requests_total{job="${JOB}",route="/tools/call"}[5s]))`;

describe('recovery check from Prometheus, against the example service', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: ExampleRepo;
  let port: number;
  let server: Spawned | undefined;
  let prom: PrometheusServer;
  let traffic = true;
  let trafficDone: Promise<void> = Promise.resolve();

  const startServer = async (): Promise<void> => {
    server = spawnGroup(process.execPath, ['platforms/mcp/server.mjs'], {
      cwd: repo.path,
      env: { ...process.env, MCP_PORT: String(port) },
    });
    await waitFor(
      () => `the example server on ${port}; output:\n${server?.output()}`,
      async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
      20_000,
    );
  };
  const stopServer = async (): Promise<void> => {
    if (!server) return;
    try {
      process.kill(-server.child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await server.exited;
    server = undefined;
  };
  /** A client calling render_widget ten times a second, as production traffic would. */
  const sendTraffic = async (): Promise<void> => {
    while (traffic) {
      await fetch(`http://127.0.0.1:${port}/tools/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'render_widget', arguments: { name: 'status' } }),
      })
        .then((response) => response.body?.cancel())
        .catch(() => undefined); // the server restarts mid-test
      await new Promise((done) => setTimeout(done, 100));
    }
  };

  before(async () => {
    dir = await tempDir('incident-recovery-prom-');
    repo = await createExampleRepo(dir.path, { breakKind: 'tool-error' });
    port = await freePort();
    await startServer();
    trafficDone = sendTraffic();
    prom = await startPrometheus({ scrape: [{ job: JOB, targets: [`127.0.0.1:${port}`] }] });
    env = await startDevServerEnv();
  });
  after(async () => {
    traffic = false;
    await trafficDone;
    await env?.teardown();
    await prom?.stop();
    await stopServer();
    await dir?.cleanup();
  });

  it('fails while tool calls answer 5xx (health says ok), and passes once the fix is deployed', async () => {
    const policy: PolicyDraft = {
      healthCheck: {
        url: `http://127.0.0.1:${port}/health`,
        interval: '1s',
        duration: '2s',
        prometheus: { url: prom.url, query: ERROR_RATIO, max: 'slo', timeout: '900ms' },
      },
    };
    const lines: string[] = [];
    const taskQueue = uniqueTaskQueue('recovery-prom');
    const { stop } = await runWorker(env, lifecycleDeps(join(dir.path, 'engine'), lines, policy), taskQueue);
    const handle = await env.client.workflow.start('incidentWorkflow', {
      taskQueue,
      workflowId: incidentWorkflowId('recovery-prom'),
      args: [
        {
          incident: incidentInput({
            fingerprint: 'recovery-prom',
            severity: 'SEV-3',
            scenario: 'ci-pipeline-hangs',
            services: ['ci'],
          }),
        },
      ],
    });
    const mitigateAndResolve = async (round: number): Promise<void> => {
      await waitForStatus(
        handle,
        (s) => s.pendingAction?.option === 'disable-feature' && s.mitigationRound === round,
      );
      await handle.signal(recordMitigationSignal, {
        option: 'disable-feature',
        by: '@oncall',
        outcome: 'succeeded',
      });
      await waitForStatus(handle, (s) => s.stage === 'resolution');
      await handle.executeUpdate(resolveUpdate, {
        args: [
          {
            by: '@oncall',
            whys: ['render_widget read an argument clients never send'],
            fix: { commit: repo.goodSha.slice(0, 7) },
          },
        ],
      });
    };
    try {
      await waitForStatus(handle, (s) => s.notePath !== undefined);
      await handle.signal(acknowledgeSignal, { by: '@oncall' });

      // Broken: Prometheus sees nearly every tool call fail.
      await prom.waitForSeries(ERROR_RATIO, (s) => (s[0]?.value ?? 0) > 0.5);
      await mitigateAndResolve(1);
      let status = await waitForStatus(
        handle,
        (s) => s.stage === 'mitigation' && s.mitigationRound === 2,
        30_000,
      );
      assert.equal(status.verification?.verified, false);
      assert.deepEqual(status.verification?.prometheus, {
        url: prom.url,
        query: ERROR_RATIO,
        bound: 'max',
        threshold: 0.005,
      });
      // Only the Prometheus half failed: /health kept answering 200.
      assert.match(
        status.escalations.at(-1)!.reason,
        /^recovery check failed: 1 of 1 probes failed \(last: Prometheus: value (1|0\.\d+) outside ≤ 0\.005\)$/,
      );

      // The fix: back to the known-good commit, the server restarted on the same port.
      await stopServer();
      await gitIn(repo.path, 'checkout', '--quiet', repo.goodSha);
      await startServer();
      await prom.waitForSeries(ERROR_RATIO, (s) => s[0]?.value === 0, 30_000);
      await mitigateAndResolve(2);
      status = await waitForStatus(handle, (s) => s.stage === 'review', 30_000);
      assert.equal(status.verification?.verified, true);
      assert.equal(status.verification?.probes, 2);
      assert.equal(status.verification?.failures, 0);
      assert.ok(
        status.timeline.some((e) =>
          /verifying recovery: GET http:\/\/127\.0\.0\.1:\d+\/health and PromQL ≤ 0\.005 at http/.test(
            e.message,
          ),
        ),
      );
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
      await stop();
    }
  });
});
