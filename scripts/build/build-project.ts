/**
 * `npm run build`: the compiled engine in one folder. Modules first (compile.ts), the CLI bundle
 * (bundle-cli.ts), then the two
 * workflow bundles and their manifest (src/worker/prebuilt-bundle.ts); the manifest is written
 * last, so its presence means a complete build and its time stamp is the build's (bin/incident.js
 * compares it with src/ to tell a stale build).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { writePrebuiltBundles } from '../../src/worker/prebuilt-bundle';
import { bundleCli } from './bundle-cli';
import { compileSources } from './compile';

export const DEFAULT_OUT_DIR = join(PROJECT_ROOT, 'dist');

export interface BuildResult {
  outDir: string;
  modules: number;
  bundles: Record<string, { file: string; sourceKey: string }>;
}

export async function buildProject(outDir = DEFAULT_OUT_DIR): Promise<BuildResult> {
  // From scratch: a module deleted from src/ must not live on in dist/.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const modules = await compileSources(join(PROJECT_ROOT, 'src'), outDir);
  await bundleCli(join(PROJECT_ROOT, 'src'), outDir);
  const { bundles } = await writePrebuiltBundles(outDir);
  return { outDir, modules, bundles };
}
