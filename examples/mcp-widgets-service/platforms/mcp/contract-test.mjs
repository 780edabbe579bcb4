// Contract test: the server's /tools equals contract/tools.json and every tool answers.
// Against the running server on MCP_PORT when it is set, otherwise against a server it starts.
import { spawn } from 'node:child_process';
import { contract } from './contract.mjs';

async function startOwnServer() {
  const child = spawn(process.execPath, [new URL('./server.mjs', import.meta.url).pathname], {
    env: { ...process.env, MCP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      const match = /listening on (\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`mcp server exited with ${code} before listening`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

const fail = (message) => {
  console.error(`contract test FAILED: ${message}`);
  process.exitCode = 1;
};

const own = process.env.MCP_PORT ? undefined : await startOwnServer().catch((error) => fail(error.message));
const port = own?.port ?? Number(process.env.MCP_PORT);
try {
  if (process.exitCode) throw new Error('no server');
  const base = `http://127.0.0.1:${port}`;
  const health = await fetch(`${base}/health`).then((r) => r.json());
  if (health.status !== 'ok') fail(`health is ${JSON.stringify(health)}`);
  const served = await fetch(`${base}/tools`).then((r) => r.json());
  if (JSON.stringify(served) !== JSON.stringify(contract))
    fail('served tool list differs from contract/tools.json');
  const listed = await fetch(`${base}/tools/call`, {
    method: 'POST',
    body: JSON.stringify({ name: 'list_widgets', arguments: {} }),
  }).then((r) => r.json());
  if (!Array.isArray(listed.result?.widgets)) fail(`list_widgets answered ${JSON.stringify(listed)}`);
  for (const name of listed.result?.widgets ?? []) {
    const rendered = await fetch(`${base}/tools/call`, {
      method: 'POST',
      body: JSON.stringify({ name: 'render_widget', arguments: { name } }),
    }).then((r) => r.json());
    if (!String(rendered.result?.html ?? '').includes('<html'))
      fail(`render_widget ${name} answered no HTML`);
  }
  if (!process.exitCode) console.log(`contract test passed: ${contract.tools.length} tools on port ${port}`);
} catch (error) {
  if (!process.exitCode) fail(error.message);
} finally {
  own?.stop();
}
