/**
 * Reads a test runner's output and says what failed: the runner, the counts and the failing
 * tests' names (suites joined with " > "). Knows the node test runner (TAP, the default when
 * output is not a terminal, and its spec reporter), vitest and jest. Pure: the triage diagnostic
 * and a failed rollback step use it on a command's output.
 */
import { bounded, stripAnsi } from './output-lines';

export type TestRunner = 'node-tap' | 'node-spec' | 'vitest' | 'jest';

export interface TestOutputSummary {
  runner: TestRunner;
  total?: number;
  passed?: number;
  failed?: number;
  /** Failing tests, innermost name last ("suite > test"); parents failed only by a child are left out. */
  failing: string[];
}

const num = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

const unique = (names: string[]) => [...new Set(names)];

function nodeTap(lines: string[]): TestOutputSummary | undefined {
  if (!lines.some((line) => /^TAP version \d+/.test(line))) return undefined;
  const path: string[] = [];
  const failing: string[] = [];
  const counts: Record<string, number> = {};
  lines.forEach((line, i) => {
    const depth = Math.floor((line.length - line.trimStart().length) / 4);
    const subtest = /^\s*# Subtest: (.*)$/.exec(line);
    if (subtest) {
      path.length = depth;
      path[depth] = subtest[1]!;
      return;
    }
    const notOk = /^\s*not ok \d+ - (.*?)(?:\s+#\s*(?:TODO|SKIP).*)?$/.exec(line);
    if (notOk) {
      // A parent that failed only because a subtest did says so in its YAML block.
      const block = lines.slice(i + 1, i + 12).join('\n');
      const yamlEnd = block.indexOf('\n' + ' '.repeat(depth * 4 + 2) + '...');
      const yaml = yamlEnd >= 0 ? block.slice(0, yamlEnd) : block;
      if (!/failureType: 'subtestsFailed'/.test(yaml))
        failing.push([...path.slice(0, depth), notOk[1]!].join(' > '));
      return;
    }
    const count = /^# (tests|pass|fail) (\d+)$/.exec(line);
    if (count) counts[count[1]!] = Number(count[2]);
  });
  return { runner: 'node-tap', total: counts.tests, passed: counts.pass, failed: counts.fail, failing };
}

function nodeSpec(lines: string[]): TestOutputSummary | undefined {
  const tests = lines.find((line) => /^ℹ tests \d+$/.test(line));
  if (!tests) return undefined;
  const end = lines.findIndex((line) => /^✖ failing tests:/.test(line));
  const body = end >= 0 ? lines.slice(0, end) : lines;
  const suites = new Set<string>();
  const path: string[] = [];
  const failing: string[] = [];
  for (const line of body) {
    const depth = Math.floor((line.length - line.trimStart().length) / 2);
    const suite = /^\s*▶ (.*)$/.exec(line);
    if (suite) {
      path.length = depth;
      path[depth] = suite[1]!;
      suites.add(`${depth}:${suite[1]}`);
      continue;
    }
    const failed = /^\s*✖ (.*?)(?: \([\d.]+m?s\))?$/.exec(line);
    if (failed && !suites.has(`${depth}:${failed[1]}`))
      failing.push([...path.slice(0, depth), failed[1]!].join(' > '));
  }
  const count = (name: string) => num(lines.find((l) => l.startsWith(`ℹ ${name} `))?.split(' ')[2]);
  return {
    runner: 'node-spec',
    total: count('tests'),
    passed: count('pass'),
    failed: count('fail'),
    failing: unique(failing),
  };
}

function vitest(lines: string[]): TestOutputSummary | undefined {
  const tests = lines.map((l) => /^\s*Tests\s+(.*)\((\d+)\)\s*$/.exec(l)).find(Boolean);
  if (!tests) return undefined;
  const parts = tests[1]!;
  const failing = lines
    .map((l) => /^\s*FAIL\s+(.+?)\s*$/.exec(l)?.[1])
    .filter((name): name is string => name !== undefined && name.includes(' > '));
  return {
    runner: 'vitest',
    total: Number(tests[2]),
    passed: num(/(\d+) passed/.exec(parts)?.[1]) ?? 0,
    failed: num(/(\d+) failed/.exec(parts)?.[1]) ?? 0,
    failing: unique(failing),
  };
}
function jest(lines: string[]): TestOutputSummary | undefined {
  const tests = lines.map((l) => /^Tests:\s+(.*\d+ total)\s*$/.exec(l)).find(Boolean);
  if (!tests) return undefined;
  const parts = tests[1]!;
  const failing = lines
    .map((l) => /^\s*● (.+?)\s*$/.exec(l)?.[1])
    .filter((name): name is string => name !== undefined && !/^Test suite failed to run/.test(name))
    .map((name) => name.replaceAll(' › ', ' > '));
  return {
    runner: 'jest',
    total: num(/(\d+) total/.exec(parts)?.[1]),
    passed: num(/(\d+) passed/.exec(parts)?.[1]) ?? 0,
    failed: num(/(\d+) failed/.exec(parts)?.[1]) ?? 0,
    failing: unique(failing),
  };
}

/** What a test runner's output says failed, or undefined when it is not a known runner's. */
export function summariseTestOutput(text: string): TestOutputSummary | undefined {
  const lines = stripAnsi(text).replaceAll('\r\n', '\n').split('\n');
  return nodeTap(lines) ?? nodeSpec(lines) ?? jest(lines) ?? vitest(lines);
}

/** One line: "2 of 4 tests failed (node --test): suite > nested fails; contract returns tools". */
export function describeTestSummary(summary: TestOutputSummary, maxNames = 5): string {
  const runner = { 'node-tap': 'node --test', 'node-spec': 'node --test', vitest: 'vitest', jest: 'jest' }[
    summary.runner
  ];
  const failed = summary.failed ?? summary.failing.length;
  const of = summary.total === undefined ? '' : ` of ${summary.total}`;
  const head = `${failed}${of} test${(summary.total ?? failed) === 1 ? '' : 's'} failed (${runner})`;
  if (summary.failing.length === 0) return head;
  const names = summary.failing.slice(0, maxNames).join('; ');
  const more = summary.failing.length > maxNames ? ` and ${summary.failing.length - maxNames} more` : '';
  return bounded(`${head}: ${names}${more}`, 300);
}
