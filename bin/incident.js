#!/usr/bin/env node
// The `incident` command. A built checkout or image runs the compiled CLI (dist/, `npm run build`)
// on plain node; a dev checkout without a fresh build runs the TypeScript source through tsx
// (resolved from this package, not the caller's folder). See compiled-entry.js for the choice.
import { pathToFileURL } from 'node:url';
import { compiledEntry } from './compiled-entry.js';

const compiled = compiledEntry('incident/main.js');
if (compiled) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
