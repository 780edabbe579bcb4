/**
 * Benchmark (not a test): the guide's Widget Rollback through the engine (widgetRollback on a
 * real dev server, every step an activity) against the same commands in a plain shell script, on
 * fresh copies of the example target with the same breaking commit, alternating which goes first.
 *
 *   npx tsx bench/widget-rollback.ts [runs=6] [--backends dev,cluster]
 *   BENCH_EAGER=1 npx tsx bench/widget-rollback.ts [runs]   (server with eager activity dispatch)
 *
 * --backends (default `dev`; see bench/backends.ts) runs the comparison on each server in turn,
 * e.g. the dev server and then a running `npm run cluster`; each backend's figures also go to
 * .data/bench/widget-rollback-<backend>-<time>.json.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROJECT_BIN } from '../src/activities/support/activity-context';
import { parseArgs } from 'node:util';
import { requireBinary } from '../src/temporal/binaries';
import { widgetRollback } from '../src/workflows/rollback';
import { createExampleRepo } from '../test/helpers/example-repo';
import { runbookDeps } from '../test/helpers/runbook-deps';
import { runWorker, tempDir, uniqueTaskQueue } from '../test/helpers/temporal';
import { type Backend, openBackend, parseBackends, writeSummary } from './backends';
import { type RollbackTimeline, rollbackTimeline } from './rollback-history';

const { values: options, positionals } = parseArgs({
  options: { backends: { type: 'string', default: 'dev' } },
  allowPositionals: true,
});
const runs = Number(positionals[0] ?? 6);

/** The same steps the workflow runs, as an operator would paste them. */
const SHELL_SCRIPT = `#!/bin/sh
set -e
cd "$1"
git log --oneline -10 > /dev/null
git update-ref "refs/incident-backup/$2" HEAD
git revert --no-edit "$3"
pnpm install
pnpm build:widgets
pnpm test
ls -lh dist/widgets/*.html
`;

interface SpawnCost {
  medianMs: number;
  fromShMs: number;
  rssMb: number;
}

/**
 * Median time to spawn `/bin/true` from this process, which hosts the worker: every git call and
 * runbook command of the engine pays it (fork of a process with the worker's memory), while the
 * shell script spawns from a small `sh`.
 */
async function spawnCost(): Promise<SpawnCost> {
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    await execa('/bin/true');
    times.push(performance.now() - started);
  }
  // The same from a small process: `sh` running it 50 times in a loop.
  const started = performance.now();
  await execa('sh', ['-c', 'i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i+1)); done']);
  const fromShMs = (performance.now() - started) / 50;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    medianMs: round(median(times)),
    fromShMs: round(fromShMs),
    rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** BENCH_EAGER asks for a dev server with eager activity dispatch instead of the plain one. */
async function open(spec: string, dir: string): Promise<Backend> {
  if (!process.env.BENCH_EAGER || spec !== 'dev') return openBackend(spec, dir);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireBinary('cli') },
      ip: '127.0.0.1',
      ui: false,
      extraArgs: ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'],
    },
  });
  return { name: 'dev-eager', address: env.address, external: false, env, close: () => env.teardown() };
}

