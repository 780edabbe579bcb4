import assert from 'node:assert/strict';
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IncidentStatus } from '../../src/contracts/messages';
import { createExampleRepo, gitIn } from '../helpers/example-repo';
import { type Engine, startEngine } from '../helpers/engine-processes';
import { healthy, orphansInside, processesInside, stopService } from '../helpers/e2e-target';
import { freePort, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';

const TEST_TIMEOUT_MS = 8_000;
const CANCEL_TIMEOUT_MS = 2_000;

/**
 * The guide's "CI pipeline hangs": the target has a test that never ends (and leaves a grandchild
 * running), under a later commit that breaks the widget build. The widget rollback reverts the
 * build break, then its `pnpm test` verification hangs: the command's timeout kills the whole
 * tree, the failure is final (a hang does not change on retry), the revert is undone, and the
 * incident escalates on its next option until a human answers; the known-good deploy then restores
 * service. Nothing the hung test started is left running.
 */
describe('a hung test command during a rollback (processes as in production)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let engine: Engine;
  let repoPath: string;
  let mcpPort: number;
  let buildBreak: string;
  before(async () => {
    dir = await tempDir('e2e-hang-');
    root = await realpath(dir.path);
    const repo = await createExampleRepo(root, { breakKind: 'test-hang' }, 'repo');
    repoPath = repo.path;
    const changelog = join(repo.path, 'packages/widgets/src/changelog.mjs');
    const text = await readFile(changelog, 'utf8');
    const broken = text.replace(
      "list(['Widgets render from shared UI', 'Contract tests in CI'])",
      'list(Array.from({ length: 2000 }, (_, i) => `Change number ${i}`))',
    );
    assert.notEqual(broken, text);
    await writeFile(changelog, broken);
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Show the full changelog');
    buildBreak = await gitIn(repo.path, 'rev-parse', 'HEAD');
    mcpPort = await freePort();
    engine = await startEngine(root, {
      incidentsDir: join(root, 'incidents'),
      policy: {
        approvalDeadline: '3s',
        escalationInterval: '3s',
        healthCheck: { interval: '1s', duration: '2s' },
        review: { remindersBefore: [] },
      },
      target: {
        repoPath: repo.path,
        services: { mcp: { port: mcpPort, startTimeoutMs: 20_000 } },
        runbook: { test: { timeoutMs: TEST_TIMEOUT_MS } },
        // A `gh run cancel` that hangs (the CI API never answers): killed at its timeout, retried once.
        ciCancel: {
          argv: ['node', '-e', 'setInterval(() => {}, 1000)', '{runId}'],
          timeoutMs: CANCEL_TIMEOUT_MS,
        },
      },
    });
  });
  after(async () => {
    await engine?.close();
    if (repoPath) await stopService(repoPath).catch(() => undefined);
    await dir?.cleanup();
  });

  it(
    'is killed with its tree at the timeout, fails the rollback (undone), escalates, and the next option recovers',
    { timeout: 240_000 },
    async () => {
      const response = await engine.post('/webhooks/generic', {
        dedup_key: 'e2e-hang',
        severity: 'SEV-3',
        summary: 'Widget build fails in CI; the test job never finishes',
        source: 'ci',
        scenario: 'widget-build-fails',
        service: 'widgets',
      });
      assert.equal(response.status, 202, await response.clone().text());
      const { workflowId } = (await response.json()) as { workflowId: string };
      const status = () => engine.cliJson<IncidentStatus>('status', workflowId);
      let s = await status();
      await engine.cliJson('ack', workflowId, '--by', '@jscraik');
      await waitFor(
        () => `revert proposed; stage ${s.stage}`,
        async () => (s = await status()).pendingApproval?.option === 'revert-last-change',
        60_000,
      );
      await engine.cliJson('approve', workflowId, '--option', 'revert-last-change', '--target', buildBreak);

      // The hang is live: the test runner and the grandchild it spawned run inside the clone.
      await waitFor(
        () => 'the hung test to be running',
        async () => (await processesInside(repoPath)).some((p) => p.cmd.includes('setInterval')),
        60_000,
      );
      const hungAt = Date.now();
      await waitFor(
        () => `the revert to fail; tried ${JSON.stringify(s.optionsTried)}`,
        async () =>
          (s = await status()).optionsTried.some(
            (o) => o.option === 'revert-last-change' && o.outcome === 'failed',
          ),
        60_000,
      );
      const failed = s.optionsTried.find((o) => o.outcome === 'failed')!;
      assert.match(failed.detail ?? '', /verify-tests/, 'the verification step failed');
      const stoppedAfter = Date.now() - hungAt;
      assert.deepEqual(await orphansInside(repoPath), [], 'the hung test and its grandchild are gone');
      assert.equal(await gitIn(repoPath, 'rev-parse', 'HEAD'), buildBreak, 'the revert was undone');
      const log = await readFile(join(root, 'incidents', s.incidentId, 'logs', 'verify-tests.log'), 'utf8');
      assert.match(log, /timed out/, 'the log says the command timed out');

      // The next option (a human's) waits past its deadline: escalated, then escalated again.
      await waitFor(
        () => `escalations while disable-feature waits; got ${JSON.stringify(s.escalations)}`,
        async () => (s = await status()).escalations.length >= 2,
        30_000,
      );
      await engine.cliJson(
        'outcome',
        workflowId,
        '--option',
        'disable-feature',
        '--result',
        'failed',
        '--detail',
        'no flag for the changelog widget',
      );
      await waitFor(
        () => `known-good proposed; pending ${JSON.stringify(s.pendingApproval)}`,
        async () => (s = await status()).pendingApproval?.option === 'deploy-known-good',
        30_000,
      );
      await engine.cliJson('approve', workflowId, '--option', 'deploy-known-good');
      await waitFor(
        () => `mitigated; tried ${JSON.stringify(s.optionsTried)}`,
        async () => (s = await status()).mitigatedAt !== undefined,
        120_000,
      );
      assert.ok(await healthy(mcpPort), 'the MCP server answers after the known-good deploy');
      await engine.cliJson(
        'resolve',
        workflowId,
        '--why',
        'a test waited for ever',
        '--fix-branch',
        'fix/hang',
      );
      await waitFor(
        () => `review; stage ${s.stage}`,
        async () => (s = await status()).stage === 'review',
        60_000,
      );
      await engine.cliJson('review', workflowId, '--action-item', 'add timeouts to all tests');
      await waitFor(
        () => `closed; stage ${s.stage}`,
        async () => (s = await status()).stage === 'closed',
        60_000,
      );
      assert.deepEqual(await orphansInside(repoPath), [], 'only the service runs in the clone');
      console.log(
        `# hung test stopped ${stoppedAfter} ms after it was seen (timeout ${TEST_TIMEOUT_MS} ms); escalations ${s.escalations.length}`,
      );
    },
  );

  it(
    'a hung CI cancel command is killed at its timeout, retried once per policy, then the next option is proposed',
    { timeout: 120_000 },
    async () => {
      const response = await engine.post('/webhooks/generic', {
        dedup_key: 'e2e-ci-hang',
        severity: 'SEV-3',
        summary: 'CI pipeline hangs: the test job never completes',
        source: 'ci',
        scenario: 'ci-pipeline-hangs',
        service: 'widgets',
        custom_details: { ciRunId: '4242' },
      });
      assert.equal(response.status, 202, await response.clone().text());
      const { workflowId } = (await response.json()) as { workflowId: string };
      const status = () => engine.cliJson<IncidentStatus>('status', workflowId);
      let s = await status();
      await engine.cliJson('ack', workflowId, '--by', '@jscraik');
      await waitFor(
        () => `the cancel to fail and the revert to be proposed; tried ${JSON.stringify(s.optionsTried)}`,
        async () => (s = await status()).pendingApproval?.option === 'revert-last-change',
        60_000,
      );
      const cancel = s.optionsTried.find((o) => o.option === 'disable-feature');
      assert.equal(cancel?.outcome, 'failed', JSON.stringify(s.optionsTried));
      assert.match(cancel?.detail ?? '', /CommandTimedOut/);
      const log = await readFile(join(root, 'incidents', s.incidentId, 'logs', 'cancel-ci-job.log'), 'utf8');
      assert.equal((log.match(/timed out/g) ?? []).length, 2, `two attempts, each killed:\n${log}`);
      assert.deepEqual(await orphansInside(repoPath), [], 'no hung cancel command left');
      await engine.cliJson('workaround', workflowId, '--description', 'cancelled the run by hand');
    },
  );
});
