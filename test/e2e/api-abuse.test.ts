import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevServer } from '../../src/temporal/dev-server';
import { PROJECT_ROOT, requireBinary } from '../../src/temporal/binaries';
import { freePort, groupAlive, spawnGroup, type Spawned, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';

const TOKEN = 'abuse-token-0123456789abcdef';
const REQUEST_TIMEOUT_MS = 3_000;

/** What a raw socket saw: the bytes the server answered, whether it closed, and when. */
interface RawOutcome {
  answer: string;
  closedAfterMs: number;
  /** Bytes of request body the client managed to hand to the socket before it closed. */
  bodyBytesWritten: number;
}

/**
 * Opens a socket, sends `head` and then feeds the body through `feed` until the server closes the
 * connection (or `limitMs` passes, which fails the caller's assertions).
 */
function rawRequest(
  port: number,
  head: string,
  feed: (socket: Socket, count: (n: number) => void, closed: () => boolean) => Promise<void>,
  limitMs = 30_000,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let written = 0;
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - started, bodyBytesWritten: written });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, limitMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', finish);
    socket.on('error', () => undefined); // EPIPE / ECONNRESET once the server hangs up: expected
    socket.once('connect', () => {
      socket.write(head);
      void feed(
        socket,
        (n) => (written += n),
        () => closed || socket.destroyed,
      ).catch(() => undefined);
    });
  });
}

/**
 * The API as production runs it (`node --import tsx src/api/main.ts`, its own process, env
 * settings only) against a real dev server, under abuse that a schema test cannot show: slow
 * senders, oversized streams and token guessing by timing.
 */
