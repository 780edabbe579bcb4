import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freshPrebuiltBundle, MANIFEST_FILE, readPrebuiltBundle } from '../../src/worker/prebuilt-bundle';
import { workflowSourceKey } from '../../src/worker/workflow-bundle-options';
import { tempDir } from '../helpers/temporal';

describe('prebuilt workflow bundles', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  const buildDir = async (plainKey: string, tracedKey: string) => {
    const dir = await tempDir('prebuilt-');
    cleanups.push(dir.cleanup);
    const manifest = {
      builtAt: new Date().toISOString(),
      bundles: {
        plain: { file: 'workflow-bundle.js', sourceKey: plainKey },
        traced: { file: 'workflow-bundle.traced.js', sourceKey: tracedKey },
      },
    };
    await writeFile(join(dir.path, MANIFEST_FILE), JSON.stringify(manifest));
    return dir.path;
  };

  it('gives a development worker the prebuilt bundle only when it was built from the current sources', async () => {
    const [plain, traced] = [await workflowSourceKey(false), await workflowSourceKey(true)];
    assert.notEqual(plain, traced, 'the traced bundle has its own key');
    const fresh = await buildDir(plain, traced);
    assert.equal(await freshPrebuiltBundle(fresh, false, plain), join(fresh, 'workflow-bundle.js'));
    assert.equal(await freshPrebuiltBundle(fresh, true, traced), join(fresh, 'workflow-bundle.traced.js'));
    const stale = await buildDir('0000000000000000', traced);
    assert.equal(await freshPrebuiltBundle(stale, false, plain), undefined, 'stale: bundle again');
  });

  it('reports no build when the folder has no manifest', async () => {
    const empty = await tempDir('prebuilt-empty-');
    cleanups.push(empty.cleanup);
    assert.equal(await readPrebuiltBundle(empty.path, false), undefined);
  });
});
