import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { buildOnce } from '../../src/contracts/build-once';
import { incidentInputSchema } from '../../src/contracts/incident';
import { policySchema } from '../../src/contracts/policy';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { workflowBundle } from '../../src/worker/workflow-bundle';
import { PRELOADED_MODULES } from '../../src/worker/workflow-bundle-options';

describe('modules preloaded into the reused workflow context', () => {
  it('are what the bundle preloads, build-once.ts among them', async () => {
    assert.ok(PRELOADED_MODULES.some((path) => path.endsWith('/src/contracts/build-once.ts')));
    const { code } = await workflowBundle();
    const body = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1];
    assert.ok(body !== undefined, 'the bundle has a preloadModules function');
    const ids = [...body.matchAll(/"([^"]+)"\);/g)].map((m) => m[1]);
    assert.deepEqual(
      ids,
      PRELOADED_MODULES.map((path) => `./${relative(PROJECT_ROOT, path)}`),
    );
  });

  it('import nothing at run time: every dependency would be preloaded and deep-frozen too', async () => {
    for (const path of PRELOADED_MODULES) {
      const source = await readFile(path, 'utf8');
      const runtimeImports = source
        .split('\n')
        .filter((line) => /^\s*(import|export .* from)\s/.test(line) && !/^\s*import type\s/.test(line));
      assert.deepEqual(runtimeImports, [], `${relative(PROJECT_ROOT, path)} imports nothing`);
    }
  });

  it('keep one value per key, built on first use', () => {
    let builds = 0;
    const key = `test-${Math.random()}`;
    const first = buildOnce(key, () => ({ n: ++builds }));
    const second = buildOnce(key, () => ({ n: ++builds }));
    assert.equal(first, second);
    assert.equal(builds, 1);
  });

  it('hold the incident and policy schemas, so importing their modules again builds nothing', () => {
    assert.equal(
      buildOnce('incident-input-schema', () => assert.fail('built twice')),
      incidentInputSchema,
    );
    assert.equal(
      buildOnce('policy-schema', () => assert.fail('built twice')),
      policySchema,
    );
  });
});
