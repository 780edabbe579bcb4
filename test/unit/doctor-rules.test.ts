import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPackageManager } from '../../src/domain/package-manager';
import { findHealthPath, findPortEnv, findRunbook, findServerStart, newestTag } from '../../src/doctor/rules';

describe('doctor rules', () => {
  it('reads the port variable and its default from the server source', () => {
    assert.deepEqual(findPortEnv('const port = Number(process.env.PORT ?? 3000);'), {
      name: 'PORT',
      defaultPort: 3000,
    });
    assert.deepEqual(findPortEnv("const p = process.env['MCP_PORT'] || '8787';"), {
      name: 'MCP_PORT',
      defaultPort: 8787,
    });
    assert.deepEqual(findPortEnv('listen(process.env.HTTP_PORT)'), {
      name: 'HTTP_PORT',
      defaultPort: undefined,
    });
    assert.equal(findPortEnv('listen(8080)'), undefined);
  });

  it('finds the health path: a health-like route, else the root route', () => {
    assert.equal(findHealthPath("if (req.url === '/healthz') ok()"), '/healthz');
    assert.equal(findHealthPath("if (req.url === '/health') ok()"), '/health');
    assert.equal(findHealthPath("if (req.url === '/') ok()"), '/');
    assert.equal(findHealthPath("if (req.url === '/tools') ok()"), undefined);
  });

  it('takes a widgets workspace build when there is no widget build script, the way the manager runs workspaces', () => {
    const workspaces = [
      { name: '@acme/widgets', dir: 'packages/widgets', scripts: { build: 'node build.mjs' } },
    ];
    const scripts = { build: 'x', test: 'y' };
    const npm = findRunbook(detectPackageManager({ files: ['package-lock.json'] }), scripts, workspaces);
    assert.deepEqual(npm.buildWidgets?.argv, ['npm', 'run', 'build', '--workspace=@acme/widgets']);
    const pnpm = findRunbook(detectPackageManager({ files: ['pnpm-lock.yaml'] }), scripts, workspaces);
    assert.deepEqual(pnpm.buildWidgets?.argv, ['pnpm', '--filter', '@acme/widgets', 'build']);
    assert.equal(pnpm.contractTest, undefined);
  });

  it('finds the server start script and the file node runs', () => {
    assert.deepEqual(
      findServerStart('pnpm', { 'mcp:start': 'node platforms/mcp/server.mjs', start: 'x' })?.entry,
      'platforms/mcp/server.mjs',
    );
    assert.deepEqual(
      findServerStart('npm', { start: 'node --enable-source-maps services/api/index.js' })?.start.argv,
      ['npm', 'run', 'start'],
    );
    assert.equal(findServerStart('npm', { build: 'x' }), undefined);
  });

  it('orders known-good tags by version, not by text', () => {
    assert.equal(newestTag(['v1.9.0', 'v1.10.0', 'v1.2.3']), 'v1.10.0');
    assert.equal(newestTag([]), undefined);
  });
});
