/**
 * Workflow bundles built ahead of time (`npm run build`), as samples-typescript's `production`
 * sample does: a production worker loads one from disk instead of running webpack at start, and
 * needs neither the workflow sources nor a writable folder. Beside each bundle a manifest records
 * the source key (workflow-bundle-options.ts) it was built from, so a development worker can tell
 * a fresh prebuilt bundle from a stale one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions, workflowSourceKey } from './workflow-bundle-options';

export const MANIFEST_FILE = 'workflow-bundle.json';
const bundleFile = (traced: boolean) => (traced ? 'workflow-bundle.traced.js' : 'workflow-bundle.js');

interface Manifest {
  builtAt: string;
  bundles: Record<'plain' | 'traced', { file: string; sourceKey: string }>;
}

export interface PrebuiltBundle {
  codePath: string;
  sourceKey: string;
}

/** Builds both bundles (plain and traced) into `outDir` and writes the manifest last. */
export async function writePrebuiltBundles(outDir: string): Promise<Manifest> {
  const bundles = {} as Manifest['bundles'];
  // One after the other: webpack is CPU-bound and the build machine may be small.
  for (const traced of [false, true]) {
    const sourceKey = await workflowSourceKey(traced);
    const { code } = await bundleWorkflowCode(workflowBundleOptions(traced));
    await writeFile(join(outDir, bundleFile(traced)), code);
    bundles[traced ? 'traced' : 'plain'] = { file: bundleFile(traced), sourceKey };
  }
  const manifest: Manifest = { builtAt: new Date().toISOString(), bundles };
  await writeFile(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * The prebuilt bundle's file when `dir` holds one built from the sources with `sourceKey`, else
 * undefined: a development worker must not run workflow code older (or newer) than its sources.
 */
export async function freshPrebuiltBundle(
  dir: string,
  traced: boolean,
  sourceKey: string,
): Promise<string | undefined> {
  const prebuilt = await readPrebuiltBundle(dir, traced);
  return prebuilt?.sourceKey === sourceKey ? prebuilt.codePath : undefined;
}

/** The prebuilt bundle in `dir`, or undefined when there is no build there. */
export async function readPrebuiltBundle(dir: string, traced: boolean): Promise<PrebuiltBundle | undefined> {
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const entry = (JSON.parse(text) as Manifest).bundles[traced ? 'traced' : 'plain'];
  return { codePath: join(dir, entry.file), sourceKey: entry.sourceKey };
}
