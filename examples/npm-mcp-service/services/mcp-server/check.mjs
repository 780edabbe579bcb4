// Part of `npm run build`: every tool the contract names has an implementation.
import { readFileSync } from 'node:fs';
import { tools } from './tools.mjs';

const contract = JSON.parse(readFileSync(new URL('./contract.json', import.meta.url), 'utf8'));
const missing = contract.tools.filter((name) => typeof tools[name] !== 'function');
if (missing.length > 0) {
  console.error(`build: contract tools without implementation: ${missing.join(', ')}`);
  process.exit(1);
}
console.log('contract check passed');
