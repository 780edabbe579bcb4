import { join } from 'node:path';
import { PROJECT_ROOT } from '../temporal/binaries';

// Resolved here, not by the child, so the engine starts from any working directory.
const TSX_LOADER = import.meta.resolve('tsx');

/**
 * The argv that runs one of the engine's processes, the way `npm start` runs them today: Node
 * with tsx's loader on the TypeScript entry. This is the one place to switch to the compiled
 * entry (`dist/<entry>/main.js`, no loader) once `npm run build` exists.
 */
export function engineCommand(entry: 'worker' | 'api'): string[] {
  return [process.execPath, '--import', TSX_LOADER, join(PROJECT_ROOT, 'src', entry, 'main.ts')];
}
