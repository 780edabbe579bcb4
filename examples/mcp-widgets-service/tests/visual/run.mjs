// "Visual" regression test: each widget's rendered HTML against tests/visual/baselines/<name>.html.snap.
// `--update` rewrites the baselines (the guide's `pnpm test:visual:update`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderWidget, WIDGET_NAMES } from '../../packages/widgets/src/index.mjs';

const dir = join(process.cwd(), 'tests', 'visual', 'baselines');
const update = process.argv.includes('--update');
mkdirSync(dir, { recursive: true });
const diffs = [];
for (const name of WIDGET_NAMES) {
  const html = renderWidget(name);
  const path = join(dir, `${name}.html.snap`);
  if (update) {
    writeFileSync(path, html);
    continue;
  }
  const baseline = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (baseline !== html) diffs.push(name);
}
if (update) {
  console.log(`updated ${WIDGET_NAMES.length} baselines`);
} else if (diffs.length > 0) {
  console.error(
    `visual diffs: ${diffs.length} of ${WIDGET_NAMES.length} widgets differ from baseline: ${diffs.join(', ')}`,
  );
  process.exit(1);
} else {
  console.log(`visual test passed: ${WIDGET_NAMES.length} widgets match their baselines`);
}
