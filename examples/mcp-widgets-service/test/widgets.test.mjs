import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderWidget, WIDGET_NAMES } from '../packages/widgets/src/index.mjs';

test('every widget renders a complete HTML page', () => {
  assert.ok(WIDGET_NAMES.length >= 2);
  for (const name of WIDGET_NAMES) assert.match(renderWidget(name), /^<!doctype html>[\s\S]*<\/html>\n$/);
});
