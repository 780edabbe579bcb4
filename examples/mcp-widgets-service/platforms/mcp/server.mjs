// MCP-style tool server: GET /health, GET /tools, POST /tools/call {name, arguments}, GET /metrics.
import { createServer } from 'node:http';
import { contract, missingTools } from './contract.mjs';
import { RequestCounter } from './metrics.mjs';
import { tools } from './tools.mjs';

const missing = missingTools(tools);
if (missing.length > 0) {
  console.error(`mcp-server: contract tools without implementation: ${missing.join(', ')}`);
  process.exit(1);
}

const port = Number(process.env.MCP_PORT ?? 8787);
const requests = new RequestCounter(['/health', '/tools', '/tools/call', '/metrics']);
const send = (req, res, status, body) => {
  requests.count(req.url, status);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    requests.count(req.url, 200);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    return res.end(requests.exposition());
  }
  if (req.method === 'GET' && req.url === '/health')
    return send(req, res, 200, { status: 'ok', version: contract.version });
  if (req.method === 'GET' && req.url === '/tools') return send(req, res, 200, contract);
  if (req.method === 'POST' && req.url === '/tools/call') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let call;
      try {
        call = JSON.parse(body || '{}');
      } catch (error) {
        return send(req, res, 400, { error: String(error.message ?? error) });
      }
      const { name, arguments: args } = call ?? {};
      const tool = tools[name];
      if (!tool) return send(req, res, 404, { error: `tool unavailable: ${name}` });
      try {
        return send(req, res, 200, { result: tool(args ?? {}) });
      } catch (error) {
        // Bad arguments are the caller's fault (400); any other throw is the server's (500), which
        // is what the error-ratio SLO counts.
        return send(req, res, error.badArguments ? 400 : 500, { error: String(error.message ?? error) });
      }
    });
    return undefined;
  }
  return send(req, res, 404, { error: 'not found' });
});

server.listen(port, '127.0.0.1', () => console.log(`mcp-server listening on ${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
