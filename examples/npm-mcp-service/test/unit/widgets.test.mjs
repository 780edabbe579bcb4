import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderWidget, WIDGET_NAMES } from '@npm-mcp/widgets';

test('every widget renders a whole HTML page', () => {
  for (const name of WIDGET_NAMES) assert.match(renderWidget(name), /^<!doctype html>[\s\S]*<\/html>\n$/);
});
