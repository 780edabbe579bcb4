// MCP-style tool server: GET /health, GET /tools, POST /tools/call {name, arguments}.
import { createServer } from 'node:http';
import { contract, missingTools } from './contract.mjs';
import { tools } from './tools.mjs';

const missing = missingTools(tools);
if (missing.length > 0) {
  console.error(`mcp-server: contract tools without implementation: ${missing.join(', ')}`);
  process.exit(1);
}

const port = Number(process.env.MCP_PORT ?? 8787);
const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health')
    return send(res, 200, { status: 'ok', version: contract.version });
  if (req.method === 'GET' && req.url === '/tools') return send(res, 200, contract);
  if (req.method === 'POST' && req.url === '/tools/call') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        const { name, arguments: args } = JSON.parse(body || '{}');
        const tool = tools[name];
        if (!tool) return send(res, 404, { error: `tool unavailable: ${name}` });
        return send(res, 200, { result: tool(args ?? {}) });
      } catch (error) {
        return send(res, 400, { error: String(error.message ?? error) });
      }
    });
    return undefined;
  }
  return send(res, 404, { error: 'not found' });
});

server.listen(port, '127.0.0.1', () => console.log(`mcp-server listening on ${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
