/** `npm run build [-- --out-dir <dir>]`: see scripts/build/build-project.ts. */
import { parseArgs } from 'node:util';
import { buildProject, DEFAULT_OUT_DIR } from './build/build-project';

const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: DEFAULT_OUT_DIR } } });
const started = performance.now();
const { outDir, modules, bundles } = await buildProject(values['out-dir']);
console.log(
  `[build] ${modules} modules and workflow bundles ${Object.values(bundles)
    .map((b) => `${b.file} (sources ${b.sourceKey})`)
    .join(', ')} in ${outDir}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
