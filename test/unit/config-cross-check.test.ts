import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseEngineConfig } from '../../src/config/engine-config';

const refused = (raw: unknown): string => {
  try {
    parseEngineConfig(raw, 'test config');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('the config was accepted');
};

describe('config cross-checks: references between sections must resolve', () => {
  it('refuses a routing rule naming a service that target.services does not have, naming the field', () => {
    const message = refused({
      target: { services: { 'mcp-server': {} } },
      alertRouting: { rules: [{ match: { job: 'mcp' }, services: ['mcp-server', 'mcp'] }] },
    });
    assert.match(
      message,
      /alertRouting\.rules\.0\.services\.1: "mcp" is not in target\.services \(mcp-server\)/,
    );
  });

  it('refuses routing defaults naming an unknown service', () => {
    const message = refused({
      target: { services: { api: {} } },
      alertRouting: { defaults: { services: ['mcp-server'] } },
    });
    assert.match(
      message,
      /alertRouting\.defaults\.services\.0: "mcp-server" is not in target\.services \(api\)/,
    );
  });

  it('refuses an MCP path the rollback could not use', () => {
    assert.match(
      refused({ target: { paths: { mcp: '../elsewhere/' } } }),
      /target\.paths\.mcp: .*escapes the repository/,
    );
    assert.match(refused({ target: { paths: { mcp: '/srv/mcp' } } }), /target\.paths\.mcp: .*is absolute/);
  });

  it('refuses an empty target.services, which the mcp and full rollbacks cannot restart', () => {
    assert.match(
      refused({ target: { services: {} } }),
      /target\.services: the mcp rollback restarts services/,
    );
  });

  it('refuses two services on one port', () => {
    assert.match(
      refused({ target: { services: { a: { port: 9000 }, b: { port: 9000 } } } }),
      /target\.services\.b\.port: 9000 is also target\.services\.a\.port/,
    );
  });

  it('accepts the defaults and a consistent renamed service', () => {
    parseEngineConfig({}, 'defaults');
    const config = parseEngineConfig(
      {
        target: { services: { 'mcp-server': { port: 9100 } }, paths: { mcp: 'services/mcp/' } },
        alertRouting: { rules: [{ match: { job: 'mcp' }, services: ['mcp-server'] }] },
      },
      'renamed',
    );
    assert.deepEqual(Object.keys(config.target.services), ['mcp-server']);
  });
});
