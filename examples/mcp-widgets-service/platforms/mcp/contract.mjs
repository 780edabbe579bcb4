import { readFileSync } from 'node:fs';

export const contract = JSON.parse(readFileSync(new URL('./contract/tools.json', import.meta.url), 'utf8'));

/** Contract tools without an implementation (empty when the server honours its contract). */
export function missingTools(tools) {
  return contract.tools.map((tool) => tool.name).filter((name) => typeof tools[name] !== 'function');
}
