/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities/deps';
import { createServiceActivities, probeHealth } from '../../src/activities/target/services';
import { loadEngineConfig, parseEngineConfig } from '../../src/config/engine-config';
import { runDoctor } from '../../src/doctor/doctor';
import { fullRollback } from '../../src/workflows/rollback';
import { rollbackWorkflowId } from '../../src/contracts/rollback';
import { createNpmExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { quietActivityEnv } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';

describe('the full rollback on the npm example, with the config incident doctor wrote', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let deps: ActivityDeps | undefined;
  before(async () => {
    [env, dir] = await Promise.all([startDevServerEnv(), tempDir('rollback-npm-')]);
  });
  after(async () => {
    if (deps) await quietActivityEnv().run(createServiceActivities(deps).stopService, { service: 'mcp' });
    await env?.teardown();
    await dir?.cleanup();
  });

  it('reverts a commit that breaks the MCP contract, then npm ci, npm run build, starts the server on PORT with /healthz and passes the node --test contract test', async () => {
    const repo = await createNpmExampleRepo(dir.path, 'npm-service');
    const file = join(dir.path, 'incident.config.json');
    const doctor = await runDoctor({ repo: repo.path, write: file });
    assert.equal(doctor.ok, true, doctor.problems.join('\n'));

    // The break: render_widget loses its implementation, so the build's contract check fails.
    const tools = join(repo.path, 'services/mcp-server/tools.mjs');
    await writeFile(tools, (await readFile(tools, 'utf8')).replace('render_widget:', 'renderWidget:'));
    await gitIn(repo.path, 'commit', '--quiet', '-am', 'Rename render_widget');
    const badSha = await gitIn(repo.path, 'rev-parse', 'HEAD');

    // The written config as it is; only the port moves to a free one so tests never collide.
    const written = await loadEngineConfig(file);
    const port = await freePort();
    const mcp = written.target.services.mcp!;
    const config = parseEngineConfig({
      ...written,
      incidentsDir: join(dir.path, 'incidents'),
      target: {
        ...written.target,
        services: { mcp: { ...mcp, port, healthUrl: `http://127.0.0.1:${port}/healthz` } },
      },
    });
    deps = { config, incidentsDir: config.incidentsDir, log: () => undefined, now: () => new Date() };
    const taskQueue = uniqueTaskQueue('full-npm');
    const { stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue);
    try {
      const result = await env.client.workflow.execute(fullRollback, {
        taskQueue,
        workflowId: rollbackWorkflowId('full', 'INC-NPM1'),
        args: [
          {
            incidentId: 'INC-NPM1',
            procedure: 'full',
            mode: 'revert',
            badCommit: badSha,
            repoPath: repo.path,
          },
        ],
      });
      assert.equal(result.ok, true, JSON.stringify(result.steps, null, 2));
      assert.deepEqual(
        result.steps.slice(-3).map((s) => s.step),
        ['verify-tests', 'verify-contract', 'release-repo-lock'],
      );
      assert.ok(await probeHealth(`http://127.0.0.1:${port}/healthz`), 'the server answers /healthz on PORT');
      assert.deepEqual(await readdir(join(repo.path, 'packages/widgets/dist')), [
        'deploys.html',
        'uptime.html',
      ]);
      const installLog = await readFile(
        join(dir.path, 'incidents', 'INC-NPM1', 'logs', 'install.log'),
        'utf8',
      );
      assert.match(installLog, /npm \(package-lock\.json\): npm \d+\.\d+\.\d+ at \S+\/npm/);
      assert.match(installLog, /\["[^"]*\/npm","ci"\]/);
    } finally {
      await stop();
    }
  });
});
