import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

/**
 * Loads `modules` in a fresh Node process (through tsx, as a dev checkout runs) and returns the
 * CommonJS packages of interest that ended up loaded. The Temporal worker package and
 * OpenTelemetry's SDK are CommonJS, so the shared require cache lists them once anything loads them.
 */
function heavyPackagesLoadedBy(modules: string[]): string[] {
  const script = `
    for (const m of ${JSON.stringify(modules)}) await import(m);
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const names = loaded.flatMap((p) => /node_modules\\/(@temporalio\\/worker|@temporalio\\/core-bridge|@opentelemetry\\/sdk-trace-node)\\//.exec(p)?.[1] ?? []);
    console.log(JSON.stringify([...new Set(names)].sort()));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as string[];
}

describe('what a client connection loads (the CLI path, issue 15)', () => {
  it('connection.ts loads neither the worker package nor OpenTelemetry until a worker connects or tracing starts', () => {
    assert.deepEqual(heavyPackagesLoadedBy(['./src/temporal/connection.ts']), []);
  });

  it('the check sees them when they are loaded (tracing.ts brings OpenTelemetry, the worker package its bridge)', () => {
    assert.deepEqual(
      heavyPackagesLoadedBy([
        './src/temporal/connection.ts',
        './src/temporal/tracing.ts',
        '@temporalio/worker',
      ]),
      ['@opentelemetry/sdk-trace-node', '@temporalio/core-bridge', '@temporalio/worker'],
    );
  });
});
