/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
/**
 * The package manager a repository expects, seen the same way by the plan (the planRollback
 * activity and `incident plan`) and by the run (runbook commands and service starts).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import { createCommandActivities } from '../../src/activities/target/commands';
import type { ActivityDeps } from '../../src/activities/deps';
import { listeningPids } from '../../src/activities/support/process-tree';
import { createProcedureActivities } from '../../src/activities/incident/procedures';
import { createServiceActivities } from '../../src/activities/target/services';
import { parseEngineConfig } from '../../src/config/engine-config';
import { FAILURE } from '../../src/domain/failure-types';
import type { ProcedureStep } from '../../src/domain/procedures';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { createExampleRepo, createNpmExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { quietActivityEnv } from '../helpers/runbook-deps';
import { tempDir } from '../helpers/temporal';

const BIN = join(PROJECT_ROOT, 'bin/incident.js');

let dir: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  dir = await tempDir('pm-plan-');
});
after(() => dir?.cleanup());

/** Every object with `id` and `argv` anywhere in a JSON value (the steps of any plan shape). */
function stepsIn(value: unknown, found: ProcedureStep[] = []): ProcedureStep[] {
  if (Array.isArray(value)) for (const item of value) stepsIn(item, found);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.id === 'string' && Array.isArray(record.argv))
      found.push(record as unknown as ProcedureStep);
    for (const item of Object.values(record)) stepsIn(item, found);
  }
  return found;
}

describe('the plan shows runbook commands as they run in the repository', () => {
  it('plans `npm ci` and `npm run build` for the guide-default runbook on the npm example, and the install log records that argv', async () => {
    const repo = await createNpmExampleRepo(dir.path, 'npm-defaults');
    const port = await freePort();
    // The guide's defaults (pnpm install, pnpm build ...): no runbook section at all.
    const raw = {
      incidentsDir: join(dir.path, 'incidents'),
      target: {
        repoPath: repo.path,
        paths: { mcp: 'services/mcp-server/', widgetsDist: 'packages/widgets/dist' },
        services: { api: { start: ['npm', 'run', 'start'], port, portEnv: 'PORT' } },
      },
    };
    const config = parseEngineConfig(raw);
    assert.deepEqual(config.target.runbook.install.argv, ['pnpm', 'install']);
    const deps: ActivityDeps = {
      config,
      incidentsDir: join(dir.path, 'incidents'),
      log: () => undefined,
      now: () => new Date(),
    };
    const plan = await quietActivityEnv().run(createProcedureActivities(deps).planRollback, {
      incidentId: 'INC-PLAN1',
      procedure: 'full',
      mode: 'revert',
    });
    const argvOf = (steps: ProcedureStep[], id: string) => steps.find((s) => s.id === id)?.argv;
    assert.deepEqual(argvOf(plan.steps, 'install'), ['npm', 'ci']);
    assert.deepEqual(argvOf(plan.steps, 'build'), ['npm', 'run', 'build']);

    await quietActivityEnv().run(createCommandActivities(deps).runRunbookCommand, {
      incidentId: 'INC-PLAN1',
      command: 'install',
      step: 'install',
    });
    const log = await readFile(join(dir.path, 'incidents', 'INC-PLAN1', 'logs', 'install.log'), 'utf8');
    const ran = JSON.parse(/^=== \S+ (\[.*\]) in /m.exec(log)![1]!) as string[];
    assert.deepEqual([basename(ran[0]!), ...ran.slice(1)], argvOf(plan.steps, 'install'));

    // `incident plan --alert` reads the same config file and shows the same argv.
    const file = join(dir.path, 'npm-defaults.json');
    const alert = join(dir.path, 'alert.json');
    await writeFile(file, JSON.stringify(raw));
    await writeFile(
      alert,
      JSON.stringify({
        dedup_key: 'plan-npm',
        severity: 'warning',
        summary: 'MCP server fails to start',
        source: 'prometheus',
        service: 'api',
        scenario: 'mcp-server-fails-to-start',
      }),
    );
    const cli = await execa(process.execPath, [BIN, 'plan', '--config', file, '--alert', alert, '--json'], {
      reject: false,
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1', NO_COLOR: '1' },
    });
    assert.equal(cli.exitCode, 0, `${cli.stdout}\n${cli.stderr}`);
    const installs = stepsIn(JSON.parse(cli.stdout)).filter((s) => s.id === 'install');
    assert.ok(installs.length > 0, cli.stdout);
    for (const step of installs) assert.deepEqual(step.argv, ['npm', 'ci']);
  });
});

describe('service starts and the pinned package manager', () => {
  it('fails a `pnpm mcp:start` start PackageManagerMissing when the repository pins a pnpm that is not installed, and starts nothing', async () => {
    const repo = await createExampleRepo(dir.path, {}, 'pinned-start');
    const pkgPath = join(repo.path, 'package.json');
    const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as Record<string, unknown>;
    await writeFile(pkgPath, JSON.stringify({ ...pkg, packageManager: 'pnpm@9.1.0' }, null, 2));
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Pin pnpm 9.1.0');
    const port = await freePort();
    const config = parseEngineConfig({
      incidentsDir: join(dir.path, 'incidents'),
      target: { repoPath: repo.path, services: { 'mcp-server': { port, startTimeoutMs: 10_000 } } },
    });
    assert.deepEqual(config.target.services['mcp-server']!.start, ['pnpm', 'mcp:start']);
    const services = createServiceActivities({
      config,
      incidentsDir: join(dir.path, 'incidents'),
      log: () => undefined,
      now: () => new Date(),
    });
    try {
      await assert.rejects(
        quietActivityEnv().run(services.startService, { service: 'mcp-server', incidentId: 'INC-PIN' }),
        (error: unknown) => {
          assert.ok(error instanceof ApplicationFailure, String(error));
          assert.equal(error.type, FAILURE.packageManagerMissing, error.message);
          assert.match(error.message, /repo pins pnpm@9\.1\.0 \(package\.json packageManager\)/);
          assert.equal(error.nonRetryable, true);
          return true;
        },
      );
      assert.deepEqual(await listeningPids(port), [], 'nothing listens on the service port');
    } finally {
      await quietActivityEnv().run(services.stopService, { service: 'mcp-server' });
    }
  });
});
