import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { startDevServerEnv, tempDir, uniqueTaskQueue } from '../helpers/temporal';
import { type CliRun, runCli } from './run-cli';

/** A small real repository: a tagged release, then one more commit. */
async function smallRepo(path: string): Promise<{ good: string; bad: string }> {
  const git = async (...args: string[]) => (await execa('git', args, { cwd: path })).stdout.trim();
  await execa('git', ['init', '-q', '-b', 'main', path]);
  await git('config', 'user.email', 'test@example.com');
  await git('config', 'user.name', 'test');
  await writeFile(join(path, 'a.txt'), 'one\n');
  await git('add', '.');
  await git('commit', '-qm', 'good');
  await git('tag', 'v1.0.0');
  await writeFile(join(path, 'a.txt'), 'two\n');
  await git('commit', '-qam', 'bad');
  return { good: await git('rev-parse', 'v1.0.0'), bad: await git('rev-parse', 'HEAD') };
}

/**
 * `incident rollback` input checked before anything starts: refs by git's own rules, the
 * repository only the configured target (by realpath), a commit-ish resolved to a full SHA in it.
 * A real dev server is up, so a case that slipped through would start a workflow (and exit 0).
 */
describe('incident rollback input, checked before a workflow starts', () => {
  let temporal: TestWorkflowEnvironment;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;
  let other: string;
  let shas: { good: string; bad: string };
  let env: Record<string, string>;
  let counter = 0;

  before(async () => {
    temporal = await startDevServerEnv();
    dir = await tempDir('incident-rollback-input-');
    repo = join(dir.path, 'target');
    other = join(dir.path, 'other');
    shas = await smallRepo(repo);
    await smallRepo(other);
    const configPath = join(dir.path, 'incident.config.json');
    await writeFile(
      configPath,
      JSON.stringify({ incidentsDir: join(dir.path, 'incidents'), target: { repoPath: repo } }),
    );
    env = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('rollback-input'),
      INCIDENT_CONFIG: configPath,
    };
  });
  after(async () => {
    await temporal?.teardown();
    await dir?.cleanup();
  });

  const started = async (workflowId: string) =>
    temporal.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        () => false,
      );

  /** Runs `incident rollback <procedure> ...args --incident <fresh> --no-wait`. */
  async function rollback(procedure: string, args: string[], extraEnv: Record<string, string> = {}) {
    const incident = `INCIDENT-20261130-010000-ri${++counter}`;
    const run = await runCli(
      dir.path,
      ['rollback', procedure, ...args, '--incident', incident, '--no-wait', '--json'],
      {
        ...env,
        ...extraEnv,
      },
    );
    return { run, workflowId: `rollback-${procedure}-${incident}` };
  }

  const assertRefused = async ({ run, workflowId }: { run: CliRun; workflowId: string }, reason: RegExp) => {
    assert.equal(run.code, 2, `exit 2 expected; stdout ${run.stdout} stderr ${run.stderr}`);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, reason);
    assert.equal(await started(workflowId), false, `${workflowId} must not have started`);
  };

  it('refuses a --repo that is not the configured target (a path escape, another repository)', async () => {
    await assertRefused(
      await rollback('full', ['--mode', 'revert', '--bad-commit', shas.bad, '--repo', '../../etc/passwd']),
      /repo/,
    );
    await assertRefused(
      await rollback('full', ['--mode', 'revert', '--bad-commit', shas.bad, '--repo', other]),
      /repo.*configured target/,
    );
  });

  it("refuses known-good refs git itself would refuse ('.lock', '..', '@{')", async () => {
    for (const ref of ['v1.0.0.lock', 'v1..0', 'main@{1}', 'refs/../HEAD'])
      await assertRefused(
        await rollback('mcp', ['--mode', 'checkout', '--known-good', ref]),
        /known-good|knownGood/,
      );
  });

  it('refuses a commit-ish the target does not have, naming it', async () => {
    await assertRefused(
      await rollback('mcp', ['--mode', 'revert', '--bad-commit', 'deadbeef1234']),
      /bad-commit.*deadbeef1234.*not a commit|deadbeef1234/,
    );
    await assertRefused(await rollback('mcp', ['--mode', 'checkout', '--known-good', 'v9.9.9']), /v9\.9\.9/);
  });

  it('refuses when no target repository is configured', async () => {
    const bare = join(dir.path, 'empty.config.json');
    await writeFile(bare, '{}');
    await assertRefused(
      await rollback('mcp', ['--mode', 'revert', '--bad-commit', shas.bad], { INCIDENT_CONFIG: bare }),
      /target\.repoPath/,
    );
  });

  it('accepts a short SHA or a tag for mcp and starts the workflow with the full SHA resolved in the target', async () => {
    const short = await rollback('mcp', [
      '--mode',
      'revert',
      '--bad-commit',
      shas.bad.slice(0, 8),
      '--repo',
      repo,
    ]);
    assert.equal(short.run.code, 0, short.run.stderr);
    const [input] = (await temporal.client.workflow.getHandle(short.workflowId).fetchHistory()).events![0]!
      .workflowExecutionStartedEventAttributes!.input!.payloads!;
    const decoded = JSON.parse(Buffer.from(input!.data!).toString()) as {
      badCommit: string;
      repoPath: string;
    };
    assert.equal(decoded.badCommit, shas.bad);
    const head = await rollback('widget', ['--mode', 'revert', '--bad-commit', 'HEAD']);
    assert.equal(head.run.code, 0, head.run.stderr);
    const tag = await rollback('full', ['--mode', 'checkout', '--known-good', 'v1.0.0']);
    assert.equal(tag.run.code, 0, tag.run.stderr);
  });
});
