import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingTools } from '../platforms/mcp/contract.mjs';
import { tools } from '../platforms/mcp/tools.mjs';

test('every contract tool has an implementation', () => {
  assert.deepEqual(missingTools(tools), []);
});
