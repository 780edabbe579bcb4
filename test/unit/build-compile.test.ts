import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { compileSources } from '../../scripts/build/compile';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const run = promisify(execFile);

/**
 * The source imports relative modules without extensions, which Node's ESM loader refuses; the
 * build must write each as the `.js` file it resolves to. Under .cache/ so that package imports
 * resolve to this project's node_modules, as dist/ does.
 */
describe('compileSources', () => {
  const root = join(PROJECT_ROOT, '.cache', `compile-test-${process.pid}`);
  after(() => rm(root, { recursive: true, force: true }));

  it('rewrites extensionless relative imports, folder imports and package subpaths so plain node runs the output', async () => {
    const src = join(root, 'src');
    await mkdir(join(src, 'lib'), { recursive: true });
    await writeFile(
      join(src, 'main.ts'),
      [
        "import { twice } from './twice';",
        "import { name } from './lib';",
        "import type { Duration } from '@temporalio/common';",
        "import { RUN_ID_ATTR_KEY } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';",
        "const wait: Duration = '1 second';",
        'console.log(twice(21), name, typeof RUN_ID_ATTR_KEY, wait);',
      ].join('\n'),
    );
    await writeFile(join(src, 'twice.ts'), 'export const twice = (n: number): number => n * 2;\n');
    await writeFile(join(src, 'lib', 'index.ts'), "export const name: string = 'lib';\n");
    assert.equal(await compileSources(src, join(root, 'dist')), 3);
    const main = await readFile(join(root, 'dist', 'main.js'), 'utf8');
    assert.match(main, /from "\.\/twice\.js"/);
    assert.match(main, /from "\.\/lib\/index\.js"/);
    assert.match(main, /@temporalio\/interceptors-opentelemetry\/lib\/instrumentation\.js/);
    const { stdout } = await run(process.execPath, [join(root, 'dist', 'main.js')]);
    assert.equal(stdout.trim(), '42 lib string 1 second');
  });
});
