/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActivityDeps } from '../../src/activities/deps';
import { clonePathOf, createDrillActivities } from '../../src/activities/target/drill';
import { loadConfigOrSandbox } from '../../src/config/default-target';
import { loadEngineConfig } from '../../src/config/engine-config';
import { gitIn } from '../helpers/example-repo';
import { quietActivityEnv } from '../helpers/runbook-deps';

let dir: string;
const drillId = `sandbox-drill-${process.pid}`;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'default-target-drill-'));
});
after(async () => {
  await rm(join(clonePathOf(drillId, 'widget'), '..'), { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

const depsOf = (config: ActivityDeps['config']): ActivityDeps => ({
  config,
  incidentsDir: join(dir, 'incidents'),
  log: () => undefined,
  now: () => new Date(),
});

describe('a drill with no config', () => {
  it('clones the sandbox target at v1.0.0 instead of failing "no repository to drill"', async () => {
    const cwd = join(dir, 'fresh-install');
    await mkdir(cwd);
    // What the worker loaded before: the bare defaults, with no repository.
    const bare = createDrillActivities(depsOf(await loadEngineConfig(undefined, cwd)));
    await assert.rejects(
      quietActivityEnv().run(bare.prepareDrillClone, { drillId, procedure: 'widget' }),
      /no repository to drill/,
    );
    const { config } = await loadConfigOrSandbox(undefined, '.data', cwd);
    const acts = createDrillActivities(depsOf(config));
    const clone = await quietActivityEnv().run(acts.prepareDrillClone, { drillId, procedure: 'widget' });
    assert.equal(
      await gitIn(clone.clonePath, 'rev-parse', 'HEAD~1'),
      await gitIn(join(cwd, '.data', 'sandbox', 'mcp-widgets-service'), 'rev-parse', 'v1.0.0^{commit}'),
    );
  });
});
