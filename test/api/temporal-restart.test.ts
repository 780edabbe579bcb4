import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { parseEngineConfig } from '../../src/config/engine-config';
import { loadEnv } from '../../src/config/env';
import { startDevServer } from '../../src/temporal/dev-server';
import { requireBinary } from '../../src/temporal/binaries';
import { connectClient } from '../../src/temporal/connection';
import { freePort, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';
import { API_TOKEN } from './harness';

/**
 * The API's own client (src/temporal/connection.ts, as src/api/main.ts builds it) across a
 * SIGKILL and restart of the dev server on the same SQLite file and port. Before the fix the
 * outside attack run saw /healthz answer 503 for about 10 s after the server was back (the CLI,
 * on a fresh connection, worked after 2.7 s); it must answer 200 within a few seconds of the
 * server answering, and say which dependency is down while it is.
 */
describe('API after a Temporal server restart', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(
    'says Temporal is the dependency down, and answers 200 again within 5 s of the server answering',
    {
      timeout: 180_000,
    },
    async () => {
      const dir = await tempDir('api-restart-');
      cleanups.push(dir.cleanup);
      const [port, uiPort] = [await freePort(), await freePort()];
      let server: ChildProcess | undefined;
      const start = async () => {
        server = await startDevServer(
          {
            cliPath: requireBinary('cli'),
            dbFile: join(dir.path, 'temporal.db'),
            port,
            uiPort,
            stdio: 'ignore',
          },
          60_000,
        );
      };
      const kill = async () => {
        const child = server!;
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGKILL');
        await exited;
      };
      cleanups.push(async () => server?.exitCode === null && (await kill()));
      await start();
      const env = loadEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, API_TOKEN });
      const client: Client = await connectClient(env);
      // gRPC's default reconnect backoff grows to 120 s; the API's client retries at least every second.
      const args = (client.connection as Connection).options.channelArgs as Record<string, number>;
      assert.ok(args['grpc.max_reconnect_backoff_ms']! <= 1_000, JSON.stringify(args));
      cleanups.push(() => client.connection.close());
      const app: FastifyInstance = await buildApi({ client, env, config: parseEngineConfig({}) });
      cleanups.push(() => app.close());
      await app.listen({ host: '127.0.0.1', port: 0 });
      const healthz = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/healthz`;
      assert.equal((await fetch(healthz)).status, 200);

      const figures: number[] = [];
      for (const downMs of [2_000, 15_000]) {
        await kill();
        let down: Response | undefined;
        await waitFor(
          () => 'a 503 from /healthz',
          async () => (down = await fetch(healthz)).status === 503,
          15_000,
        );
        const answer = (await down!.json()) as { ok: boolean; down?: string[]; temporal?: string };
        assert.equal(answer.ok, false);
        assert.deepEqual(answer.down, ['temporal'], JSON.stringify(answer));
        // Down a while, a monitor polling /healthz meanwhile, so gRPC's reconnect backoff
        // (1 s growing 1.6x per failed attempt, up to 120 s by default) has room to grow.
        const until = Date.now() + downMs;
        while (Date.now() < until) {
          assert.equal((await fetch(healthz)).status, 503);
          await new Promise((done) => setTimeout(done, 250));
        }
        await start(); // resolves once a fresh connection's health check says SERVING
        const serving = Date.now();
        await waitFor(
          () => '/healthz to answer 200',
          async () => (await fetch(healthz, { signal: AbortSignal.timeout(3_000) })).status === 200,
          60_000,
        );
        figures.push((Date.now() - serving) / 1000);
      }
      console.log(
        `# API back after a Temporal restart: ${figures.map((s) => `${s.toFixed(1)} s`).join(', ')}`,
      );
      for (const seconds of figures)
        assert.ok(seconds <= 5, `API back ${seconds} s after the server answered`);
    },
  );
});
