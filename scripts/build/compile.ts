/**
 * src/**\/*.ts → <outDir>/**\/*.js, one output file per source file, ESM, imports rewritten.
 *
 * Why esbuild and not `tsc`: the source imports relative modules without extensions
 * (`from './create-worker'`, ~600 of them), which tsx and the type checker accept but Node's ESM
 * loader does not, and `tsc` never rewrites a specifier it did not see with `.ts`. Adding `.ts` to
 * every import (for `rewriteRelativeImportExtensions`) would touch every file that parallel work
 * is editing. esbuild (already installed by tsx) transpiles each file and, through the plugin
 * below, writes each relative import as the `.js` file it resolves to. Type checking stays with
 * `tsc --noEmit` (`npm run typecheck`).
 *
 * Why one file per source file and not one bundle per entry: modules find the project root and
 * the example targets relative to their own location (`new URL('../..', import.meta.url)`), which
 * keeps working when dist/ mirrors src/ one level below the root.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** The file a relative specifier means, as tsx would resolve it: `x.ts`, or `x/index.ts`. */
function resolveSource(fromDir: string, specifier: string): string {
  const base = resolve(fromDir, specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  throw new Error(`cannot resolve ${specifier} from ${fromDir}`);
}

/**
 * A package subpath without an extension (`@temporalio/interceptors-opentelemetry/lib/instrumentation`)
 * works for CommonJS resolution but not for ESM when the package has no exports map: add the `.js`
 * that CommonJS resolution found. Specifiers an exports map translates are left as they are.
 */
export function packageSpecifier(fromDir: string, specifier: string): string {
  const parts = specifier.split('/');
  const subpath = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
  if (!subpath || /\.[cm]?js$/.test(subpath)) return specifier;
  const file = createRequire(join(fromDir, 'noop.js')).resolve(specifier);
  return file.endsWith(`${specifier}.js`) ? `${specifier}.js` : specifier;
}

/** Leaves every import in place (nothing is bundled) and points relative ones at emitted `.js`. */
const externalImports: Plugin = {
  name: 'external-imports',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (!args.path.startsWith('.'))
        return { path: packageSpecifier(args.resolveDir, args.path), external: true };
      const target = resolveSource(args.resolveDir, args.path);
      let path = relative(args.resolveDir, target).replace(/\.ts$/, '.js');
      if (!path.startsWith('.')) path = `./${path}`;
      return { path, external: true };
    });
  },
};

async function listTypeScript(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Compiles every module under `srcDir` into `outDir`, mirroring the folder structure. */
export async function compileSources(srcDir: string, outDir: string): Promise<number> {
  const entryPoints = await listTypeScript(srcDir);
  await build({
    entryPoints,
    outdir: outDir,
    outbase: srcDir,
    bundle: true, // only so that the plugin sees every import; all of them stay external
    plugins: [externalImports],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    absWorkingDir: dirname(srcDir),
  });
  return entryPoints.length;
}
