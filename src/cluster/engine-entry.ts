import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../temporal/binaries';

/** True when this module runs compiled (dist/cluster/engine-entry.js), as start.ts decides it. */
const COMPILED = import.meta.url.endsWith('.js');

/**
 * The argv that runs one of the engine's processes. Compiled, the entries beside this one on plain
 * node (`dist/<entry>/main.js`, the prebuilt workflow bundle, nothing written at start); from
 * source, Node with tsx's loader on the TypeScript entry, resolved here, not by the child, so the
 * engine starts from any working directory.
 */
export function engineCommand(entry: 'worker' | 'api'): string[] {
  return COMPILED
    ? [process.execPath, fileURLToPath(new URL(`../${entry}/main.js`, import.meta.url))]
    : [process.execPath, '--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src', entry, 'main.ts')];
}