async function runOn(spec: string) {
  const dir = await tempDir('bench-widget-');
  const backend = await open(spec, dir.path).catch(async (error: unknown) => {
    await dir.cleanup();
    throw error;
  });
  const { env } = backend;
  const script = join(dir.path, 'widget-rollback.sh');
  await writeFile(script, SHELL_SCRIPT, { mode: 0o755 });
  const taskQueue = uniqueTaskQueue('bench');
  // One worker for all runs; each run's repository path comes with the workflow input.
  const { stop } = await runWorker(
    env,
    { ...runbookDeps(dir.path, dir.path, 1), client: env.client },
    taskQueue,
  );
  const rows: { run: number; engineMs: number; shellMs: number }[] = [];
  const timelines: (RollbackTimeline & { run: number; clientMs: number })[] = [];
  const loadBefore = loadavg();
  const spawns: SpawnCost[] = [];
  try {
    const engine = async (run: number) => {
      const repo = await createExampleRepo(
        dir.path,
        { breakKind: 'widget-build', docsAfter: true },
        `engine-${run}`,
      );
      const started = performance.now();
      const workflowId = `bench-widget-${run}-${Date.now()}`;
      const result = await env.client.workflow.execute(widgetRollback, {
        taskQueue,
        workflowId,
        args: [
          {
            incidentId: `BENCH-E${run}`,
            procedure: 'widget',
            mode: 'revert',
            badCommit: repo.badSha,
            repoPath: repo.path,
          },
        ],
      });
      const elapsed = performance.now() - started;
      if (!result.ok) throw new Error(`engine run ${run} failed at ${result.failedStep}: ${result.error}`);
      // Read after the clock stops: where the engine's time went, from the history.
      if (run > 0) {
        const timeline = await rollbackTimeline(env.client, workflowId);
        timelines.push({ run, clientMs: Math.round(elapsed - timeline.workflowMs), ...timeline });
      }
      return elapsed;
    };
    const shell = async (run: number) => {
      const repo = await createExampleRepo(
        dir.path,
        { breakKind: 'widget-build', docsAfter: true },
        `shell-${run}`,
      );
      const started = performance.now();
      await execa(script, [repo.path, `BENCH-S${run}`, repo.badSha!], {
        env: { PATH: `${PROJECT_BIN}:${process.env.PATH}`, CI: 'true' },
      });
      return performance.now() - started;
    };
    await engine(0); // warm-up: workflow bundle, first connections, pnpm's own caches
    await shell(0);
    spawns.push(await spawnCost());
    for (let run = 1; run <= runs; run++) {
      const engineFirst = run % 2 === 1;
      const a = engineFirst ? await engine(run) : await shell(run);
      const b = engineFirst ? await shell(run) : await engine(run);
      rows.push({ run, engineMs: engineFirst ? a : b, shellMs: engineFirst ? b : a });
    }
    spawns.push(await spawnCost());
  } finally {
    await stop();
    await backend.close();
    await dir.cleanup();
  }
  console.log(`\n${backend.name} (${backend.address})`);
  console.log('run  first   engine ms  shell ms  ratio');
  for (const { run, engineMs, shellMs } of rows)
    console.log(
      `${String(run).padStart(3)}  ${run % 2 === 1 ? 'engine' : 'shell '}  ${engineMs.toFixed(0).padStart(9)}  ${shellMs.toFixed(0).padStart(8)}  ${(engineMs / shellMs).toFixed(3)}`,
    );
  const engineMedian = median(rows.map((r) => r.engineMs));
  const shellMedian = median(rows.map((r) => r.shellMs));
  const total = rows.reduce((sum, r) => sum + r.engineMs, 0) / rows.reduce((sum, r) => sum + r.shellMs, 0);
  const overhead = median(rows.map((r) => r.engineMs - r.shellMs));
  console.log(
    `median overhead per rollback ${overhead.toFixed(0)} ms: the ratio reaches 1.05 when the guide's commands take ${(overhead / 0.05 / 1000).toFixed(1)} s or more`,
  );
  console.log(
    `median engine ${engineMedian.toFixed(0)} ms, shell ${shellMedian.toFixed(0)} ms, ratio of medians ${(engineMedian / shellMedian).toFixed(3)}, ratio of totals ${total.toFixed(3)}`,
  );
  const breakdown = printBreakdown(timelines);
  console.log(
    `spawning /bin/true from the worker's process (before / after the runs): ${spawns.map((c) => `${c.medianMs} ms at ${c.rssMb} MB RSS (from sh: ${c.fromShMs} ms)`).join(' / ')}`,
  );
  const summary = {
    bench: 'widget-rollback',
    backend: backend.name,
    address: backend.address,
    finishedAt: new Date().toISOString(),
    runs: rows,
    medianEngineMs: engineMedian,
    medianShellMs: shellMedian,
    ratioOfMedians: engineMedian / shellMedian,
    ratioOfTotals: total,
    medianOverheadMs: overhead,
    loadAverage: { before: loadBefore, after: loadavg() },
    breakdown,
    workerProcessSpawn: spawns,
    timelines,
  };
  console.log(`summary: ${await writeSummary('widget-rollback', backend.name, summary)}`);
}

/** Medians over the runs of where the engine's time went (bench/rollback-history.ts). */
function printBreakdown(timelines: (RollbackTimeline & { run: number; clientMs: number })[]) {
  if (timelines.length === 0) return undefined;
  const of = (pick: (t: (typeof timelines)[number]) => number) => median(timelines.map(pick));
  const breakdown = {
    workflowMs: of((t) => t.workflowMs),
    clientMs: of((t) => t.clientMs),
    workflowTasks: of((t) => t.workflowTasks),
    workflowTaskQueueMs: of((t) => t.workflowTaskQueueMs),
    workflowTaskRunMs: of((t) => t.workflowTaskRunMs),
    activities: of((t) => t.entries.filter((e) => e.kind === 'activity').length),
    activityQueueMs: of((t) => t.activityQueueMs),
    commandRunMs: of((t) => t.commandRunMs),
    bookkeepingActivityRunMs: of((t) => t.bookkeepingActivityRunMs),
  };
  console.log(
    `engine breakdown (medians): workflow ${breakdown.workflowMs} ms + client start/result ${breakdown.clientMs} ms; ` +
      `${breakdown.workflowTasks} workflow tasks: queue ${breakdown.workflowTaskQueueMs} ms, run ${breakdown.workflowTaskRunMs} ms (incl. local activities); ` +
      `${breakdown.activities} activities: queue ${breakdown.activityQueueMs} ms, runbook commands ${breakdown.commandRunMs} ms, other activities ${breakdown.bookkeepingActivityRunMs} ms`,
  );
  const last = timelines.at(-1)!;
  console.log(`timeline of run ${last.run} (ms from start: queue + run):`);
  for (const e of last.entries)
    console.log(
      `  ${String(e.at).padStart(7)}  ${e.name.padEnd(18)} ${String(e.queueMs).padStart(6)} + ${String(e.runMs).padStart(7)}${e.localActivities ? `  local: ${e.localActivities.join(', ')}` : ''}`,
    );
  return breakdown;
}

for (const spec of parseBackends(options.backends)) await runOn(spec);
