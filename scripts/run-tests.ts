// Runs every test file under test/ with Node's own test runner and tsx's loader. Node 20's
// `--test` does not expand globs, so the file list is collected here. Pass a folder or file to
// narrow the run: `npm run test:all -- test/unit`.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every process the tests start inherits this marker; after the run, any still alive is killed.
 * Tests stop their own servers and workers, but a test that fails half-way through a start (or a
 * file the runner times out) can leave detached children behind, and CI waits for those: one such
 * orphan once held a finished run until CI's 90-minute limit.
 */
const RUN_ID = randomUUID();
const RUN_MARKER = `INCIDENT_TEST_RUN=${RUN_ID}`;

/** PIDs of live processes whose environment carries the marker (Linux /proc; elsewhere none). */
function markedProcesses(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      return environ.includes(RUN_MARKER) ? [Number(name)] : [];
    } catch {
      return []; // exited meanwhile, or not ours to read
    }
  });
}

function reapLeftovers(): void {
  const left = markedProcesses();
  if (left.length === 0) return;
  const names = left.map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').slice(0, 3).join(' ')}`;
    } catch {
      return String(pid);
    }
  });
  console.error(
    `[tests] ${left.length} process(es) outlived the tests; killing them:\n  ${names.join('\n  ')}`,
  );
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * test/cluster needs the Go-built Temporal server, UI server and PostgreSQL (`npm run
 * provision:cluster`, ≈ 11 min cold), so the default run leaves it out; `npm run test:cluster`
 * (or naming the folder) runs it.
 */
const OPT_IN = new Set([join('test', 'cluster')]);

function collect(path: string, explicit: boolean): string[] {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  if (!explicit && OPT_IN.has(path)) return [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name === 'fixtures' || name === 'helpers' ? [] : collect(join(path, name), false)));
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['test'];
// A root named on the command line is always run, test/cluster included.
const files = roots.flatMap((root) => collect(root, true));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
// Two cores: two files at a time keeps each real Temporal server responsive.
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    // A hung test must fail, not hold CI until its 90-minute limit.
    '--test-timeout=300000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, INCIDENT_TEST_RUN: RUN_ID } },
);
reapLeftovers();
process.exit(result.status ?? 1);
