/**
 * Values built once per process (per worker thread for workflow code) and shared from then on.
 *
 * Why: the worker runs every incident in one reused V8 context, but gives each workflow its own
 * instances of the bundle's modules, so module-level zod schemas were built again for every new
 * or evicted incident: the largest part of a new incident's first workflow task
 * (docs/benchmarks.md, "What one new incident costs the workflow thread"). This module is in the
 * bundle's `preloadModules` (src/worker/workflow-bundle-options.ts), so its one map is shared by
 * all workflows of a worker thread.
 *
 * Only for values that are pure functions of the code (schemas), never for workflow state: what
 * is stored here is seen by every incident. It imports nothing on purpose: a preloaded module's
 * dependencies are preloaded too, and the SDK deep-freezes every preloaded export, which zod's
 * own exported regular expressions do not survive (its checks reset `lastIndex`). The values
 * kept here are in this module's closure, not its exports, so they are not frozen.
 */
const built = new Map<string, unknown>();

/** `build()` the first time `key` is asked for, the same value every later time. */
export function buildOnce<T>(key: string, build: () => T): T {
  if (built.has(key)) return built.get(key) as T;
  const value = build();
  built.set(key, value);
  return value;
}
