import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { DRILL_CLONES_ROOT } from '../../src/activities/target/drill';
import { describeDrillSchedule, upsertDrillSchedule } from '../../src/use-cases/drill-schedule';
import { DRILL_SCHEDULE_ID, DRILL_WORKFLOW_TYPE, type RollbackDrillResult } from '../../src/contracts/drill';
import { createExampleRepo, type ExampleRepo, freePort, gitIn } from '../helpers/example-repo';
import { runbookDeps } from '../helpers/runbook-deps';
import { runWorker, startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { recordHistory } from '../helpers/histories';

/** Everything a drill must leave alone in the real working copy. */
async function workingCopyState(repo: string) {
  return {
    head: await gitIn(repo, 'rev-parse', 'HEAD'),
    branch: await gitIn(repo, 'rev-parse', '--abbrev-ref', 'HEAD'),
    status: await gitIn(repo, 'status', '--porcelain=v1', '--untracked-files=all', '--ignored'),
    refs: await gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)'),
  };
}

async function listening(port: number): Promise<boolean> {
  const result = await execa('ss', ['-ltnH', `sport = :${port}`], { reject: false });
  return String(result.stdout).trim() !== '';
}

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('quarterly rollback drill on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: ExampleRepo;
  let port: number;
  const lines: string[] = [];
  let stop: () => Promise<void>;
  let taskQueue: string;

  before(async () => {
    env = await startDevServerEnv();
    dir = await tempDir('incident-drill-');
    // The target as an operator has it: released as v1.0.0, one more commit on top.
    repo = await createExampleRepo(dir.path, { docsAfter: true });
    port = await freePort();
    taskQueue = uniqueTaskQueue('drill');
    const deps = runbookDeps(dir.path, repo.path, port, {}, lines);
    ({ stop } = await runWorker(env, { ...deps, client: env.client }, taskQueue));
  });
  after(async () => {
    await stop?.();
    await env?.teardown();
    await dir?.cleanup();
  });

  it('creates the quarterly schedule once and updates it on a second call', async () => {
    const first = await upsertDrillSchedule(env.client, { taskQueue });
    assert.deepEqual(first, { scheduleId: DRILL_SCHEDULE_ID, created: true });
    const second = await upsertDrillSchedule(env.client, { taskQueue });
    assert.deepEqual(second, { scheduleId: DRILL_SCHEDULE_ID, created: false });

    const schedules: string[] = [];
    for await (const s of env.client.schedule.list()) schedules.push(s.scheduleId);
    assert.deepEqual(schedules, [DRILL_SCHEDULE_ID]);

    const info = await describeDrillSchedule(env.client);
    assert.equal(info.calendars?.length, 1);
    const calendar = info.calendars[0]!;
    assert.deepEqual(
      calendar.month?.map((r) => r.start),
      ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
    );
    assert.deepEqual(
      calendar.dayOfMonth?.map((r) => r.start),
      [1],
    );
    // The next drills: 09:00 UTC on the first day of the next quarters.
    const next = info.nextActionTimes.map((t) => t.slice(0, 16));
    const expected = nextQuarterStarts(new Date(), 2);
    assert.deepEqual(next.slice(0, 2), expected);

    const description = await env.client.schedule.getHandle(DRILL_SCHEDULE_ID).describe();
    assert.equal(description.action.type, 'startWorkflow');
    assert.equal(description.action.workflowType, DRILL_WORKFLOW_TYPE);
    assert.equal(description.action.taskQueue, taskQueue);
  });

  it('triggered, runs widget, mcp and full rollbacks on disposable clones, writes the report and leaves the target alone', async () => {
    const before = await workingCopyState(repo.path);
    const handle = env.client.schedule.getHandle(DRILL_SCHEDULE_ID);
    await handle.trigger();
    const workflowId = await waitFor(
      async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId,
      20_000,
      'the schedule to start a drill',
    );
    const result = (await env.client.workflow.getHandle(workflowId).result()) as RollbackDrillResult;

    const failures = result.procedures
      .filter((p) => !p.ok)
      .map(
        (p) =>
          `${p.procedure}: ${p.error ?? ''} ${JSON.stringify(p.checks.filter((c) => !c.ok))} ${p.rollback?.failedStep ?? ''} ${p.rollback?.error ?? ''}`,
      );
    assert.deepEqual(failures, []);
    await recordHistory(env.client.workflow.getHandle(workflowId), 'rollback-drill');
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.procedures.map((p) => [p.procedure, p.mode, p.knownGood?.tag, p.rollbackWorkflowId]),
      [
        ['widget', 'revert', 'v1.0.0', `rollback-widget-${result.drillId}`],
        ['mcp', 'checkout', 'v1.0.0', `rollback-mcp-${result.drillId}`],
        ['full', 'checkout', 'v1.0.0', `rollback-full-${result.drillId}`],
      ],
    );
    for (const p of result.procedures) {
      assert.deepEqual(
        p.checks.map((c) => [c.check, c.ok]),
        [
          ['rollback-succeeded', true],
          ['known-good-tree', true],
          ['breaking-change-gone', true],
          ['clone-clean', true],
          ['source-untouched', true],
        ],
        p.procedure,
      );
      assert.ok(p.clonePath?.startsWith(DRILL_CLONES_ROOT), 'each procedure ran on a clone');
      assert.equal(existsSync(p.clonePath!), false, 'the clone is removed afterwards');
    }
    assert.ok(
      result.procedures
        .find((p) => p.procedure === 'full')!
        .rollback!.steps.some((s) => s.step === 'start-mcp'),
      'the full rollback really started the clone service',
    );
    assert.equal(await listening(port), false, "the clone's MCP server was stopped");

    assert.equal(result.reportPath, join(dir.path, 'incidents', 'drills', result.drillId, 'report.md'));
    const report = await readFile(result.reportPath, 'utf8');
    assert.ok(report.startsWith(`# Rollback Drill: ${result.drillId}\n`));
    assert.match(report, /\*\*Result:\*\* passed/);
    assert.match(report, /\| widget \| passed \| revert \| v1\.0\.0/);
    assert.match(report, /## full rollback[\s\S]*\| build \| succeeded \|/);
    assert.match(report, /- \[x\] source-untouched: /);
    assert.equal(result.notified, false);

    assert.deepEqual(
      await workingCopyState(repo.path),
      before,
      "the target's HEAD, status and refs are unchanged",
    );

    // The operator's view of the same: `incident drill status` and `incident drill list`.
    const cli = async (...args: string[]): Promise<unknown> =>
      JSON.parse(
        (
          await execa('npx', ['tsx', 'src/cli/main.ts', 'drill', ...args, '--json'], {
            env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue },
          })
        ).stdout,
      );
    const status = (await cli('status')) as { scheduleId: string; recentActions: { workflowId: string }[] };
    assert.equal(status.scheduleId, DRILL_SCHEDULE_ID);
    assert.deepEqual(
      status.recentActions.map((a) => a.workflowId),
      [workflowId],
    );
    const listed = (await cli('list')) as { drills: { workflowId: string; status: string }[] };
    assert.ok(listed.drills.some((d) => d.workflowId === workflowId && d.status === 'COMPLETED'));
  });

  it('fails safely, without touching it, when a service the engine did not start holds the port', async () => {
    const foreign = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => foreign.listen(port, '127.0.0.1', r));
    try {
      const result = (await env.client.workflow.execute(DRILL_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: 'rollback-drill-port-held',
        args: [{ procedures: ['mcp'] }],
      })) as RollbackDrillResult;
      assert.equal(result.ok, false);
      const mcp = result.procedures[0]!;
      assert.equal(mcp.rollback?.failedStep, 'stop-server');
      assert.match(mcp.rollback?.error ?? '', /port \d+ is held by PIDs .* which the engine did not start/);
      assert.equal(foreign.listening, true, 'the foreign server is still up');
      assert.equal(result.notified, true);
    } finally {
      await new Promise<void>((r) => foreign.close(() => r()));
    }
  });

  it('notifies when a drill fails (no known-good tag to drill from)', async () => {
    const untagged = await createExampleRepo(dir.path, {}, 'untagged');
    await gitIn(untagged.path, 'tag', '-d', 'v1.0.0');
    const result = (await env.client.workflow.execute(DRILL_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: 'rollback-drill-untagged',
      args: [{ procedures: ['widget'], sourceRepoPath: untagged.path }],
    })) as RollbackDrillResult;
    assert.equal(result.ok, false);
    assert.match(result.procedures[0]!.error ?? '', /no tag matching v\*/);
    assert.equal(result.notified, true);
    const line = lines.find((l) => l.includes(result.drillId));
    assert.match(
      line ?? '',
      /^\[escalation\] DRILL-.* \(drill\): Rollback drill DRILL-.* FAILED: widget FAILED/,
    );
    assert.match(await readFile(result.reportPath!, 'utf8'), /\*\*Result:\*\* FAILED/);
  });
});

/** "YYYY-MM-DDT09:00" of the next `count` quarter starts after `from` (UTC). */
function nextQuarterStarts(from: Date, count: number): string[] {
  const out: string[] = [];
  let year = from.getUTCFullYear();
  let month = Math.floor(from.getUTCMonth() / 3) * 3; // this quarter's first month
  while (out.length < count) {
    const at = Date.UTC(year, month, 1, 9, 0);
    if (at > from.getTime()) out.push(new Date(at).toISOString().slice(0, 16));
    month += 3;
    if (month >= 12) {
      month -= 12;
      year++;
    }
  }
  return out;
}
