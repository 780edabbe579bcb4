/**
 * What goes into a workflow bundle, decided once for both ways of making one: at worker start
 * (workflow-bundle.ts, development) and ahead of time (prebuilt-bundle.ts, `npm run build`). Both
 * call these functions, so the prebuilt bundle cannot drift from the one a dev worker builds.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type BundleOptions, Runtime } from '@temporalio/worker';
import { PROJECT_ROOT } from '../temporal/binaries';

/**
 * The workflows' source, from the project root rather than this module's folder: compiled, this
 * module lives in dist/worker/, where there are no workflow sources (only the prebuilt bundle).
 */
export const WORKFLOWS_PATH = join(PROJECT_ROOT, 'src', 'workflows', 'index.ts');

/**
 * The OpenTelemetry workflow interceptors (RunWorkflow, StartActivity, StartChildWorkflow spans).
 * A prebuilt bundle ignores WorkerOptions.interceptors.workflowModules (the SDK warns and drops
 * them), so the tracing plugin's module has to be bundled in here.
 */
const TRACING_WORKFLOW_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/**
 * Evaluated once in the worker's reused workflow context and shared by every workflow (the SDK's
 * `preloadModules`) rather than once per new or evicted incident: build-once.ts, the memo that
 * lets the zod schemas be built once per worker thread (see there for why and for what may go in).
 */
export const PRELOADED_MODULES = [join(PROJECT_ROOT, 'src', 'contracts', 'build-once.ts')];

const noop = () => undefined;
const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  // Looked up only when there is something to write: the Runtime logger is the process's pino
  // logger once installMetricsRuntime has run (at build time, the SDK's default one).
  warn: (message: string, meta?: Record<string, unknown>) => {
    Runtime.instance().logger.warn(message, meta);
  },
  error: (message: string, meta?: Record<string, unknown>) => {
    Runtime.instance().logger.error(message, meta);
  },
  log: noop,
};

/**
 * `traced` adds the tracing interceptors; it is a second bundle rather than always-on, because
 * those interceptors call the exporter sink that only a worker with tracing on registers.
 */
export function workflowBundleOptions(traced: boolean): BundleOptions {
  return {
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: traced ? [TRACING_WORKFLOW_INTERCEPTORS] : [],
    logger: quietLogger,
    preloadModules: PRELOADED_MODULES,
  };
}

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
 * (workflows import domain and config modules), the lockfile (library versions) and the options.
 * Paths are hashed relative to the project root, so a build made in one checkout (a Docker build
 * stage) is recognised in another.
 */
export async function workflowSourceKey(traced: boolean): Promise<string> {
  const hash = createHash('sha256');
  if (traced) hash.update('traced\0');
  for (const file of [
    ...(await listSources(join(PROJECT_ROOT, 'src'))),
    join(PROJECT_ROOT, 'package-lock.json'),
  ]) {
    hash
      .update(file.slice(PROJECT_ROOT.length))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
