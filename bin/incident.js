#!/usr/bin/env node
// The `incident` command. The engine is written in TypeScript and run through tsx, so this shim
// registers tsx's loader (resolved from this package, not the caller's folder) and hands over.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
