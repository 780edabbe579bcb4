// `pnpm build`: the widgets, then a static check that the MCP server honours its contract.
import { execFileSync } from 'node:child_process';
import { missingTools } from '../platforms/mcp/contract.mjs';
import { tools } from '../platforms/mcp/tools.mjs';

execFileSync(process.execPath, ['packages/widgets/build.mjs'], { stdio: 'inherit' });
const missing = missingTools(tools);
if (missing.length > 0) {
  console.error(`build: MCP contract tools without implementation: ${missing.join(', ')}`);
  process.exit(1);
}
console.log('build complete');
