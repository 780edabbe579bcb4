import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

// The layering lives in eslint.config.js (LAYERS, import-x/no-restricted-paths, import-x/no-cycle and
// the workflow override). These probes are real files under src/, linted with the project's own
// config, so a rule that stops resolving imports (and so stops biting) fails here.
const probe = `layer-probe-${randomUUID().slice(0, 8)}`;
const written: string[] = [];
const eslint = new ESLint({ cwd: PROJECT_ROOT });

function write(relative: string, text: string): string {
  const path = join(PROJECT_ROOT, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  written.push(path);
  return path;
}

async function ruleIds(relative: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintFiles([write(relative, text)]);
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

after(() => {
  for (const path of written) rmSync(path, { force: true });
});

describe('layering lint', () => {
  it('refuses an import from a lower layer to a higher one (domain importing the CLI)', async () => {
    const ids = await ruleIds(`src/domain/${probe}.ts`, `export * from '../cli/format';\n`);
    assert.deepEqual(ids, ['import-x/no-restricted-paths']);
  });

  it('keeps the contracts a leaf: no import of domain', async () => {
    const ids = await ruleIds(`src/contracts/${probe}.ts`, `export * from '../domain/drill-report';\n`);
    assert.ok(ids.includes('import-x/no-restricted-paths'), ids.join(', '));
  });

  it('keeps Node and other packages out of the contracts, which workflows import', async () => {
    const ids = await ruleIds(
      `src/contracts/${probe}-node.ts`,
      `export { createHash } from 'node:crypto';\n`,
    );
    assert.deepEqual(ids, ['no-restricted-imports']);
    const allowed = await ruleIds(
      `src/contracts/${probe}-ok.ts`,
      `export { z } from 'zod';\nexport { TASK_QUEUE } from './messages';\n`,
    );
    assert.deepEqual(allowed, []);
  });

  it('keeps the CLI and the API apart', async () => {
    const ids = await ruleIds(`src/cli/${probe}.ts`, `export { buildApi } from '../api/server';\n`);
    assert.ok(ids.includes('import-x/no-restricted-paths'), ids.join(', '));
  });

  it('lets workflows import activities by type only', async () => {
    const asValue = await ruleIds(
      `src/workflows/${probe}-value.ts`,
      `export { createActivities } from '../activities';\n`,
    );
    assert.ok(asValue.includes('no-restricted-imports'), asValue.join(', '));
    const asType = await ruleIds(
      `src/workflows/${probe}-type.ts`,
      `export type { Activities } from '../activities';\n`,
    );
    assert.deepEqual(asType, []);
  });

  it('allows an import down the layers (use-cases importing contracts)', async () => {
    const ids = await ruleIds(
      `src/use-cases/${probe}.ts`,
      `export { TASK_QUEUE } from '../contracts/messages';\n`,
    );
    assert.deepEqual(ids, []);
  });

  it('refuses an import cycle inside a layer', async () => {
    write(`src/domain/${probe}-b.ts`, `import { a } from './${probe}-a';\nexport const b = () => a;\n`);
    const ids = await ruleIds(
      `src/domain/${probe}-a.ts`,
      `import { b } from './${probe}-b';\nexport const a = () => b;\n`,
    );
    assert.ok(ids.includes('import-x/no-cycle'), ids.join(', '));
  });

  it('refuses console output in engine code (it logs through pino) but allows it in the CLI, which prints for people', async () => {
    const text = `export const hello = (): void => console.log('hello');\n`;
    assert.deepEqual(await ruleIds(`src/worker/${probe}.ts`, text), ['no-console']);
    assert.deepEqual(await ruleIds(`src/activities/${probe}.ts`, text), ['no-console']);
    assert.deepEqual(await ruleIds(`src/cli/${probe}.ts`, text), []);
  });

  it('keeps the logger a leaf that the process layers import', async () => {
    const up = await ruleIds(`src/logging/${probe}.ts`, `export * from '../config/env';\n`);
    assert.ok(up.includes('import-x/no-restricted-paths'), up.join(', '));
    const down = await ruleIds(
      `src/worker/${probe}-logger.ts`,
      `export { createLogger } from '../logging/logger';\n`,
    );
    assert.deepEqual(down, []);
  });
});
