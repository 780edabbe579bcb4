import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { PROJECT_ROOT } from '../temporal/binaries';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const CACHE_DIR = join(PROJECT_ROOT, '.cache', 'workflow-bundles');

async function listSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? listSources(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]),
    ),
  );
  return nested.flat().sort();
}

/**
 * A key that changes whenever anything the bundle could include changes: every file under src/
 * (workflows import domain and config modules) and the lockfile (library versions).
 */
async function sourceKey(traced: boolean): Promise<string> {
  const hash = createHash('sha256');
  if (traced) hash.update('traced\0');
  for (const file of [
    ...(await listSources(join(PROJECT_ROOT, 'src'))),
    join(PROJECT_ROOT, 'package-lock.json'),
  ]) {
    hash
      .update(file)
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

const noop = () => undefined;
/**
 * The bundler's progress is noise; its warnings and errors go to the Runtime logger (the process's
 * pino logger once src/worker/runtime.ts installed it), looked up only when there is one to write.
 */
const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: (message: string, meta?: Record<string, unknown>) => {
    Runtime.instance().logger.warn(message, meta);
  },
  error: (message: string, meta?: Record<string, unknown>) => {
    Runtime.instance().logger.error(message, meta);
  },
  log: noop,
};

/**
 * Bundling the workflow code takes seconds of CPU; every test file and every worker start would
 * pay it. The bundle is cached under .cache/ by a content hash of the sources, written through a
 * temp file and a rename so concurrent test processes never read half a file.
 */
async function buildOrReuse(traced: boolean): Promise<WorkflowBundle> {
  const key = await sourceKey(traced);
  const file = join(CACHE_DIR, `${key}.js`);
  try {
    return { code: await readFile(file, 'utf8') };
  } catch {
    // not cached yet
  }
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: traced ? [TRACING_WORKFLOW_INTERCEPTORS] : [],
    logger: quietLogger,
  });
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

/**
 * The OpenTelemetry workflow interceptors (RunWorkflow, StartActivity, StartChildWorkflow spans).
 * A prebuilt bundle ignores WorkerOptions.interceptors.workflowModules (the SDK warns and drops
 * them), so the tracing plugin's module has to be bundled in here.
 */
const TRACING_WORKFLOW_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

const bundles = new Map<boolean, Promise<WorkflowBundle>>();

/**
 * The workflow bundle, built at most once per process and reused across processes. `traced` adds
 * the tracing interceptors; it is a second bundle (own cache key) rather than always-on, because
 * those interceptors call the exporter sink that only a worker with tracing on registers.
 */
export function workflowBundle(options: { traced?: boolean } = {}): Promise<WorkflowBundle> {
  const traced = options.traced ?? false;
  let bundle = bundles.get(traced);
  if (!bundle) {
    bundle = buildOrReuse(traced);
    bundles.set(traced, bundle);
  }
  return bundle;
}
