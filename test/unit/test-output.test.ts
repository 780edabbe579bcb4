import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { meaningfulLines } from '../../src/domain/output-lines';
import { describeTestSummary, summariseTestOutput } from '../../src/domain/test-output';
import { tempDir } from '../helpers/temporal';

const FAILING_TESTS = `import test from 'node:test';
import assert from 'node:assert/strict';
test('lists widgets', () => assert.equal(1 + 1, 2));
test('returns tools', () => assert.equal([].length, 2));
test('tools', async (t) => {
  await t.test('describes inputs', () => { throw new Error('no input schema'); });
  await t.test('names tools', () => undefined);
});
`;

const fixture = (name: string) =>
  readFile(new URL(`../fixtures/test-output/${name}`, import.meta.url), 'utf8');

describe('test runner output summaries', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const run = async (...args: string[]) => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const result = await execa('node', ['--test', ...args, 'contract.test.mjs'], {
      cwd: dir.path,
      reject: false,
      all: true,
      env,
      extendEnv: false,
    });
    assert.equal(result.exitCode, 1);
    return result.all;
  };
  before(async () => {
    dir = await tempDir('test-output-');
    await writeFile(join(dir.path, 'contract.test.mjs'), FAILING_TESTS);
  });
  after(() => dir?.cleanup());

  it('names the failing tests of real `node --test` TAP output, not its duration line', async () => {
    const output = await run();
    const summary = summariseTestOutput(output);
    assert.deepEqual(summary, {
      runner: 'node-tap',
      // node counts a parent whose subtest failed as failed too; its name is left out.
      total: 5,
      passed: 2,
      failed: 3,
      failing: ['returns tools', 'tools > describes inputs'],
    });
    assert.equal(
      describeTestSummary(summary),
      '3 of 5 tests failed (node --test): returns tools; tools > describes inputs',
    );
    assert.ok(!meaningfulLines(output).some((line) => /duration_ms/.test(line)));
  });

  it('names the failing tests of real `node --test` spec-reporter output', async () => {
    const summary = summariseTestOutput(await run('--test-reporter=spec'));
    assert.equal(summary?.runner, 'node-spec');
    assert.deepEqual(summary?.failing, ['returns tools', 'tools > describes inputs']);
    assert.equal(summary?.failed, 3);
  });

  it('reads vitest failures and counts', async () => {
    const summary = summariseTestOutput(await fixture('vitest-failed.txt'));
    assert.deepEqual(summary, {
      runner: 'vitest',
      total: 3,
      passed: 1,
      failed: 2,
      failing: [
        'test/contract.test.ts > contract > returns tools',
        'test/contract.test.ts > contract > tools > describes inputs',
      ],
    });
  });

  it('reads jest failures and counts, colour codes and all', async () => {
    const coloured = (await fixture('jest-failed.txt')).replace(
      'Tests:       2 failed',
      'Tests:       \u001b[1m\u001b[31m2 failed\u001b[39m\u001b[22m',
    );
    assert.deepEqual(summariseTestOutput(coloured), {
      runner: 'jest',
      total: 3,
      passed: 1,
      failed: 2,
      failing: ['contract > returns tools', 'contract > tools > describes inputs'],
    });
  });

  it('answers undefined for output that is no test runner’s', () => {
    assert.equal(summariseTestOutput('tsc: error TS2304: Cannot find name x\n'), undefined);
  });

  it('keeps the last meaningful lines: no colour, blanks, pnpm lifecycle or stack frames', () => {
    const output = [
      '> widgets@1.0.0 build /repo',
      '> node build.mjs',
      '',
      '\u001b[31mError: widget status.html is missing a title\u001b[39m',
      '    at build (/repo/build.mjs:12:9)',
      ' ELIFECYCLE  Command failed with exit code 1.',
      `${'x'.repeat(500)}`,
    ].join('\n');
    const lines = meaningfulLines(output);
    assert.equal(lines[0], 'Error: widget status.html is missing a title');
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.length, 200);
  });
});
