import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { RollbackResult } from '../../src/contracts/rollback';
import { createExampleRepo, type ExampleRepo, revertsOf } from '../helpers/example-repo';
import { type Engine, startEngine } from '../helpers/engine-processes';
import { healthy, orphansInside, stopService } from '../helpers/e2e-target';
import { freePort, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/temporal';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with TEST_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SEED = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : randomInt(1, 2 ** 31);

/**
 * The worker SIGKILLed at random instants (not at chosen steps) during a full rollback started
 * with `incident rollback full`, every process separate as in production. A seeded PRNG picks
 * 3 or 4 kills, each a random 0.3-3.8 s after the previous worker came up; the seed is printed
 * (`TEST_SEED=<seed>` replays the plan). Whatever step a kill lands in, the rollback must end with
 * exactly one revert commit, a healthy MCP server and no process left in the clone.
 */
describe('worker SIGKILLed at random instants across a full rollback (seeded)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  let repo: ExampleRepo;
  let mcpPort: number;

  before(async () => {
    console.log(`# worker-kill-random seed ${SEED} (rerun: TEST_SEED=${SEED})`);
    dir = await tempDir('e2e-kill-random-');
    const root = await realpath(dir.path);
    mcpPort = await freePort();
    repo = await createExampleRepo(root, { breakKind: 'mcp-contract' }, 'full-repo');
    engine = await startEngine(root, {
      incidentsDir: join(root, 'incidents'),
      target: {
        repoPath: repo.path,
        services: { mcp: { port: mcpPort, startTimeoutMs: 20_000, stopGraceMs: 2_000 } },
      },
    });
  });
  after(async () => {
    await engine?.close();
    if (repo) await stopService(repo.path).catch(() => undefined);
    await dir?.cleanup();
  });

  it(
    `ends with one revert, a healthy service and no orphans (seed ${SEED})`,
    { timeout: 240_000 },
    async () => {
      const random = prng(SEED);
      const plan = Array.from(
        { length: 3 + (random() < 0.5 ? 1 : 0) },
        () => 300 + Math.round(random() * 3_500),
      );
      console.log(`# kill plan (ms after each worker start): ${plan.join(', ')}`);
      const connection = await Connection.connect({ address: engine.address });
      try {
        const client = new Client({ connection });
        const { workflowId } = await engine.cliJson<{ workflowId: string }>(
          'rollback',
          'full',
          '--mode',
          'revert',
          '--bad-commit',
          repo.badSha!,
          '--incident',
          `E2E-RANDOM-${SEED}`,
          '--no-wait',
        );
        const handle = client.workflow.getHandle(workflowId);
        const kills: string[] = [];
        for (const delay of plan) {
          await sleep(delay);
          const description = await handle.describe();
          if (description.status.name !== 'RUNNING') break;
          const pending = description.raw.pendingActivities?.map((a) => a.activityType?.name).join('+');
          await engine.killWorker();
          kills.push(`${delay} ms (${pending || 'between steps'})`);
          await engine.startWorker();
        }
        console.log(`# kills made: ${kills.length} of ${plan.length}: ${kills.join(', ')}`);
        const result = (await Promise.race([
          handle.result(),
          sleep(150_000, undefined, { ref: false }).then(() => {
            throw new Error(`${workflowId} did not finish within 150 s (seed ${SEED})`);
          }),
        ])) as RollbackResult;
        assert.equal(result.ok, true, `seed ${SEED}: ${JSON.stringify(result.steps, null, 2)}`);
        assert.ok(kills.length >= 1, `seed ${SEED}: at least one kill landed while the rollback ran`);
        assert.equal(
          (await revertsOf(repo.path, repo.badSha!)).length,
          1,
          `seed ${SEED}: exactly one revert`,
        );
        assert.ok(await healthy(mcpPort), `seed ${SEED}: the MCP server answers its health check`);
        await waitFor(
          () => `no process left in ${repo.path}`,
          async () => (await orphansInside(repo.path)).length === 0,
          10_000,
        ).catch(async () => assert.deepEqual(await orphansInside(repo.path), [], `seed ${SEED}: orphans`));
      } finally {
        await connection.close();
      }
    },
  );
});