describe('API abuse against the API process', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: ChildProcess | undefined;
  let api: Spawned | undefined;
  let apiPort: number;

  before(async () => {
    dir = await tempDir('api-abuse-');
    const [port, uiPort] = [await freePort(), await freePort()];
    apiPort = await freePort();
    server = await startDevServer({
      cliPath: requireBinary('cli'),
      dbFile: join(dir.path, 'temporal.db'),
      port,
      uiPort,
      stdio: 'ignore',
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      API_TOKEN: TOKEN,
      API_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    };
    delete env.NODE_TEST_CONTEXT;
    const spawned = spawnGroup(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/api/main.ts')],
      { cwd: dir.path, env },
    );
    api = spawned;
    await waitFor(
      () => `the API to listen; output so far:\n${spawned.output()}`,
      () => {
        if (spawned.child.exitCode !== null) throw new Error(`API exited:\n${spawned.output()}`);
        return Promise.resolve(/listening on http/.test(spawned.output()));
      },
      60_000,
    );
  });
  after(async () => {
    const pid = api?.child.pid;
    if (pid !== undefined && groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    server?.kill('SIGKILL');
    await dir?.cleanup();
  });

  const post = (path: string, extra: string) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n` +
    `Content-Type: application/json\r\n${extra}\r\n`;

  it('answers a slowloris body with 408 and closes the connection within the configured timeout', async () => {
    // Declares 1000 bytes, then sends one every 200 ms: never idle, never finished.
    const outcome = await rawRequest(
      apiPort,
      post('/webhooks/generic', 'Content-Length: 1000\r\n'),
      async (socket, count, closed) => {
        while (!closed()) {
          socket.write('{');
          count(1);
          await sleep(200);
        }
      },
    );
    console.log(`# slowloris body: ${outcome.answer.split('\r\n')[0]} after ${outcome.closedAfterMs} ms`);
    assert.match(outcome.answer, /^HTTP\/1\.1 408/);
    assert.ok(outcome.closedAfterMs >= REQUEST_TIMEOUT_MS - 100, `${outcome.closedAfterMs} ms`);
    assert.ok(outcome.closedAfterMs <= REQUEST_TIMEOUT_MS + 2_500, `${outcome.closedAfterMs} ms`);
  });

  it('answers headers that never end with 408 within the configured timeout', async () => {
    const outcome = await rawRequest(
      apiPort,
      'POST /webhooks/generic HTTP/1.1\r\nHost: x\r\n',
      async (socket, _count, closed) => {
        for (let i = 0; !closed(); i++) {
          socket.write(`X-Slow-${i}: a\r\n`);
          await sleep(200);
        }
      },
    );
    console.log(`# slowloris headers: ${outcome.answer.split('\r\n')[0]} after ${outcome.closedAfterMs} ms`);
    assert.match(outcome.answer, /^HTTP\/1\.1 408/);
    assert.ok(outcome.closedAfterMs <= REQUEST_TIMEOUT_MS + 2_500, `${outcome.closedAfterMs} ms`);
  });

  for (const framing of ['chunked', 'content-length'] as const) {
    it(`answers a 50 MB streamed body (${framing}) with 413, closes the connection and stops reading`, async () => {
      const total = 50 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const head = post(
        '/webhooks/generic',
        framing === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${total}\r\n`,
      );
      const outcome = await rawRequest(apiPort, head, async (socket, count, closed) => {
        let sent = 0;
        while (sent < total && !closed()) {
          const framed =
            framing === 'chunked'
              ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
              : chunk;
          // Wait for the socket to drain, so "written" is what the kernel accepted, not what we queued.
          if (!socket.write(framed))
            await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
          sent += chunk.length;
          count(chunk.length);
        }
      });
      const mb = (outcome.bodyBytesWritten / 1024 / 1024).toFixed(1);
      console.log(
        `# 50 MB ${framing}: ${outcome.answer.split('\r\n')[0]}, closed after ${outcome.closedAfterMs} ms, ${mb} MB written`,
      );
      assert.match(outcome.answer, /^HTTP\/1\.1 413/);
      // The limit is 256 KiB; socket buffers on both sides hold a few MB more at most.
      assert.ok(outcome.bodyBytesWritten < 16 * 1024 * 1024, `the server kept reading: ${mb} MB written`);
      assert.ok(outcome.closedAfterMs < 10_000, 'the connection was closed, not left open');
    });
  }

  it('takes as long to refuse a guess sharing no leading characters as one sharing all but the last', async () => {
    /*
     * Honest limits: a naive early-exit `===` differs by nanoseconds per matching character, far
     * below the tens of microseconds a loopback request varies by, so this cannot catch it (the
     * unit test in test/api/guards.test.ts asserts crypto.timingSafeEqual on equal-length digests
     * instead). It catches gross leaks (a per-character delay of tens of microseconds or a
     * length-dependent path), and prints the medians. Guesses are interleaved so load from other
     * processes falls on both alike.
     */
    const far = 'Z'.repeat(TOKEN.length);
    const near = `${TOKEN.slice(0, -1)}${TOKEN.endsWith('X') ? 'Y' : 'X'}`;
    const url = `http://127.0.0.1:${apiPort}/incidents`;
    const time = async (guess: string) => {
      const t0 = process.hrtime.bigint();
      const response = await fetch(url, { headers: { authorization: `Bearer ${guess}` } });
      await response.arrayBuffer();
      assert.equal(response.status, 401);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    for (let i = 0; i < 100; i++) await time(i % 2 ? far : near); // warm up the connection and JIT
    const samples = { far: [] as number[], near: [] as number[] };
    for (let i = 0; i < 1_500; i++) {
      const [first, second] = i % 2 ? (['far', 'near'] as const) : (['near', 'far'] as const);
      samples[first].push(await time(first === 'far' ? far : near));
      samples[second].push(await time(second === 'far' ? far : near));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const [mFar, mNear] = [median(samples.far), median(samples.near)];
    const difference = Math.abs(mFar - mNear);
    console.log(
      `# wrong token, median of 1500 each: 0 leading chars shared ${(mFar * 1000).toFixed(0)} µs, ` +
        `all but one ${(mNear * 1000).toFixed(0)} µs, difference ${(difference * 1000).toFixed(0)} µs`,
    );
    assert.ok(difference < Math.max(0.2, 0.2 * Math.max(mFar, mNear)), `medians differ by ${difference} ms`);
  });
});
