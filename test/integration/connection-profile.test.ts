import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadEnv } from '../../src/config/env';
import { INCIDENT_WORKFLOW_TYPE } from '../../src/contracts/messages';
import { requireBinary } from '../../src/temporal/binaries';
import { connectClient } from '../../src/temporal/connection';
import { startDevServerEnv, tempDir } from '../helpers/temporal';
import { runCli } from '../cli/run-cli';
import { waitFor } from '../helpers/processes';

const run = promisify(execFile);

/**
 * One temporal.toml, two readers: the real `temporal` CLI and the engine (its connection code and
 * the `incident` CLI). The profile points at a dev server this test starts; the default profile at
 * a port where nothing listens, so reaching the server proves the named profile was used.
 */
describe('connection profiles (temporal.toml) shared with the temporal CLI', () => {
  let server: TestWorkflowEnvironment;
  let dir: { path: string; cleanup: () => Promise<void> };
  let configFile: string;
  let engine: Client | undefined;
  const workflowId = `profile-probe-${process.pid}`;
  /** What both readers get: the file and the profile, nothing else about Temporal. */
  const profileEnv = () => ({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'staging' });
  const temporal = (args: string[], env: Record<string, string>) =>
    run(requireBinary('cli'), args, {
      env: { PATH: process.env.PATH, HOME: dir.path, ...env },
      timeout: 30_000,
    });

  before(async () => {
    server = await startDevServerEnv();
    dir = await tempDir('incident-profile-');
    configFile = join(dir.path, 'temporal.toml');
    await writeFile(
      configFile,
      [
        '[profile.default]',
        'address = "127.0.0.1:1"',
        '',
        '[profile.staging]',
        `address = "${server.address}"`,
        'namespace = "default"',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await engine?.connection.close();
    await server?.teardown();
    await dir?.cleanup();
  });

  it('the engine connects through TEMPORAL_PROFILE and the temporal CLI sees what it started, and back', async () => {
    const env = loadEnv(profileEnv());
    assert.equal(env.TEMPORAL_ADDRESS, server.address);
    engine = await connectClient(env);
    // No worker polls this queue: the workflow stays Running, which is all `list` needs.
    await engine.workflow.start(INCIDENT_WORKFLOW_TYPE, {
      taskQueue: `profile-probe-${process.pid}`,
      workflowId,
      args: [],
    });

    // The real CLI, profile by flag and by variable.
    const byFlag = await temporal(
      ['workflow', 'describe', '--workflow-id', workflowId, '--profile', 'staging', '-o', 'json'],
      { TEMPORAL_CONFIG_FILE: configFile },
    );
    assert.match(byFlag.stdout, new RegExp(workflowId));
    const byEnv = await temporal(
      ['workflow', 'describe', '--workflow-id', workflowId, '-o', 'json'],
      profileEnv(),
    );
    assert.match(byEnv.stdout, new RegExp(workflowId));

    // And the other way: the CLI starts, the engine's connection finds it.
    const cliStarted = `${workflowId}-from-cli`;
    await temporal(
      ['workflow', 'start', '--type', 'probe', '--task-queue', 'nobody', '--workflow-id', cliStarted],
      profileEnv(),
    );
    const described = await engine.workflow.getHandle(cliStarted).describe();
    assert.equal(described.status.name, 'RUNNING');
  });

  it('`incident list` reaches the same server through the profile', async () => {
    let last = '';
    await waitFor(
      () => `${workflowId} in incident list; last output: ${last}`,
      async () => {
        const result = await runCli(dir.path, ['list', '--status', 'open', '--json'], profileEnv());
        last = `${result.code} ${result.stdout} ${result.stderr}`;
        assert.equal(result.code, 0, result.stderr);
        const listed = (JSON.parse(result.stdout) as { incidents: { workflowId: string }[] }).incidents;
        return listed.some((incident) => incident.workflowId === workflowId);
      },
      20_000,
    );
    const cliList = await temporal(
      ['workflow', 'list', '--query', `WorkflowId = '${workflowId}'`, '-o', 'json'],
      profileEnv(),
    );
    assert.match(cliList.stdout, new RegExp(workflowId));
  });

  it('a wrong profile name is a clear error in the engine, as in the temporal CLI', async () => {
    const wrong = { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'stagign' };
    const result = await runCli(dir.path, ['list', '--json'], wrong);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /TEMPORAL_PROFILE: Profile 'stagign' not found/);
    assert.ok(result.stderr.includes(configFile), result.stderr);
    await assert.rejects(temporal(['workflow', 'list'], wrong), /stagign/);
  });
});
