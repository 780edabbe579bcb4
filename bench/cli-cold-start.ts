/**
 * CLI cold-start benchmark (not a test): `incident --help` against `node -e 0` on the same machine,
 * each a fresh process, interleaved so that load changes hit all variants alike.
 *
 *   npx tsx bench/cli-cold-start.ts [--runs 30] [--json .data/bench/cli-cold-start.json]
 *                                   [--compare <another checkout's bin/incident.js>]
 *
 * Variants: `node -e 0` (the floor), `incident --help` as the bin runs it (compiled dist/ when it is
 * built and fresh) and with INCIDENT_FROM_SOURCE=1 (through tsx, as a dev checkout without a build
 * runs it). The goal is `incident --help` within 3× of `node -e 0`. Figures go to stdout as
 * markdown (copy into docs/benchmarks.md) and the summary to the JSON file. `--compare` adds another
 * checkout's bin (e.g. `git archive main bin src | tar -x -C .cache/before`) for before/after.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/temporal/binaries';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    json: { type: 'string', default: join(PROJECT_ROOT, '.data', 'bench', 'cli-cold-start.json') },
    compare: { type: 'string' },
  },
});
const runs = Number(args.runs);
const BIN = join(PROJECT_ROOT, 'bin', 'incident.js');

interface Variant {
  name: string;
  argv: string[];
  env?: Record<string, string>;
}

const variants: Variant[] = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  ...(existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))
    ? [{ name: 'incident --help (dist)', argv: [BIN, '--help'] }]
    : []),
  { name: 'incident --help (tsx)', argv: [BIN, '--help'], env: { INCIDENT_FROM_SOURCE: '1' } },
  ...(args.compare ? [{ name: `incident --help (${args.compare})`, argv: [args.compare, '--help'] }] : []),
];

/** One cold process: spawn to exit, wall clock, failing loudly so a broken CLI is not measured. */
function timeOnce(variant: Variant): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, variant.argv, {
    env: { ...process.env, ...variant.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${variant.name} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const samples = new Map(variants.map((v) => [v.name, [] as number[]]));
for (const variant of variants) timeOnce(variant); // warm-up: the OS file cache, not the process
for (let run = 0; run < runs; run++)
  for (const variant of variants) samples.get(variant.name)!.push(timeOnce(variant));

const floor = quantile(
  [...samples.get('node -e 0')!].sort((a, b) => a - b),
  0.5,
);
const summary = variants.map(({ name }) => {
  const sorted = [...samples.get(name)!].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return { name, runs, medianMs: median, p90Ms: quantile(sorted, 0.9), ratioToNode: median / floor };
});

const machine = { node: process.version, cpus: cpus().length, loadavg: loadavg().map((l) => +l.toFixed(2)) };
console.log(
  `${runs} runs each, node ${machine.node}, ${machine.cpus} cores, load ${machine.loadavg.join(' ')}`,
);
console.log('| variant | median | p90 | median / node -e 0 |');
console.log('| --- | --- | --- | --- |');
for (const row of summary)
  console.log(
    `| ${row.name} | ${row.medianMs.toFixed(0)} ms | ${row.p90Ms.toFixed(0)} ms | ${row.ratioToNode.toFixed(2)}× |`,
  );
await mkdir(dirname(args.json), { recursive: true });
await writeFile(
  args.json,
  `${JSON.stringify({ date: new Date().toISOString(), machine, summary }, null, 2)}\n`,
);
console.log(`summary written to ${args.json}`);
