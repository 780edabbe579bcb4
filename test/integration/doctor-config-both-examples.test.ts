/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
/**
 * The "Done when" of real repositories: on each example, the config `incident doctor --write`
 * produced (the real CLI, a free port and a policy file passed as flags, the file never edited)
 * runs all three rollbacks and a whole incident from an Alertmanager alert through the real API.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import type { FastifyInstance } from 'fastify';
import type { ActivityDeps } from '../../src/activities/deps';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { buildApi } from '../../src/api/server';
import { type EngineConfig, loadEngineConfig } from '../../src/config/engine-config';
import { loadEnv } from '../../src/config/env';
import { createProcedureActivities } from '../../src/activities/incident/procedures';
import { successPathStepIds } from '../../src/domain/procedures';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { fullRollback, mcpRollback, widgetRollback } from '../../src/workflows/rollback';
import { type RollbackInput, rollbackWorkflowId } from '../../src/contracts/rollback';
import { type IncidentStatus, statusQuery } from '../../src/contracts/messages';
import { API_TOKEN, alertmanagerPayload, eventually } from '../api/harness';
import {
  commitChange,
  createExampleRepo,
  createNpmExampleRepo,
  type ExampleChange,
  type ExampleRepo,
  freePort,
  gitIn,
  revertsOf,
} from '../helpers/example-repo';
import { quietActivityEnv } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

const BIN = join(PROJECT_ROOT, 'bin/incident.js');

interface ExampleCase {
  name: string;
  create: (dir: string) => Promise<ExampleRepo>;
  /** The service key passed to doctor (`undefined`: doctor's default). */
  service?: string;
  serviceKey: string;
  healthPath: string;
  widgetsDist: string;
  /** What the install log says about the package manager it ran. */
  installLog: RegExp;
  breaks: { widget: ExampleChange; mcp: ExampleChange; full: ExampleChange; alert: ExampleChange };
}

const CASES: ExampleCase[] = [
  {
    name: 'examples/mcp-widgets-service (pnpm, MCP_PORT, /health)',
    create: (dir) => createExampleRepo(dir, {}, 'pnpm-target'),
    serviceKey: 'mcp-server',
    healthPath: '/health',
    widgetsDist: 'dist/widgets',
    installLog: /pnpm \(pnpm-lock\.yaml\): pnpm \d+\.\d+\.\d+ at \S+\/pnpm/,
    breaks: {
      widget: {
        file: 'packages/widgets/src/changelog.mjs',
        from: "list(['Widgets render from shared UI', 'Contract tests in CI'])",
        to: 'list(Array.from({ length: 2000 }, (_, i) => `Change number ${i}`))',
        message: 'Show the full changelog',
      },
      mcp: {
        file: 'platforms/mcp/tools.mjs',
        from: 'return { html: renderWidget(name) };',
        to: 'return { markup: renderWidget(name) };',
        message: 'Return widget markup under a new key',
      },
      full: {
        file: 'platforms/mcp/tools.mjs',
        from: 'render_widget:',
        to: 'renderWidget:',
        message: 'Rename render_widget tool implementation',
      },
      alert: {
        file: 'platforms/mcp/tools.mjs',
        from: 'render_widget:',
        to: 'renderWidgetTool:',
        message: 'Rename render_widget again',
      },
    },
  },
  {
    name: 'examples/npm-mcp-service (npm workspaces, PORT, /healthz)',
    create: (dir) => createNpmExampleRepo(dir, 'npm-target'),
    service: 'widgets-api',
    serviceKey: 'widgets-api',
    healthPath: '/healthz',
    widgetsDist: 'packages/widgets/dist',
    installLog: /npm \(package-lock\.json\): npm \d+\.\d+\.\d+ at \S+\/npm/,
    breaks: {
      widget: {
        file: 'packages/widgets/src/index.mjs',
        from: "'<h1>Uptime</h1><p>99.9% over 30 days</p>'",
        to: "'<h1>Uptime</h1>' + '<p>99.9% over 30 days</p>'.repeat(1000)",
        message: 'Show the uptime of every day',
      },
      mcp: {
        file: 'services/mcp-server/tools.mjs',
        from: "({ html: renderWidget(name) ?? '' })",
        to: "({ markup: renderWidget(name) ?? '' })",
        message: 'Return widget markup under a new key',
      },
      full: {
        file: 'services/mcp-server/tools.mjs',
        from: 'render_widget:',
        to: 'renderWidget:',
        message: 'Rename render_widget',
      },
      alert: {
        file: 'services/mcp-server/tools.mjs',
        from: 'render_widget:',
        to: 'renderWidgetTool:',
        message: 'Rename render_widget again',
      },
    },
  },
];

