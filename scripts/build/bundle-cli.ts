/**
 * The CLI as one bundle with lazily loaded chunks, into <outDir>/incident/. Why, beside the
 * per-file modules compile.ts writes: `incident --help` is started by people and scripts many
 * times a day, and Node spends most of a cold start resolving and reading files: commander, zod,
 * yaml and about seventy engine modules as separate files take about twice as long as the same
 * code in a few files (bench/cli-cold-start.ts, docs/benchmarks.md). The worker and the API start
 * once and stay up; they run the per-file modules.
 *
 * Bundled too: @temporalio/common and @temporalio/workflow, which the contracts use to define
 * messages and search attributes when they are imported; left in node_modules they were a third
 * of `--help`. A second copy of them beside the client's is safe: the SDK's errors compare by a
 * Symbol.for marker across copies (SymbolBasedInstanceOfError), and message and search attribute
 * definitions are plain objects. External, loaded from node_modules only when a command connects
 * (cli/context.ts, cli/commands/*: loaded on use): the client, gRPC, protobufjs, the worker's
 * native bridge and OpenTelemetry.
 *
 * The bundle sits two folders below the project root, like src/<folder>/<module>.ts, so the
 * modules that find the project root and the example targets from `import.meta.url`
 * (temporal/binaries.ts, config/default-target.ts) find the same folders.
 */
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { packageSpecifier } from './compile';

const EXTERNAL = [
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/proto',
  '@temporalio/interceptors-opentelemetry',
  '@grpc/',
  'protobufjs',
  '@opentelemetry/',
];

/** Leaves the packages above to node_modules, with the `.js` a package subpath needs in ESM. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[@a-z]/ }, (args) =>
      EXTERNAL.some(
        (name) => args.path === name || args.path.startsWith(name.endsWith('/') ? name : `${name}/`),
      )
        ? { path: packageSpecifier(args.resolveDir, args.path), external: true }
        : undefined,
    );
  },
};

export const CLI_BUNDLE_DIR = 'incident';

export async function bundleCli(srcDir: string, outDir: string): Promise<void> {
  await build({
    entryPoints: { main: join(srcDir, 'cli', 'main.ts') },
    outdir: join(outDir, CLI_BUNDLE_DIR),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    plugins: [externalPackages],
    // Bundled CommonJS packages (commander, execa's helpers) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
