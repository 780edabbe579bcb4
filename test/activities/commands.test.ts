/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { createCommandActivities, type RunCommandInput } from '../../src/activities/target/commands';
import type { StepFailure } from '../../src/contracts/step-failure';
import type { RunbookCommandName } from '../../src/config/target';
import { findMarked, isAlive, isRunning, MARKER_ENV } from '../../src/activities/support/process-tree';
import { createExampleRepo, type ExampleRepo } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

let dir: string;
let hangRepo: ExampleRepo;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'command-activities-'));
  hangRepo = await createExampleRepo(dir, { breakKind: 'test-hang' }, 'hang');
});
after(() => rm(dir, { recursive: true, force: true }));

const info = (activityId: string, attempt = 1) => ({
  activityId,
  attempt,
  workflowExecution: { workflowId: `commands-test-${process.pid}`, runId: 'run' },
});
const run = (incidentId: string, command: RunbookCommandName, step: string): RunCommandInput => ({
  incidentId,
  command,
  step,
});
const markerOf = (activityId: string) => `commands-test-${process.pid}/${activityId}`;

describe('runbook commands', () => {
  it('runs a configured pnpm script, heartbeats its tail and keeps the full log under the incident', async () => {
    const repo = await createExampleRepo(dir, {}, 'build');
    const acts = createCommandActivities(runbookDeps(dir, repo.path, 1));
    const env = quietActivityEnv(info('build'));
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const result = await env.run(acts.runRunbookCommand, run('INC-C1', 'buildWidgets', 'build-widgets'));
    assert.equal(result.exitCode, 0);
    assert.match(result.tail, /built 2 widgets/);
    assert.equal(result.logPath, join(dir, 'incidents', 'INC-C1', 'logs', 'build-widgets.log'));
    assert.match(
      await readFile(result.logPath, 'utf8'),
      /\["[^"]*\/pnpm","build:widgets"\][\s\S]*built 2 widgets[\s\S]*=== exit 0/,
    );
    // Runs twice: the same result, one more log section.
    await env.run(acts.runRunbookCommand, run('INC-C1', 'buildWidgets', 'build-widgets'));
    assert.equal((await readFile(result.logPath, 'utf8')).match(/=== exit 0/g)?.length, 2);
    assert.ok(beats.length >= 0);
  });

  it('kills a hanging test and its whole process tree within seconds of cancellation', async () => {
    const acts = createCommandActivities(runbookDeps(dir, hangRepo.path, 1));
    const env = quietActivityEnv(info('hang-cancel'));
    let heartbeats = 0;
    env.on('heartbeat', () => heartbeats++);
    const running = env.run(acts.runRunbookCommand, run('INC-C2', 'test', 'verify-tests'));
    // Wait until the hang is really running: the test file's grandchild exists.
    for (
      let i = 0;
      i < 100 && ((await findMarked(markerOf('hang-cancel'))).length < 3 || heartbeats === 0);
      i++
    )
      await sleep(100);
    const tree = await findMarked(markerOf('hang-cancel'));
    assert.ok(tree.length >= 3, `pnpm, sh/node --test and the grandchild are running (${tree.length})`);
    const cancelledAt = Date.now();
    env.cancel();
    await assert.rejects(running, (error: Error) => error.name === 'CancelledFailure');
    assert.ok(Date.now() - cancelledAt < 5_000, `killed in ${Date.now() - cancelledAt} ms`);
    assert.deepEqual(await findMarked(markerOf('hang-cancel')), []);
    for (const pid of tree) assert.equal(await isRunning(pid), false, `pid ${pid} is gone`);
    assert.ok(heartbeats > 0, 'heartbeated while running');
  });

  it('kills a hung command at its configured timeout and fails CommandTimedOut, leaving nothing', async () => {
    const deps = runbookDeps(dir, hangRepo.path, 1, { runbook: { test: { timeoutMs: 2_500 } } });
    const acts = createCommandActivities(deps);
    const env = quietActivityEnv(info('hang-timeout'));
    const started = Date.now();
    await assert.rejects(env.run(acts.runRunbookCommand, run('INC-C3', 'test', 'verify-tests')), {
      type: 'CommandTimedOut',
    });
    assert.ok(Date.now() - started < 8_000);
    assert.deepEqual(await findMarked(markerOf('hang-timeout')), []);
  });

  it("a retry resumes from the last heartbeat: kills the crashed attempt's processes, logs where it got to", async () => {
    const repo = await createExampleRepo(dir, {}, 'retry');
    const marker = markerOf('retry');
    // The "crashed worker's" orphan: a process carrying this activity's marker.
    const orphan = spawn('sleep', ['300'], {
      env: { ...process.env, [MARKER_ENV]: marker },
      detached: true,
      stdio: 'ignore',
    });
    orphan.unref();
    assert.ok(isAlive(orphan.pid!));
    const acts = createCommandActivities(runbookDeps(dir, repo.path, 1));
    const heartbeatDetails = {
      step: 'build-widgets',
      marker,
      pid: orphan.pid,
      tail: 'building changelog...',
    };
    const result = await quietActivityEnv({ ...info('retry', 2), heartbeatDetails }).run(
      acts.runRunbookCommand,
      run('INC-C4', 'buildWidgets', 'build-widgets'),
    );
    assert.equal(result.exitCode, 0);
    await sleep(100);
    assert.equal(await isRunning(orphan.pid!), false);
    assert.match(
      await readFile(result.logPath, 'utf8'),
      /=== attempt 2 resumes; killed 1 leftover process\(es\); last output before the crash:\nbuilding changelog\.\.\./,
    );
  });

  it('fails CommandFailed with the output tail when the script exits non-zero', async () => {
    const repo = await createExampleRepo(dir, { breakKind: 'widget-build' }, 'broken-build');
    const acts = createCommandActivities(runbookDeps(dir, repo.path, 1));
    await assert.rejects(
      quietActivityEnv(info('broken')).run(
        acts.runRunbookCommand,
        run('INC-C5', 'buildWidgets', 'build-widgets'),
      ),
      (error: Error & { type?: string }) =>
        error.type === 'CommandFailed' && /over the 16384-byte budget/.test(error.message),
    );
  });

  it('a failed command carries its argv, exit code, last meaningful lines and log path as details', async () => {
    const repo = await createExampleRepo(dir, { breakKind: 'widget-build' }, 'broken-build-details');
    const acts = createCommandActivities(runbookDeps(dir, repo.path, 1));
    const error = await quietActivityEnv(info('broken-details'))
      .run(acts.runRunbookCommand, run('INC-C6', 'buildWidgets', 'build-widgets'))
      .then(
        () => assert.fail('the build should fail'),
        (e: unknown) => e as ApplicationFailure,
      );
    const details = error.details?.[0] as StepFailure;
    assert.equal(details.type, 'CommandFailed');
    assert.equal(details.command, 'pnpm build:widgets');
    assert.equal(details.exitCode, 1);
    assert.equal(details.logPath, join(dir, 'incidents', 'INC-C6', 'logs', 'build-widgets.log'));
    assert.match(details.lines!.at(-1)!, /^widget changelog is \d+ bytes, over the 16384-byte budget$/);
    assert.ok(details.lines!.length <= 10);
    assert.ok(!details.lines!.some((line) => /ELIFECYCLE|^\s*$|^> /.test(line)), details.lines!.join('\n'));
  });

  it('a failed test run names the failing tests; a timed-out one says after how long', async () => {
    const repo = await createExampleRepo(dir, { breakKind: 'mcp-start' }, 'broken-tests');
    const acts = createCommandActivities(runbookDeps(dir, repo.path, 1));
    const failed = await quietActivityEnv(info('broken-tests'))
      .run(acts.runRunbookCommand, run('INC-C7', 'test', 'verify-tests'))
      .then(
        () => assert.fail('the tests should fail'),
        (e: unknown) => e as ApplicationFailure,
      );
    const details = failed.details?.[0] as StepFailure;
    assert.equal(details.command, 'pnpm test');
    assert.match(
      details.tests ?? '',
      /^1 of \d+ tests failed \(node --test\): every contract tool has an implementation$/,
    );
    assert.ok(!details.lines!.some((line) => /duration_ms/.test(line)));

    const slow = createCommandActivities(
      runbookDeps(dir, hangRepo.path, 1, { runbook: { test: { timeoutMs: 1_500 } } }),
    );
    const timedOut = await quietActivityEnv(info('hang-details'))
      .run(slow.runRunbookCommand, run('INC-C8', 'test', 'verify-tests'))
      .then(
        () => assert.fail('the tests should time out'),
        (e: unknown) => e as ApplicationFailure,
      );
    assert.deepEqual(
      { ...(timedOut.details?.[0] as StepFailure), lines: undefined, tests: undefined },
      {
        type: 'CommandTimedOut',
        command: 'pnpm test',
        timeoutMs: 1_500,
        logPath: join(dir, 'incidents', 'INC-C8', 'logs', 'verify-tests.log'),
        lines: undefined,
        tests: undefined,
        signal: (timedOut.details?.[0] as StepFailure).signal,
      },
    );
  });
});
