/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCiActivities } from '../../src/activities/target/ci';
import { createExampleRepo } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

let dir: string;
let repoPath: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ci-cancel-'));
  repoPath = (await createExampleRepo(dir)).path;
});
after(() => rm(dir, { recursive: true, force: true }));

describe('cancelling a stuck CI job', () => {
  it('runs the configured cancel command with the run ID as one argument, twice without harm', async () => {
    const argv = ['node', '-e', 'console.log(`cancelled run ${process.argv[1]}`)', '{runId}'];
    const acts = createCiActivities(runbookDeps(dir, repoPath, 1, { ciCancel: { argv } }));
    const env = quietActivityEnv();
    assert.match(
      (await env.run(acts.cancelCiJob, { incidentId: 'INC-CI1', runId: '123456789' })).tail,
      /cancelled run 123456789/,
    );
    assert.match(
      (await env.run(acts.cancelCiJob, { incidentId: 'INC-CI1', runId: '123456789' })).tail,
      /cancelled run 123456789/,
    );
  });

  it('refuses a run ID that is not a plain token, and says when no cancel command is configured', async () => {
    const withCommand = createCiActivities(
      runbookDeps(dir, repoPath, 1, { ciCancel: { argv: ['gh', 'run', 'cancel', '{runId}'] } }),
    );
    await assert.rejects(
      quietActivityEnv().run(withCommand.cancelCiJob, { incidentId: 'INC-CI2', runId: '1;rm -rf /' }),
      {
        type: 'UnsafeInput',
      },
    );
    const without = createCiActivities(runbookDeps(dir, repoPath, 1));
    await assert.rejects(
      quietActivityEnv().run(without.cancelCiJob, { incidentId: 'INC-CI2', runId: '42' }),
      {
        type: 'NotConfigured',
      },
    );
  });
});
