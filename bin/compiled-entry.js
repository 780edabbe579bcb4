// Which CLI the `incident` shim runs. Plain JavaScript (no tsx) and only fs/path/url: it runs on
// every call, before anything else is loaded.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written last by `npm run build` (scripts/build/build-project.ts): a complete build has it. */
const BUILD_STAMP = join(ROOT, 'dist', 'workflow-bundle.json');

/**
 * The newest modification time under `dir`, or 0 when it does not exist (an installed copy).
 * @param {string} dir
 */
function newestChange(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries)
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return newest;
}

/**
 * The compiled module `dist/<path>` when there is a build no older than src/, else undefined (run
 * the source through tsx). A dev checkout that edits src/ after a build gets its edits, not the
 * stale build; INCIDENT_FROM_SOURCE=1 forces the source.
 * @param {string} path
 * @returns {string | undefined}
 */
export function compiledEntry(path) {
  if (process.env.INCIDENT_FROM_SOURCE === '1') return undefined;
  let built;
  try {
    built = statSync(BUILD_STAMP).mtimeMs;
  } catch {
    return undefined;
  }
  return newestChange(join(ROOT, 'src')) > built ? undefined : join(ROOT, 'dist', path);
}
