/**
 * What one new incident costs the worker's workflow thread (not a test): a recorded incident's first
 * workflow task, replayed N times under distinct workflow IDs in one replay worker with the reused V8
 * context (the production setting), so each replay creates a new workflow context exactly as a new
 * or evicted incident does on a live worker. No server: only the workflow sandbox is measured.
 *
 *   npx tsx bench/workflow-context.ts [--replays 300] [--rounds 3] [--history first-task|whole]
 *
 * `first-task` (default) cuts the history after the first workflow task's events (what a storm's new
 * incident runs before its first step); `whole` replays the fixture to its end. Prints per-round
 * wall and CPU milliseconds per replay (CPU of the whole process: the workflow thread, the replay
 * machinery and GC) and writes the JSON summary to `.data/bench/workflow-context-<time>.json`.
 * Add `node --cpu-prof` (NODE_OPTIONS) for where the time goes.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowBundle } from '../src/worker/workflow-bundle';
import { HISTORIES_DIR } from '../test/helpers/histories';
import { stats } from './alert-ingest-stats';
import { writeSummary } from './backends';

const { values: args } = parseArgs({
  options: {
    replays: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    history: { type: 'string', default: 'first-task' },
    fixture: { type: 'string', default: 'incident-detection-local-activities.json' },
  },
});
const replays = Number(args.replays);
const rounds = Number(args.rounds);
if (!Number.isInteger(replays) || replays < 1) throw new Error('--replays must be a positive integer');
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
if (args.history !== 'first-task' && args.history !== 'whole')
  throw new Error('--history must be first-task or whole');

interface HistoryEvent {
  eventType?: string;
}
const fixture = JSON.parse(readFileSync(join(HISTORIES_DIR, args.fixture), 'utf8')) as {
  history: { events: HistoryEvent[] };
};
const events = fixture.history.events;
/** Up to (not including) the second WORKFLOW_TASK_SCHEDULED: the first task and its commands. */
const firstTaskEnd = events.findIndex(
  (e, i) => i > 1 && e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
);
const history = {
  events: args.history === 'whole' || firstTaskEnd < 0 ? events : events.slice(0, firstTaskEnd),
};

Runtime.install({ logger: new DefaultLogger('WARN') });
const { code } = await workflowBundle();

/** The benches' one quantile rule (alert-ingest-stats.ts): the p50 of the rounds. */
const median = (values: number[]) => stats(values).p50;

async function round(index: number) {
  const histories = Array.from({ length: replays }, (_, i) => ({
    workflowId: `bench-context-${index}-${i}`,
    history,
  }));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let failed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { code }, replayName: `bench-${index}` },
    histories,
  ))
    if (result.error) {
      failed++;
      if (failed === 1) console.error(result.error);
    }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (failed) throw new Error(`${failed} of ${replays} replays failed: the bench measures nothing`);
  return {
    wallMsPerReplay: wallMs / replays,
    cpuMsPerReplay: (cpu.user + cpu.system) / 1_000 / replays,
  };
}

console.log(
  `# workflow context: ${replays} replays × ${rounds} rounds of ${args.fixture} (${args.history}: ${history.events.length} events); ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
);
// A first, unmeasured round: JIT and the replay worker's own start.
await round(-1);
const results = [];
for (let i = 0; i < rounds; i++) {
  const result = await round(i);
  results.push(result);
  console.log(
    `round ${i + 1}: ${result.wallMsPerReplay.toFixed(2)} ms wall, ${result.cpuMsPerReplay.toFixed(2)} ms CPU per replay`,
  );
}
const summary = {
  replays,
  rounds,
  history: args.history,
  fixture: args.fixture,
  events: history.events.length,
  load: loadavg()[0],
  medianWallMsPerReplay: median(results.map((r) => r.wallMsPerReplay)),
  medianCpuMsPerReplay: median(results.map((r) => r.cpuMsPerReplay)),
  perRound: results,
};
console.log(
  `median: ${summary.medianWallMsPerReplay.toFixed(2)} ms wall, ${summary.medianCpuMsPerReplay.toFixed(2)} ms CPU per replay`,
);
console.log(`summary: ${await writeSummary('workflow-context', 'replay', summary)}`);
