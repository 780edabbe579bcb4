// `npm run build -w @npm-mcp/widgets`: renders every widget to packages/widgets/dist/<name>.html.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderWidget, WIDGET_NAMES } from './src/index.mjs';

const BUDGET_BYTES = 8 * 1024;
const out = join(fileURLToPath(new URL('.', import.meta.url)), 'dist');
mkdirSync(out, { recursive: true });
for (const name of WIDGET_NAMES) {
  const html = renderWidget(name);
  if (Buffer.byteLength(html) > BUDGET_BYTES) {
    console.error(`widget ${name} is ${Buffer.byteLength(html)} bytes, over the ${BUDGET_BYTES}-byte budget`);
    process.exit(1);
  }
  writeFileSync(join(out, `${name}.html`), html);
}
console.log(`built ${WIDGET_NAMES.length} widgets into packages/widgets/dist`);
