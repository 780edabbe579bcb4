/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRepoLockActivities, lockPathOf } from '../../src/activities/target/repo-lock';
import { createExampleRepo } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repo-lock-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const owner = (n: number) => ({
  workflowId: `rollback-widget-INC-${n}`,
  runId: `run-${n}`,
  incidentId: `INC-${n}`,
});

describe('repository lock', () => {
  it('lets one incident hold the repository; the other waits with RepoLocked until release', async () => {
    const repo = await createExampleRepo(dir, {}, 'lock');
    const acts = createRepoLockActivities(runbookDeps(dir, repo.path, 1));
    const env = quietActivityEnv();
    const first = await env.run(acts.acquireRepoLock, { owner: owner(1) });
    assert.equal(
      (await env.run(acts.acquireRepoLock, { owner: owner(1) })).acquiredAt,
      first.acquiredAt,
      'a retry is a no-op',
    );
    await assert.rejects(
      env.run(acts.acquireRepoLock, { owner: owner(2) }),
      (error: Error & { type?: string; nonRetryable?: boolean }) =>
        error.type === 'RepoLocked' && error.nonRetryable === false && /INC-1/.test(error.message),
    );
    assert.equal(await env.run(acts.releaseRepoLock, { owner: owner(2) }), false, 'only the owner releases');
    assert.equal(await env.run(acts.releaseRepoLock, { owner: owner(1) }), true);
    assert.equal(
      await env.run(acts.releaseRepoLock, { owner: owner(1) }),
      false,
      'a second release is a no-op',
    );
    await env.run(acts.acquireRepoLock, { owner: owner(2) });
    assert.match(await readFile(await lockPathOf(repo.path), 'utf8'), /INC-2/);
  });

  it('takes over a lock older than lockStaleAfterMs when its owner cannot be asked', async () => {
    const repo = await createExampleRepo(dir, {}, 'stale');
    const lines: string[] = [];
    const acts = createRepoLockActivities(runbookDeps(dir, repo.path, 1, { lockStaleAfterMs: 1_000 }, lines));
    await writeFile(
      await lockPathOf(repo.path),
      JSON.stringify({ ...owner(3), acquiredAt: new Date(Date.now() - 60_000).toISOString(), host: 'gone' }),
    );
    const result = await quietActivityEnv().run(acts.acquireRepoLock, { owner: owner(4) });
    assert.equal(result.tookOverFrom?.incidentId, 'INC-3');
    assert.match(lines.join('\n'), /stale/);
  });
});
