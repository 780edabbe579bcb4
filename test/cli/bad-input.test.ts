import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const BIN = join(PROJECT_ROOT, 'bin/incident.js');
const SHA = 'a'.repeat(40);

interface Case {
  name: string;
  args: string[];
  /** Config file text (written to a file named `file`) for the run. */
  config?: { file: string; text: string };
  env?: Record<string, string>;
  reason: RegExp;
}

/**
 * Bad arguments and broken config files, each answered before the CLI talks to Temporal: one line
 * on stderr naming the problem, exit 2. Temporal is pointed at a closed port, so a case that
 * reached the server would exit 5 instead and fail.
 */
const CASES: Case[] = [
  { name: 'unknown verb', args: ['restart-everything'], reason: /unknown command 'restart-everything'/ },
  { name: 'unknown option', args: ['list', '--frobnicate'], reason: /unknown option '--frobnicate'/ },
  { name: 'missing argument', args: ['ack'], reason: /missing required argument 'id'/ },
  { name: 'too many arguments', args: ['ack', 'a', 'b'], reason: /too many arguments/ },
  {
    name: 'missing required option',
    args: ['start', '--severity', 'SEV-2', '--service', 'x'],
    reason: /required option '--summary/,
  },
  {
    name: 'bad severity',
    args: ['start', '--severity', 'SEV-0', '--service', 'x', '--summary', 'y'],
    reason: /severity/,
  },
  {
    name: 'hostile service name',
    args: ['start', '--severity', 'SEV-2', '--service', '$(rm -rf /)', '--summary', 'y'],
    reason: /service/,
  },
  {
    name: 'unknown mitigation option',
    args: ['approve', 'incident-x', '--option', 'reboot-prod', '--approver', '@jscraik'],
    reason: /option/,
  },
  {
    name: 'hostile approver',
    args: ['approve', 'incident-x', '--option', 'revert-last-change', '--approver', '-rf /'],
    reason: /approver/,
  },
  { name: 'hostile incident ID', args: ['status', '../../etc/passwd'], reason: /incident must be/ },
  { name: 'bad list limit', args: ['list', '--limit', 'many'], reason: /limit/ },
  { name: 'bad list severity', args: ['list', '--severity', 'urgent'], reason: /severity/ },
  {
    name: 'unknown rollback procedure',
    args: ['rollback', 'database', '--mode', 'revert'],
    reason: /procedure/,
  },
  {
    name: 'unknown rollback mode',
    args: ['rollback', 'widget', '--mode', 'yolo', '--bad-commit', SHA],
    reason: /mode/,
  },
  {
    name: 'a range as the commit to revert',
    args: ['rollback', 'widget', '--mode', 'revert', '--bad-commit', 'abc123..HEAD'],
    reason: /badCommit: "abc123\.\.HEAD" contains "\.\."/,
  },
  {
    name: 'a rollback with no target repository configured',
    args: ['rollback', 'mcp', '--mode', 'revert', '--bad-commit', 'abc123'],
    reason: /no target repository: set target\.repoPath/,
  },
  {
    name: 'a known-good ref git refuses',
    args: ['rollback', 'mcp', '--mode', 'checkout', '--known-good', 'v1.0.0.lock'],
    reason: /knownGood: must be a commit SHA or tag: has a component ending with "\.lock"/,
  },
  {
    name: 'option injection as a known-good ref',
    args: ['rollback', 'mcp', '--mode', 'checkout', '--known-good', '--upload-pack=evil'],
    reason: /known-good|knownGood/,
  },
  {
    name: 'config file that does not exist',
    args: ['list'],
    env: { INCIDENT_CONFIG: '/nonexistent/incident.config.yaml' },
    reason: /Cannot read config file \/nonexistent\/incident\.config\.yaml/,
  },
  {
    name: 'invalid YAML',
    args: ['list'],
    config: { file: 'bad.yaml', text: 'policy:\n  ackDeadlines: {SEV-1: "15 minutes"\n  oops: [' },
    reason: /bad\.yaml is not valid YAML/,
  },
  {
    name: 'invalid JSON',
    args: ['list'],
    config: { file: 'bad.json', text: '{"policy": {"ackDeadlines": }' },
    reason: /bad\.json is not valid JSON/,
  },
  {
    name: 'unknown top-level field',
    args: ['list'],
    config: { file: 'unknown.yaml', text: 'incidentsDir: incidents\ntargets:\n  repoPath: /srv/app\n' },
    reason: /Unrecognized key.*"targets"|targets/,
  },
  {
    name: 'unknown nested field',
    args: ['list'],
    config: { file: 'nested.yaml', text: 'policy:\n  ackDeadline:\n    SEV-1: 5 minutes\n' },
    reason: /policy.*ackDeadline/,
  },
  {
    name: 'wrong type for a number',
    args: ['list'],
    config: { file: 'type.yaml', text: 'target:\n  services:\n    mcp:\n      port: "eighty"\n' },
    reason: /target\.services\.mcp\.port/,
  },
  {
    name: 'wrong type for a duration',
    args: ['list'],
    config: { file: 'duration.json', text: JSON.stringify({ policy: { escalationInterval: 'soonish' } }) },
    reason: /policy\.escalationInterval: must be a duration/,
  },
  {
    name: 'wrong type for a command',
    args: ['list'],
    config: {
      file: 'argv.json',
      text: JSON.stringify({ target: { runbook: { build: { argv: 'pnpm build' } } } }),
    },
    reason: /target\.runbook\.build\.argv/,
  },
  {
    name: 'a list where a map belongs',
    args: ['list'],
    config: { file: 'list.yaml', text: '- policy\n- target\n' },
    reason: /\(top level\)|expected object/,
  },
  {
    name: '--config naming a broken file',
    args: ['list', '--config', 'flag.yaml'],
    config: { file: 'flag.yaml', text: 'policy: {approvalDeadline: -5}\n' },
    reason: /policy\.approvalDeadline/,
  },
  {
    name: 'bad TEMPORAL_ADDRESS',
    args: ['list'],
    env: { TEMPORAL_ADDRESS: 'http://temporal:7233/' },
    reason: /TEMPORAL_ADDRESS: must be host:port/,
  },
];

function cli(cwd: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd,
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NO_COLOR: '1',
          TEMPORAL_ADDRESS: '127.0.0.1:1',
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the CLI with bad arguments and broken config files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'incident-cli-bad-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`answers each of ${CASES.length} bad invocations with one line naming the problem and exit 2`, async () => {
    const results: string[] = [];
    // Four at a time: each is a Node process starting tsx.
    for (let i = 0; i < CASES.length; i += 4) {
      await Promise.all(
        CASES.slice(i, i + 4).map(async (c) => {
          const env = { ...c.env };
          if (c.config) {
            const path = join(dir, c.config.file);
            await writeFile(path, c.config.text);
            if (!c.args.includes('--config')) env.INCIDENT_CONFIG = path;
          }
          const run = await cli(dir, c.args, env);
          const lines = run.stderr.trimEnd().split('\n');
          if (run.code !== 2) results.push(`${c.name}: exit ${run.code}, stderr ${run.stderr}`);
          else if (lines.length !== 1) results.push(`${c.name}: ${lines.length} lines:\n${run.stderr}`);
          else if (!c.reason.test(lines[0]!))
            results.push(`${c.name}: "${lines[0]}" does not match ${c.reason}`);
        }),
      );
    }
    assert.deepEqual(results, []);
  });
});
