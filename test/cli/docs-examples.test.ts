import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { API_TOKEN, type ApiHarness, startApiHarness } from '../api/harness';
import { tempDir } from '../helpers/temporal';
import { type CliRun, runCli } from './run-cli';

/** The fenced ```bash blocks of a Markdown file, with `\` line continuations joined. */
async function bashBlocks(file: string): Promise<string[]> {
  const text = await readFile(join(PROJECT_ROOT, file), 'utf8');
  return [...text.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ''));
}

/** Splits a command line the way a POSIX shell does for plain words and '...' / "..." quoting. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** A curl example as method, URL, headers and body (only the flags the docs use). */
function parseCurl(line: string): { method: string; url: string; headers: Headers; body?: string } {
  const args = words(line);
  assert.equal(args.shift(), 'curl');
  let method = 'GET';
  let url = '';
  let body: string | undefined;
  const headers = new Headers();
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '-X') method = args.shift()!;
    else if (arg === '-H') {
      const [name, ...value] = args.shift()!.split(':');
      headers.set(name!.trim(), value.join(':').trim());
    } else if (arg === '-d') {
      body = args.shift()!;
      if (method === 'GET') method = 'POST';
    } else if (!arg.startsWith('-')) url = arg;
  }
  return { method, url, headers, ...(body === undefined ? {} : { body }) };
}

/**
 * The examples in docs/cli.md and the resolve examples in docs/api.md, run for real against a dev
 * server, a worker and the API: each CLI line exits 0, each request answers 2xx. A command the
 * workflow refuses only because it is early (exit 4 or the report not written yet) is retried for
 * up to 30 s, the way a person waits for the stage; a refusal that lasts fails the test.
 */
describe('the documented examples, run as written', () => {
  let h: ApiHarness;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;

  before(async () => {
    h = await startApiHarness('docs-examples');
    dir = await tempDir('incident-docs-');
    const configPath = join(dir.path, 'incident.config.json');
    await writeFile(configPath, JSON.stringify({ incidentsDir: h.config.incidentsDir }));
    env = {
      TEMPORAL_ADDRESS: h.temporal.address,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      INCIDENT_CONFIG: configPath,
    };
  });
  after(async () => {
    await h?.close();
    await dir?.cleanup();
  });

  /** Runs one documented CLI line until it exits 0 (retrying early refusals), returns the run. */
  async function runUntilOk(line: string, id: string): Promise<CliRun> {
    const args = words(line.replaceAll('<incident-id>', id));
    assert.equal(args.shift(), 'incident', line);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const run = await runCli(dir.path, args, env);
      if (run.code === 0) return run;
      const early = run.code === 4 || (run.code === 1 && /no report/.test(run.stderr));
      if (!early || Date.now() > deadline) assert.fail(`"${line}" exited ${run.code}: ${run.stderr.trim()}`);
      await sleep(500);
    }
  }

  it('runs every `incident` line of docs/cli.md in order, each exiting 0', { timeout: 240_000 }, async () => {
    const lines = (await bashBlocks('docs/cli.md'))
      .flatMap((block) => block.split('\n'))
      .map((l) => l.trim())
      .filter((l) => l.startsWith('incident '));
    assert.ok(
      lines.some((l) => l.startsWith('incident resolve ') && !l.includes('--fix')),
      'a resolve without a fix',
    );
    let id = '';
    for (const line of lines) {
      const run = await runUntilOk(line, id);
      if (line.startsWith('incident start '))
        id = (JSON.parse(run.stdout) as { incidentId: string }).incidentId;
      if (line.startsWith('incident status ') && /resolve/.test(lines[lines.indexOf(line) - 1] ?? ''))
        assert.match(run.stdout, /fix reference: pending/);
      if (line.startsWith('incident report ')) {
        assert.match(run.stdout, /\*\*Fix:\*\* commit `3f2a9c1`/);
        assert.doesNotMatch(run.stdout, /fix reference: pending/);
      }
    }
  });

  it(
    'sends the resolve and review requests of docs/api.md, each answered 2xx',
    { timeout: 120_000 },
    async () => {
      const requests = (await bashBlocks('docs/api.md'))
        .map((b) => b.trim())
        .filter((b) => b.startsWith('curl ') && /\/(resolve|review)"/.test(b))
        .map(parseCurl);
      assert.ok(
        requests.some((r) => r.url.endsWith('/resolve')),
        'docs/api.md has a resolve example',
      );
      const started = await runUntilOk(
        'incident start --severity SEV-4 --service api --summary "docs example over HTTP" --json',
        '',
      );
      const { incidentId } = JSON.parse(started.stdout) as { incidentId: string };
      await runUntilOk(`incident ack ${incidentId} --by @alice`, '');
      await runUntilOk(`incident workaround ${incidentId} --description "restarted by hand" --by @alice`, '');
      for (const request of requests) {
        const url = new URL(request.url.replace('<incident-id>', incidentId));
        request.headers.set(
          'authorization',
          request.headers.get('authorization')!.replace('$API_TOKEN', API_TOKEN),
        );
        const deadline = Date.now() + 30_000;
        for (;;) {
          const response = await fetch(`${h.base}${url.pathname}`, { ...request, headers: request.headers });
          const text = await response.text();
          if (response.ok) break;
          if (response.status !== 409 || Date.now() > deadline)
            assert.fail(`${request.method} ${url.pathname}: ${response.status} ${text}`);
          await sleep(500);
        }
      }
    },
  );
});
