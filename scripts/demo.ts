/**
 * `npm run demo`: one scripted incident, end to end, against a fresh copy of the example target.
 *
 * Needs a Temporal server (the one `npm start` runs, or TEMPORAL_ADDRESS). The demo brings its own
 * worker (on its own task queue, configured for the fresh copy) and API on a free port, so it
 * never touches the engine's configured target, and stops both when done. Steps: copy
 * examples/mcp-widgets-service into .data/demo/<time>/, tag v1.0.0, start its MCP server, commit
 * a change that breaks the widget build, send the Alertmanager alert through the webhook, acknowledge from the CLI,
 * let triage run, approve the revert from the CLI, watch the widget rollback, resolve (5 whys)
 * from the CLI, let the shortened recovery check probe the server, review, print the report.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { execa } from 'execa';
import { buildApi } from '../src/api/server';
import { palette } from '../src/cli/colour';
import { timelineLine } from '../src/cli/format';
import { copyExampleRepo, EXAMPLES } from '../src/config/default-target';
import { parseEngineConfig } from '../src/config/engine-config';
import { loadEnv, temporalAddress, workflowUrl } from '../src/config/env';
import { PROJECT_ROOT } from '../src/temporal/binaries';
import { connectClient, connectWorker } from '../src/temporal/connection';
import { createIncidentWorker, workerDeps } from '../src/worker/create-worker';
import { type IncidentStatus, statusQuery } from '../src/contracts/messages';

// The worker logs every state change at INFO; the demo prints its own steps. Before any connection.
Runtime.install({ logger: new DefaultLogger('WARN') });

const c = palette(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
const step = (n: number, text: string) => console.log(`\n${c.bold(c.cyan(`[${n}]`))} ${c.bold(text)}`);
const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
const dir = resolve(PROJECT_ROOT, '.data', 'demo', stamp);
const repo = join(dir, 'mcp-widgets-service');
const APPROVER = '@demo-lead';
const OPERATOR = '@demo-oncall';
// Runbook commands run `pnpm`, which this package provides.
process.env.PATH = `${join(PROJECT_ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;

const env = loadEnv({ ...process.env, TEMPORAL_TASK_QUEUE: `demo-${stamp}`, API_TOKEN: undefined });
const git = async (...args: string[]) => (await execa('git', args, { cwd: repo })).stdout.trim();
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Runs the `incident` CLI exactly as an operator would, showing the command and its output. */
async function incident(configPath: string, ...args: string[]): Promise<string> {
  console.log(c.dim(`  $ incident ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`));
  const run = await execa(process.execPath, [join(PROJECT_ROOT, 'bin/incident.js'), ...args], {
    env: {
      TEMPORAL_ADDRESS: temporalAddress(env),
      TEMPORAL_TASK_QUEUE: env.TEMPORAL_TASK_QUEUE,
      INCIDENT_CONFIG: configPath,
    },
    reject: false,
  });
  if (run.exitCode !== 0) throw new Error(`incident ${args[0]} failed: ${run.stderr}`);
  console.log(run.stdout.replace(/^/gm, '  '));
  return run.stdout;
}

