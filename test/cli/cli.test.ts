import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { type IncidentStatus, statusQuery } from '../../src/contracts/messages';
import { type ApiHarness, eventually, startApiHarness } from '../api/harness';
import { createExampleRepo, gitIn, revertsOf } from '../helpers/example-repo';

const POLICY = { approvers: { 'SEV-2': { '*': ['@lead'], 'revert-last-change': ['@sre'] } } };
const BIN = join(PROJECT_ROOT, 'bin/incident.js');
const ESC = String.fromCharCode(27);
const hasAnsi = (text: string) => text.includes(`${ESC}[`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the incident CLI as a real child process against a dev server and worker', () => {
  let h: ApiHarness;
  let dir: string;
  let configPath: string;
  let opened: { incidentId: string; workflowId: string; url: string; deduplicated: boolean };

  /** Runs `node bin/incident.js ...args` the way an operator's shell does (no TTY, so no colour). */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TEMPORAL_ADDRESS: h.temporal.address,
          TEMPORAL_TASK_QUEUE: h.taskQueue,
          INCIDENT_CONFIG: configPath,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const json = <T>(run: Run): T => {
    assert.equal(run.code, 0, `exit 0 expected; stderr: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  };
  const assertOneLineError = (run: Run, code: number, reason: RegExp) => {
    assert.equal(run.code, code, `exit ${code} expected; stdout: ${run.stdout} stderr: ${run.stderr}`);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
    assert.match(lines[0]!, reason);
  };
  const status = () => h.temporal.client.workflow.getHandle(opened.workflowId).query(statusQuery);

  before(async () => {
    h = await startApiHarness('cli', { policy: POLICY });
    dir = await mkdtemp(join(tmpdir(), 'incident-cli-'));
    configPath = join(dir, 'incident.config.json');
    await writeFile(configPath, JSON.stringify({ incidentsDir: join(dir, 'incidents'), policy: POLICY }));
  });
  after(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens an incident with start --json and prints its incident ID, workflow ID and Web UI link', async () => {
    opened = json(
      await cli([
        'start',
        '--severity',
        'SEV-2',
        '--service',
        'mcp-server',
        '--scenario',
        'mcp-server-fails-to-start',
        '--summary',
        'MCP server fails to start',
        '--json',
      ]),
    );
    assert.match(opened.incidentId, /^INCIDENT-\d{8}-\d{6}-[0-9a-z]{4}$/);
    assert.match(opened.workflowId, /^incident-INCIDENT-/);
    assert.equal(opened.deduplicated, false);
    assert.match(opened.url, /^http:\/\/localhost:8233\/namespaces\/default\/workflows\/incident-INCIDENT-/);
    assert.equal(
      (await status()).incidentId,
      opened.incidentId,
      'the CLI derives the same ID as the workflow',
    );
  });

  it('shows a readable status by incident ID, without colour when not on a terminal', async () => {
    const run = await cli(['status', opened.incidentId]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^${opened.incidentId}  SEV-2  stage: `));
    assert.match(run.stdout, /not acknowledged|acknowledged by/);
    assert.match(run.stdout, /recent timeline/);
    assert.match(run.stdout, new RegExp(`Web UI: ${opened.url.replace(/[/.]/g, '\\$&')}`));
    assert.ok(!hasAnsi(run.stdout), 'no ANSI escapes in a pipe');
    const coloured = await cli(['status', opened.workflowId], { FORCE_COLOR: '1' });
    assert.ok(hasAnsi(coloured.stdout));
    const plain = await cli(['status', opened.workflowId], { FORCE_COLOR: '1', NO_COLOR: '1' });
    assert.ok(!hasAnsi(plain.stdout), 'NO_COLOR wins');
  });

  it('lists the incident from visibility with --json', async () => {
    const listed = await eventually(async () => {
      const body = json<{ incidents: { workflowId: string; url: string }[] }>(
        await cli(['list', '--status', 'open', '--json']),
      );
      return body.incidents.find((i) => i.workflowId === opened.workflowId);
    });
    assert.equal(listed.url, opened.url);
  });

  it('acknowledges from the CLI; the same command again is idempotent, a different ack is refused with exit 4', async () => {
    const ack = json<{ accepted: boolean; updateId: string }>(
      await cli(['ack', opened.incidentId, '--by', '@oncall', '--json']),
    );
    assert.equal(ack.accepted, true);
    const again = json<{ accepted: boolean; updateId: string }>(
      await cli(['ack', opened.incidentId, '--by', '@oncall', '--json']),
    );
    assert.equal(again.updateId, ack.updateId, 'same decision, same Update ID');
    assertOneLineError(
      await cli(['ack', opened.workflowId, '--by', '@other']),
      4,
      /already acknowledged by @oncall/,
    );
    const s = await status();
    assert.equal(s.timeline.filter((e) => e.kind === 'acknowledged').length, 1);
    // The audit trail says the decision came through the CLI.
    assert.deepEqual(
      s.decisions?.map((d) => `${d.decision} ${d.by} ${d.via ?? 'unknown'}`),
      ['ack @oncall cli'],
    );
    assert.match(s.timeline.find((e) => e.kind === 'acknowledged')!.message, /\[via cli\]$/);
  });

  it('refuses an approver the config does not list (exit 4) and moves the workflow with an allowed reject', async () => {
    await eventually(
      async () => ((await status()).pendingApproval?.option === 'revert-last-change' ? true : undefined),
      20_000,
    );
    assertOneLineError(
      await cli(['approve', opened.incidentId, '--option', 'revert-last-change', '--approver', '@mallory']),
      4,
      /@mallory may not approve/,
    );
    const run = await cli([
      'reject',
      opened.incidentId,
      '--option',
      'revert-last-change',
      '--approver',
      '@sre',
      '--reason',
      'unrelated change',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^accepted: /);
    const s = await eventually(async () => {
      const x: IncidentStatus = await status();
      return x.optionsTried.some((o) => o.option === 'revert-last-change' && o.outcome === 'rejected')
        ? x
        : undefined;
    });
    assert.notEqual(s.pendingApproval?.option, 'revert-last-change');
  });

  it('points approve on a hand-carried option at outcome / reject, shows the CLI verb in status, records the outcome, and refuses a severity change to the same value', async () => {
    await eventually(
      async () => ((await status()).pendingAction?.option === 'disable-feature' ? true : undefined),
      20_000,
    );
    assertOneLineError(
      await cli(['approve', opened.incidentId, '--option', 'disable-feature', '--approver', '@lead']),
      4,
      new RegExp(
        `disable-feature is waiting for its outcome.*incident outcome ${opened.incidentId} --option disable-feature --result succeeded\\|failed.*incident reject ${opened.incidentId} --option disable-feature`,
      ),
    );
    const shown = await cli(['status', opened.incidentId, '--lines', '50']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      new RegExp(
        `waiting for outcome: disable-feature.*\\n.*incident outcome ${opened.incidentId} --option disable-feature`,
      ),
    );
    assert.ok(
      !shown.stdout.includes('recordMitigation'),
      `the CLI verb, not the signal name:\n${shown.stdout}`,
    );
    const run = await cli([
      'outcome',
      opened.incidentId,
      '--option',
      'disable-feature',
      '--result',
      'failed',
      '--by',
      '@oncall',
    ]);
    assert.equal(run.code, 0, run.stderr);
    await eventually(
      async () => ((await status()).pendingApproval?.option === 'deploy-known-good' ? true : undefined),
      20_000,
    );
    assertOneLineError(
      await cli(['severity', opened.incidentId, '--set', 'SEV-2']),
      4,
      /severity is already SEV-2/,
    );
  });

  it('follows an incident with watch until Ctrl+C, then exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'watch', opened.workflowId, '--interval', '0.5'], {
      cwd: dir,
      env: { ...process.env, TEMPORAL_ADDRESS: h.temporal.address, INCIDENT_CONFIG: configPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => Promise.resolve(out.includes('following') ? true : undefined), 20_000);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.match(out, /acknowledged by @oncall/);
    assert.match(out, /stopped watching: http:/);
  });

  it('reports a missing report, an unknown incident and a malformed ID in one line with distinct exit codes', async () => {
    assertOneLineError(await cli(['report', opened.workflowId]), 1, /no report for INCIDENT-.* yet/);
    assertOneLineError(await cli(['status', 'incident-nope']), 3, /no incident found for incident-nope/);
    assertOneLineError(await cli(['status', 'bad id;rm']), 2, /incident must be/);
  });

  it('answers bad arguments and broken config with one line and exit 2', async () => {
    assertOneLineError(await cli(['approve', opened.workflowId]), 2, /required option '--option/);
    assertOneLineError(await cli(['frobnicate']), 2, /unknown command 'frobnicate'/);
    assertOneLineError(await cli(['statu']), 2, /Did you mean status/);
    assertOneLineError(
      await cli(['start', '--severity', 'SEV-9', '--service', 'x', '--summary', 'y']),
      2,
      /^error: severity: /,
    );
    assertOneLineError(
      await cli(['rollback', 'widget', '--mode', 'revert']),
      2,
      /badCommit: mode revert needs/,
    );
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'policy: [\n  nope');
    assertOneLineError(await cli(['list'], { INCIDENT_CONFIG: broken }), 2, /broken\.yaml is not valid YAML/);
    const wrong = join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ alertRouting: { defaults: { severity: 'SEV-7' } } }));
    assertOneLineError(
      await cli(['status', opened.workflowId], { INCIDENT_CONFIG: wrong }),
      2,
      /alertRouting\.defaults\.severity/,
    );
    assertOneLineError(await cli(['list'], { TEMPORAL_ADDRESS: 'not-an-address' }), 2, /TEMPORAL_ADDRESS/);
  });

  it('runs the widget rollback procedure standalone and prints its steps', async () => {
    const repo = await createExampleRepo(dir, { breakKind: 'widget-build' }, 'rollback-repo');
    // A standalone rollback acts only on the configured target repository.
    const targetConfig = join(dir, 'rollback.config.json');
    await writeFile(
      targetConfig,
      JSON.stringify({
        incidentsDir: join(dir, 'incidents'),
        policy: POLICY,
        target: { repoPath: repo.path },
      }),
    );
    const run = await cli([
      '--config',
      targetConfig,
      'rollback',
      'widget',
      '--mode',
      'revert',
      '--bad-commit',
      repo.badSha!,
      '--repo',
      repo.path,
      '--incident',
      'INCIDENT-20261127-120000-cli1',
      '--json',
    ]);
    const result = json<{
      ok: boolean;
      workflowId: string;
      steps: { step: string; status: string }[];
      url: string;
    }>(run);
    assert.equal(result.ok, true, JSON.stringify(result.steps));
    assert.equal(result.workflowId, 'rollback-widget-INCIDENT-20261127-120000-cli1');
    assert.ok(result.steps.length > 0);
    assert.match(result.url, /rollback-widget-INCIDENT-20261127-120000-cli1$/);
    assert.equal((await revertsOf(repo.path, repo.badSha!)).length, 1, 'exactly one revert');
    assert.notEqual(await gitIn(repo.path, 'rev-parse', 'HEAD'), repo.badSha);
  });

  it('has --help with an example on every verb', async () => {
    const verbs = [
      'start',
      'list',
      'status',
      'watch',
      'ack',
      'approve',
      'reject',
      'resolve',
      'review',
      'report',
      'rollback',
    ];
    for (const verb of verbs) {
      const run = await cli([verb, '--help']);
      assert.equal(run.code, 0, `${verb} --help exits 0`);
      assert.match(run.stdout, /Example/, `${verb} --help has an example`);
      assert.match(run.stdout, /--json/, `${verb} takes --json`);
    }
  });
});
