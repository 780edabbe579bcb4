import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { PROJECT_ROOT } from '../temporal/binaries';
import { freshPrebuiltBundle, readPrebuiltBundle } from './prebuilt-bundle';
import { workflowBundleOptions, workflowSourceKey } from './workflow-bundle-options';

export { WORKFLOWS_PATH } from './workflow-bundle-options';

const CACHE_DIR = join(PROJECT_ROOT, '.cache', 'workflow-bundles');

/**
 * Compiled (this module is dist/worker/workflow-bundle.js), the worker is a production build: its
 * bundle is the one built beside it, and nothing is bundled or written at start.
 */
const COMPILED = import.meta.url.endsWith('.js');
const PREBUILT_DIR = COMPILED ? fileURLToPath(new URL('..', import.meta.url)) : join(PROJECT_ROOT, 'dist');

/**
 * Bundling the workflow code takes seconds of CPU; every test file and every worker start would
 * pay it. The bundle is cached under .cache/ by a content hash of the sources, written through a
 * temp file and a rename so concurrent test processes never read half a file.
 */
async function buildOrReuse(traced: boolean, key: string): Promise<WorkflowBundle> {
  const file = join(CACHE_DIR, `${key}.js`);
  try {
    return { code: await readFile(file, 'utf8') };
  } catch {
    // not cached yet
  }
  const bundle = await bundleWorkflowCode(workflowBundleOptions(traced));
  await mkdir(CACHE_DIR, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, bundle.code);
  await rename(temp, file);
  await pruneCache(file);
  return { code: bundle.code };
}

/** Keeps the newest few bundles: every edit of src/ makes a new key, and old ones are never read again. */
async function pruneCache(keep: string, max = 8): Promise<void> {
  const files = (await readdir(CACHE_DIR))
    .filter((name) => name.endsWith('.js'))
    .map((name) => join(CACHE_DIR, name));
  const dated = await Promise.all(
    files.map(async (path) => ({ path, mtime: (await stat(path).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  const old = dated.sort((a, b) => b.mtime - a.mtime).slice(max);
  await Promise.all(old.filter(({ path }) => path !== keep).map(({ path }) => rm(path, { force: true })));
}

/** A production worker uses what was built, and says how to build it when nothing was. */
async function prebuiltOnly(traced: boolean): Promise<WorkflowBundle> {
  const prebuilt = await readPrebuiltBundle(PREBUILT_DIR, traced);
  if (!prebuilt)
    throw new Error(
      `no prebuilt workflow bundle in ${PREBUILT_DIR} (fix: run \`npm run build\`, or run the worker from source with \`npm run worker\`)`,
    );
  return { code: await readFile(prebuilt.codePath, 'utf8') };
}

/**
 * Development: the prebuilt bundle when it was built from exactly these sources (same key), else
 * the cached or freshly built one. A stale dist/ is never used for workflow code from source.
 */
async function freshBundle(traced: boolean): Promise<WorkflowBundle> {
  const key = await workflowSourceKey(traced);
  const prebuilt = await freshPrebuiltBundle(PREBUILT_DIR, traced, key);
  if (prebuilt) return { code: await readFile(prebuilt, 'utf8') };
  return buildOrReuse(traced, key);
}

const bundles = new Map<boolean, Promise<WorkflowBundle>>();

/**
 * The workflow bundle, loaded or built at most once per process. `traced` adds the tracing
 * interceptors (workflow-bundle-options.ts): a second bundle with its own key.
 */
export function workflowBundle(options: { traced?: boolean } = {}): Promise<WorkflowBundle> {
  const traced = options.traced ?? false;
  let bundle = bundles.get(traced);
  if (!bundle) {
    bundle = COMPILED ? prebuiltOnly(traced) : freshBundle(traced);
    bundles.set(traced, bundle);
  }
  return bundle;
}
