// MCP-style tool server on PORT (default 3000): GET /healthz, GET /tools, POST /tools/call, GET /metrics.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { RequestCounter } from './metrics.mjs';
import { tools } from './tools.mjs';

const contract = JSON.parse(readFileSync(new URL('./contract.json', import.meta.url), 'utf8'));
const port = Number(process.env.PORT ?? 3000);
const requests = new RequestCounter(['/healthz', '/tools', '/tools/call', '/metrics']);
const send = (res, status, body) => {
  requests.count(res.req.url, status);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    requests.count(req.url, 200);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    return res.end(requests.exposition());
  }
  if (req.method === 'GET' && req.url === '/healthz')
    return send(res, 200, { ok: true, version: contract.version });
  if (req.method === 'GET' && req.url === '/tools') return send(res, 200, contract);
  if (req.method === 'POST' && req.url === '/tools/call') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let call;
      try {
        call = JSON.parse(body || '{}');
      } catch (error) {
        return send(res, 400, { error: String(error.message ?? error) });
      }
      const { name, arguments: args } = call ?? {};
      if (typeof tools[name] !== 'function') return send(res, 404, { error: `unknown tool ${name}` });
      try {
        return send(res, 200, { result: tools[name](args ?? {}) });
      } catch (error) {
        // A tool that throws is the server's fault: 500, which the error-ratio SLO counts.
        return send(res, 500, { error: String(error.message ?? error) });
      }
    });
    return undefined;
  }
  return send(res, 404, { error: 'not found' });
});

server.listen(port, '127.0.0.1', () => console.log(`mcp-server listening on ${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
