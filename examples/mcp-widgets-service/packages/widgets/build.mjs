// Renders every widget to dist/widgets/<name>.html and enforces the bundle size budget.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderWidget, WIDGET_NAMES } from './src/index.mjs';

const BUDGET_BYTES = 16 * 1024;
const verbose = process.argv.includes('--verbose');
const out = join(process.cwd(), 'dist', 'widgets');
mkdirSync(out, { recursive: true });
for (const name of WIDGET_NAMES) {
  const html = renderWidget(name);
  if (Buffer.byteLength(html) > BUDGET_BYTES) {
    console.error(`widget ${name} is ${Buffer.byteLength(html)} bytes, over the ${BUDGET_BYTES}-byte budget`);
    process.exit(1);
  }
  writeFileSync(join(out, `${name}.html`), html);
  if (verbose) console.log(`built ${name}.html (${Buffer.byteLength(html)} bytes)`);
}
console.log(`built ${WIDGET_NAMES.length} widgets into dist/widgets`);