async function main(): Promise<void> {
  step(1, `Fresh copy of the example target in ${repo}`);
  await mkdir(dir, { recursive: true });
  await copyExampleRepo(EXAMPLES['mcp-widgets-service'], repo, {
    user: { name: 'Demo', email: 'demo@example.test' },
  });
  const mcpPort = await freePort();
  const server = spawn(process.execPath, ['platforms/mcp/server.mjs'], {
    cwd: repo,
    env: { ...process.env, MCP_PORT: String(mcpPort) },
    stdio: 'ignore',
  });
  children.push(server);
  console.log(`  tagged v1.0.0 (known-good); MCP server on http://127.0.0.1:${mcpPort}/health`);

  const configPath = join(dir, 'incident.config.json');
  const rawConfig = {
    incidentsDir: join(dir, 'incidents'),
    target: { repoPath: repo, services: { mcp: { port: mcpPort } } },
    policy: {
      approvers: Object.fromEntries(
        ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'].map((s) => [s, { '*': [APPROVER] }]),
      ),
      // The guide's 30-minute recovery watch, shortened to 6 seconds for the demo.
      healthCheck: { url: `http://127.0.0.1:${mcpPort}/health`, interval: '2s', duration: '6s' },
    },
  };
  await writeFile(configPath, JSON.stringify(rawConfig, null, 2));
  const config = parseEngineConfig(rawConfig, configPath);
  const client = await connectClient(env).catch((error: Error) => {
    throw new Error(
      `no Temporal server at ${temporalAddress(env)} (${error.message}): start the engine first with npm start`,
    );
  });
  const connection = await connectWorker(env);
  const worker = await createIncidentWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    deps: workerDeps({ config, client, log: (line) => console.log(c.dim(`  [notify] ${line}`)) }),
  });
  const running = worker.run();
  const api = await buildApi({ client, env, config });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const apiBase = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  console.log(`  demo worker on task queue ${env.TEMPORAL_TASK_QUEUE}, API on ${apiBase}`);

  try {
    step(2, 'A breaking commit: a widget grows past the bundle budget');
    const file = join(repo, 'packages/widgets/src/changelog.mjs');
    const text = await readFile(file, 'utf8');
    const broken = text.replace(
      "list(['Widgets render from shared UI', 'Contract tests in CI'])",
      'list(Array.from({ length: 2000 }, (_, i) => `Change number ${i}`))',
    );
    if (broken === text) throw new Error('the example changed: cannot apply the demo break to changelog.mjs');
    await writeFile(file, broken);
    await git(
      '-c',
      'user.name=Dev',
      '-c',
      'user.email=dev@example.test',
      'commit',
      '--quiet',
      '-am',
      'Show the full changelog',
    );
    console.log(`  ${(await git('log', '--oneline', '-2')).replace(/\n/g, '\n  ')}`);

    step(3, 'Alertmanager fires: POST /webhooks/alertmanager');
    const fingerprint = `d${stamp.replace(/\D/g, '')}`;
    const response = await fetch(`${apiBase}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'incident-engine',
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'WidgetBuildFailing',
              service: 'widgets',
              severity: 'warning',
              scenario: 'widget-build-fails',
            },
            annotations: { summary: 'Widget build fails in CI: bundle size exceeded' },
            startsAt: new Date().toISOString(),
            fingerprint,
          },
        ],
      }),
    });
    const answer = (await response.json()) as { incidents: { workflowId: string; deduplicated: boolean }[] };
    const { workflowId } = answer.incidents[0]!;
    console.log(`  ${response.status} ${JSON.stringify(answer.incidents[0])}`);
    console.log(`  Web UI: ${workflowUrl(env, workflowId)}`);
    const handle = client.workflow.getHandle(workflowId);
    const seen = new Set<string>();
    const follow = async (until: (s: IncidentStatus) => boolean, what: string, ms = 180_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const s = await handle.query(statusQuery);
        for (const e of s.timeline) {
          const key = `${e.at}|${e.kind}|${e.message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          console.log(`    ${timelineLine(c, e)}`);
        }
        if (until(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (stage ${s.stage})`);
        await sleep(500);
      }
    };
    const opened = await follow((s) => Boolean(s.notePath), 'the incident note');

    step(4, 'The on-call engineer acknowledges from the CLI');
    await incident(configPath, 'ack', opened.incidentId, '--by', OPERATOR);

    step(5, 'Triage runs the scenario diagnostics and proposes the first mitigation');
    const proposed = await follow((s) => s.pendingApproval !== undefined, 'a proposed mitigation');
    await incident(configPath, 'status', opened.incidentId, '--lines', '0');

    step(6, `Approval from the CLI: ${proposed.pendingApproval!.option}`);
    await incident(
      configPath,
      'approve',
      opened.incidentId,
      '--option',
      proposed.pendingApproval!.option,
      '--approver',
      APPROVER,
      '--comment',
      'bundle regression from the last commit',
    );

    step(7, 'The widget rollback runs as a child workflow (revert, install, build, verify)');
    await follow((s) => s.stage === 'resolution' || s.stage === 'review', 'mitigation to finish', 600_000);
    console.log(`  ${(await git('log', '--oneline', '-3')).replace(/\n/g, '\n  ')}`);

    step(8, 'Resolution: the root cause (5 whys) from the CLI, then the recovery check');
    await incident(
      configPath,
      'resolve',
      opened.incidentId,
      '--by',
      OPERATOR,
      '--why',
      'the widget build failed',
      '--why',
      'the changelog widget exceeded the 16 KiB budget',
      '--why',
      'it rendered 2000 entries',
      '--why',
      'no bundle-size check ran before merge',
      '--fix-branch',
      'fix/incident-changelog',
    );
    await follow((s) => s.stage === 'review' || s.stage === 'closed', 'the recovery check');

    step(9, 'Post-incident review from the CLI, then the report');
    await incident(
      configPath,
      'review',
      opened.incidentId,
      '--by',
      OPERATOR,
      '--went-well',
      'Quick detection',
      '--went-well',
      'Effective mitigation',
      '--to-improve',
      'Bundle size in PR checks',
      '--action-item',
      'Add a bundle-size gate to CI',
    );
    await follow((s) => s.stage === 'closed', 'the incident to close');
    await incident(configPath, 'report', opened.incidentId);
    console.log(`\n${c.green('Demo complete.')} Web UI: ${workflowUrl(env, workflowId)}\nFiles: ${dir}`);
  } finally {
    await api.close();
    worker.shutdown();
    await running;
    await connection.close();
    await client.connection.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`demo failed: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
}