for (const example of CASES)
  describe(`the config incident doctor wrote for ${example.name}, unedited`, () => {
    let env: TestWorkflowEnvironment;
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let repo: ExampleRepo;
    let port: number;
    let config: EngineConfig;
    let deps: ActivityDeps;
    let taskQueue: string;
    let stopWorker: (() => Promise<void>) | undefined;
    let api: FastifyInstance | undefined;
    let base: string;
    const healthUrl = () => `http://127.0.0.1:${port}${example.healthPath}`;

    before(async () => {
      [env, dir] = await Promise.all([startDevServerEnv(), tempDir('doctor-both-')]);
      repo = await example.create(dir.path);
      port = await freePort();
      // The operator's own policy: short recovery check against the port doctor is told to use.
      const policyFile = join(dir.path, 'policy.yaml');
      await writeFile(
        policyFile,
        [
          'policy:',
          '  approvers:',
          "    SEV-3: { '*': ['@lead'] }",
          '  healthCheck:',
          `    url: ${healthUrl()}`,
          '    interval: 200ms',
          '    duration: 1s',
          '',
        ].join('\n'),
      );
      const file = join(dir.path, 'incident.config.yaml');
      const started = Date.now();
      const run = await execa(
        process.execPath,
        [
          BIN,
          'doctor',
          '--repo',
          repo.path,
          ...(example.service ? ['--service', example.service] : []),
          '--port',
          String(port),
          '--policy-file',
          policyFile,
          '--write',
          file,
        ],
        { reject: false, env: { TEMPORAL_ADDRESS: '127.0.0.1:1', NO_COLOR: '1' }, timeout: 180_000 },
      );
      assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
      console.log(`# doctor took ${Date.now() - started} ms`);
      config = await loadEngineConfig(file);
      assert.deepEqual(Object.keys(config.target.services), [example.serviceKey]);
      assert.equal(config.target.services[example.serviceKey]!.port, port);
      assert.equal(config.target.paths.widgetsDist, example.widgetsDist);
      // Incident folders go to the temp folder through the worker's deps, not the config.
      deps = {
        config,
        incidentsDir: join(dir.path, 'incidents'),
        log: () => undefined,
        now: () => new Date(),
        client: env.client,
      };
      taskQueue = uniqueTaskQueue('doctor-both');
      ({ stop: stopWorker } = await runWorker(env, deps, taskQueue));
    });

    after(async () => {
      await api?.close();
      await stopWorker?.();
      if (deps)
        await quietActivityEnv()
          .run(createServiceActivities(deps).stopService, { service: example.serviceKey })
          .catch(() => undefined);
      await env?.teardown();
      await dir?.cleanup();
    });

    /** Commits `change`, runs `procedure` against it and checks the result against its plan. */
    async function rollsBack(
      procedure: 'widget' | 'mcp' | 'full',
      change: ExampleChange,
    ): Promise<{ incidentId: string; badSha: string }> {
      const badSha = await commitChange(repo.path, change);
      const incidentId = `INC-${procedure.toUpperCase()}-${example.serviceKey.toUpperCase()}`;
      const input: RollbackInput = {
        incidentId,
        procedure,
        mode: 'revert',
        badCommit: badSha,
        repoPath: repo.path,
      };
      const workflow = { widget: widgetRollback, mcp: mcpRollback, full: fullRollback }[procedure];
      const started = Date.now();
      const result = await env.client.workflow.execute(workflow, {
        taskQueue,
        workflowId: rollbackWorkflowId(procedure, incidentId),
        args: [input],
      });
      console.log(`# ${procedure} rollback took ${Date.now() - started} ms`);
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      // The plan the workflow ran (the same activity), and every command as its log recorded it.
      const plan = await quietActivityEnv().run(createProcedureActivities(deps).planRollback, {
        ...input,
        incidentId,
      });
      assert.deepEqual(
        result.steps.map((s) => s.step),
        successPathStepIds(plan),
      );
      for (const step of plan.steps.filter((s) => s.action.type === 'run-command')) {
        const log = await readFile(join(dir.path, 'incidents', incidentId, 'logs', `${step.id}.log`), 'utf8');
        const ran = JSON.parse(/^=== \S+ (\[.*\]) in /m.exec(log)![1]!) as string[];
        assert.deepEqual([basename(ran[0]!), ...ran.slice(1)], step.argv, `${step.id} ran as planned`);
      }
      assert.equal((await revertsOf(repo.path, badSha)).length, 1, 'the breaking commit reverted once');
      assert.equal(await gitIn(repo.path, 'diff', repo.goodSha, 'HEAD', '--', change.file), '');
      assert.equal(await gitIn(repo.path, 'status', '--porcelain'), '', 'the work tree is clean');
      return { incidentId, badSha };
    }

    it('the MCP rollback reverts a contract break in the server path and restarts the service on the given port', async () => {
      const { incidentId } = await rollsBack('mcp', example.breaks.mcp);
      assert.ok(await probeHealth(healthUrl()), `healthy at ${healthUrl()}`);
      const log = await readFile(join(dir.path, 'incidents', incidentId, 'logs', 'install.log'), 'utf8');
      assert.match(log, example.installLog, 'the install log names the package manager it ran');
    });

    it('the widget rollback reverts a widget over its budget and rebuilds the widgets', async () => {
      await rollsBack('widget', example.breaks.widget);
      const html = (await readdir(join(repo.path, example.widgetsDist))).filter((f) => f.endsWith('.html'));
      assert.ok(html.length > 0, `widgets in ${example.widgetsDist}`);
      assert.ok(await probeHealth(healthUrl()), 'the service is still healthy');
    });

    it('the full rollback reverts a server break, clean-installs, builds, restarts and verifies', async () => {
      await rollsBack('full', example.breaks.full);
      assert.ok(await probeHealth(healthUrl()), `healthy at ${healthUrl()}`);
    });

    it('runs an incident from an Alertmanager alert through the API: ack, triage, approve, rollback, resolve, recovery check, review, closed', async () => {
      const started = Date.now();
      const badSha = await commitChange(repo.path, example.breaks.alert);
      const apiEnv = loadEnv({
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        API_TOKEN,
        GITHUB_WEBHOOK_SECRET: 'unused-github-secret',
      });
      api = await buildApi({ client: env.client, env: apiEnv, config });
      await api.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.ok(response.status < 300, `${path}: ${response.status} ${await response.clone().text()}`);
        return response.json() as Promise<Record<string, unknown>>;
      };

      const opened = (await post(
        '/webhooks/alertmanager',
        alertmanagerPayload([`doctor${example.serviceKey.length}${Date.now().toString(16)}`], {
          labels: {
            service: example.serviceKey,
            severity: 'warning',
            scenario: 'mcp-server-fails-to-start',
          },
        }),
      )) as { incidents: { workflowId: string; services: string[] }[] };
      const [incident] = opened.incidents;
      assert.deepEqual(incident!.services, [example.serviceKey]);
      const handle = env.client.workflow.getHandle(incident!.workflowId);
      const until = (what: string, predicate: (s: IncidentStatus) => boolean) =>
        eventually(async () => {
          const s = await handle.query(statusQuery);
          return predicate(s) ? s : undefined;
        }, 90_000).catch(async (error: Error) => {
          // Say where it stood and what the service printed, so a failure explains itself.
          const last = await handle.query(statusQuery).catch(() => undefined);
          const serviceLog = await readFile(
            join(repo.path, '.git', 'incident-engine', 'services', `${example.serviceKey}.log`),
            'utf8',
          ).catch(() => '(no service log)');
          throw new Error(
            `${what}: ${error.message}; stage ${last?.stage}; timeline:\n${last?.timeline.map((e) => `${e.at} ${e.kind} ${e.message}`).join('\n')}\nservice log:\n${serviceLog.slice(-3000)}`,
          );
        });
      const path = `/incidents/${incident!.workflowId}`;

      await post(`${path}/ack`, { by: '@oncall' });
      const proposed = await until(
        'a proposed revert',
        (s) => s.pendingApproval?.option === 'revert-last-change',
      );
      assert.equal(proposed.repository?.head, badSha, 'triage found the breaking commit at HEAD');
      await post(`${path}/approve`, { option: 'revert-last-change', approver: '@lead' });
      const mitigated = await until('mitigation to finish', (s) => s.stage === 'resolution');
      assert.equal(
        mitigated.optionsTried.at(-1)?.outcome,
        'succeeded',
        JSON.stringify(mitigated.optionsTried),
      );
      assert.equal((await revertsOf(repo.path, badSha)).length, 1, 'the approved rollback reverted it');
      assert.equal(await gitIn(repo.path, 'diff', repo.goodSha, 'HEAD', '--', example.breaks.alert.file), '');
      assert.ok(await probeHealth(healthUrl()), `healthy at ${healthUrl()}`);

      await post(`${path}/resolve`, {
        by: '@oncall',
        whys: ['the server lost a tool', 'a rename without a contract test'],
        fix: { branch: 'fix/render-widget' },
      });
      const review = await until('review', (s) => s.stage === 'review');
      assert.ok(
        review.timeline.some((e) => /recovery verified/.test(e.message)),
        review.timeline.map((e) => e.message).join('\n'),
      );
      await post(`${path}/review`, {
        by: '@oncall',
        wentWell: ['doctor config'],
        actionItems: ['Contract gate'],
      });
      await until('close', (s) => s.stage === 'closed');
      // The stage turns closed just before the final report replaces the draft at the same path;
      // the run's result comes after it, so the report read below is the final one.
      const closed = (await handle.result()) as IncidentStatus;
      const report = await readFile(closed.reportPath!, 'utf8');
      assert.match(report, new RegExp(`# Incident Report: ${closed.incidentId}`));
      assert.match(report, /Contract gate/);
      console.log(`# lifecycle took ${Date.now() - started} ms`);
    });
  });
