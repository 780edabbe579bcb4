import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IncidentPlan } from '../../src/domain/incident-plan';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { alertmanagerPayload, type ApiHarness, startApiHarness } from '../api/harness';
import { createExampleRepo, type ExampleRepo, gitIn } from '../helpers/example-repo';
import { tempDir } from '../helpers/temporal';

const BIN = join(PROJECT_ROOT, 'bin/incident.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('incident plan and the plan routes: what would run, with no side effect', () => {
  let h: ApiHarness;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: ExampleRepo;
  let configPath: string;
  const target = () => ({
    repoPath: repo.path,
    services: { 'mcp-server': { port: 18_787, start: ['node', 'platforms/mcp/server.mjs'] } },
  });

  const cli = (args: string[], env: Record<string, string>, input?: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: dir.path,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, INCIDENT_CONFIG: configPath, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input ?? '');
    });

  before(async () => {
    dir = await tempDir('incident-plan-');
    repo = await createExampleRepo(dir.path, { breakKind: 'mcp-contract' }, 'target');
    h = await startApiHarness('plan', { target: target() });
    configPath = join(dir.path, 'incident.config.json');
    await writeFile(
      configPath,
      JSON.stringify({ incidentsDir: join(dir.path, 'incidents'), target: target() }),
    );
  });
  after(async () => {
    await h?.close();
    await dir?.cleanup();
  });

  const repoState = async () => [
    await gitIn(repo.path, 'rev-parse', 'HEAD'),
    await gitIn(repo.path, 'status', '--porcelain'),
    await gitIn(repo.path, 'for-each-ref'),
  ];

  it('POST /plan lists every step with its exact argv, cwd and service, and starts nothing', async () => {
    const before = await repoState();
    const body = alertmanagerPayload(['a1b2c3d4e5f60718'], {
      labels: { scenario: 'mcp-server-fails-to-start' },
    });
    const response = await h.call('/plan', { json: body });
    assert.equal(response.status, 200, await response.clone().text());
    const { plans } = (await response.json()) as { plans: IncidentPlan[] };
    assert.equal(plans.length, 1);
    const [plan] = plans;
    assert.equal(plan!.incident.severity, 'SEV-1');
    assert.deepEqual(
      plan!.options.map((o) => o.option),
      ['revert-last-change', 'disable-feature', 'deploy-known-good', 'workaround'],
    );
    const revert = plan!.options[0]!.procedure!;
    const argv = Object.fromEntries(revert.steps.map((s) => [s.id, s.argv]));
    assert.deepEqual(argv['identify-recent-changes'], [
      'git',
      'log',
      '--oneline',
      '-5',
      '--',
      'platforms/mcp/',
    ]);
    assert.deepEqual(argv['install'], ['pnpm', 'install']);
    assert.deepEqual(argv['start-server'], ['node', 'platforms/mcp/server.mjs']);
    assert.deepEqual(argv['verify-contract'], ['pnpm', 'test:mcp-contract']);
    assert.ok(revert.steps.every((s) => s.cwd === repo.path));
    assert.equal(revert.steps.find((s) => s.id === 'stop-server')!.service, 'mcp-server');
    assert.match(plan!.deadlines[0]!.at!, /^\d{4}-\d\d-\d\dT/);
    const started: string[] = [];
    for await (const execution of h.temporal.client.workflow.list()) started.push(execution.workflowId);
    assert.deepEqual(started, [], 'no workflow was started');
    assert.deepEqual(await repoState(), before, 'the repository is unchanged');
  });

  it('incident plan --alert prints the exact commands without reaching Temporal at all', async () => {
    const before = await repoState();
    const alert = JSON.stringify({
      dedup_key: 'plan-cli-1',
      severity: 'warning',
      summary: 'widgets look odd',
      source: 'test',
      service: 'mcp-server',
    });
    // An unreachable Temporal: planning an alert needs none.
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const run = await cli(['plan', '--alert', '-', '--json'], env, alert);
    assert.equal(run.code, 0, run.stderr);
    const { plans } = JSON.parse(run.stdout) as { plans: IncidentPlan[] };
    const revert = plans[0]!.options[0]!;
    assert.equal(
      revert.procedure?.procedure,
      'mcp',
      'an unknown scenario gets the least destructive procedure',
    );
    assert.deepEqual(revert.procedure.steps.find((s) => s.id === 'install')!.argv, ['pnpm', 'install']);
    const text = await cli(['plan', '--alert', '-'], env, alert);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`- install: pnpm install in ${repo.path}`));
    assert.match(text.stdout, /- acknowledge \(SEV-3\): \d{4}-/);
    assert.deepEqual(await repoState(), before);
  });

  it('GET /incidents/:id/plan and incident plan <id> plan an open incident without signalling it', async () => {
    const opened = await h.call('/webhooks/generic', {
      json: {
        dedup_key: 'plan-open-1',
        severity: 'error',
        summary: 'MCP server fails',
        source: 'test',
        scenario: 'mcp-server-fails-to-start',
      },
    });
    assert.equal(opened.status, 202, await opened.clone().text());
    const { incidentId, workflowId } = (await opened.json()) as { incidentId: string; workflowId: string };
    const messagesReceived = async () =>
      (await h.temporal.client.workflow.getHandle(workflowId).fetchHistory()).events!.filter(
        (e) => e.workflowExecutionSignaledEventAttributes || e.workflowExecutionUpdateAcceptedEventAttributes,
      ).length;
    const response = await h.call(`/incidents/${incidentId}/plan`);
    assert.equal(response.status, 200, await response.clone().text());
    const plan = (await response.json()) as IncidentPlan;
    assert.equal(plan.incident.incidentId, incidentId);
    assert.ok(plan.stages.some((s) => s.current));
    const messagesBefore = await messagesReceived();
    const run = await cli(['plan', incidentId], {
      TEMPORAL_ADDRESS: h.temporal.address,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^${incidentId}: SEV-2, scenario mcp-server-fails-to-start`));
    assert.match(run.stdout, /- verify-contract: pnpm test:mcp-contract in /);
    assert.equal(await messagesReceived(), messagesBefore, 'planning sent the incident nothing');
  });
});
