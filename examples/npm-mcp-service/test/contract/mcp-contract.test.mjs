// The MCP contract, with `node --test`: a server started on a free port serves /healthz, lists
// exactly the contract's tools and answers each of them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

const contract = JSON.parse(
  readFileSync(new URL('../../services/mcp-server/contract.json', import.meta.url), 'utf8'),
);
let server;
let base;

before(async () => {
  server = spawn(
    process.execPath,
    [new URL('../../services/mcp-server/server.mjs', import.meta.url).pathname],
    {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      const match = /listening on (\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    server.on('exit', (code) => reject(new Error(`mcp server exited with ${code} before listening`)));
  });
  base = `http://127.0.0.1:${port}`;
});
after(() => server?.kill('SIGTERM'));

const call = (name, args = {}) =>
  fetch(`${base}/tools/call`, { method: 'POST', body: JSON.stringify({ name, arguments: args }) }).then((r) =>
    r.json(),
  );

test('serves /healthz', async () => {
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('lists exactly the contract tools and answers each', async () => {
  assert.deepEqual(await fetch(`${base}/tools`).then((r) => r.json()), contract);
  const { result } = await call('list_widgets');
  assert.ok(result.widgets.length > 0);
  for (const name of result.widgets)
    assert.match((await call('render_widget', { name })).result.html, /<html>/);
});
