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

  it('refuses more required approvals than the approvers table allows, naming the field', () => {
    const message = refused({
      policy: { approvals: { required: { 'SEV-1': { 'revert-last-change': 2 } } } },
    });
    assert.match(
      message,
      /policy\.approvals\.required\.SEV-1\.revert-last-change: needs 2 distinct approvers for revert-last-change, but policy\.approvers\.SEV-1\.\* allows only 1/,
    );
    assert.match(
      refused({
        policy: {
          approvers: { 'SEV-2': { 'deploy-known-good': ['@a'], '*': ['@a', '@b'] } },
          approvals: { required: { 'SEV-2': { '*': 2 } } },
        },
      }),
      /policy\.approvals\.required\.SEV-2\.\*: needs 2 distinct approvers for deploy-known-good, but policy\.approvers\.SEV-2\.deploy-known-good allows only 1/,
    );
  });

  it('refuses an option both auto-approved and needing several approvers', () => {
    assert.match(
      refused({
        policy: {
          approvers: { 'SEV-1': { '*': ['@a', '@b'] } },
          approvals: { required: { 'SEV-1': { 'revert-last-change': 2 } } },
          autoApprove: { 'SEV-1': ['revert-last-change'] },
        },
      }),
      /policy\.autoApprove\.SEV-1\.0: revert-last-change is auto-approved, but policy\.approvals\.required\.SEV-1 asks 2/,
    );
  });

  it('refuses a bad approvals shape, naming the field', () => {
    assert.match(
      refused({ policy: { approvals: { required: { 'SEV-1': { 'revert-last-change': 0 } } } } }),
      /policy\.approvals\.required\.SEV-1\.revert-last-change/,
    );
    assert.match(
      refused({ policy: { approvals: { groups: [{ name: 'leads', members: [] }] } } }),
      /policy\.approvals\.groups\.0\.members/,
    );
    assert.match(
      refused({
        policy: {
          approvals: {
            groups: [
              { name: 'leads', members: ['@a'] },
              { name: 'leads', members: ['@b'] },
            ],
          },
        },
      }),
      /policy\.approvals\.groups: group names must be unique/,
    );
  });

  it('accepts four-eyes the approvers table can meet, with groups', () => {
    const config = parseEngineConfig(
      {
        policy: {
          approvers: { 'SEV-1': { '*': ['@a', '@b'] } },
          approvals: {
            required: { 'SEV-1': { 'revert-last-change': 2, 'deploy-known-good': 2, '*': 1 } },
            groups: [{ name: 'leads', members: ['@c'] }],
          },
        },
      },
      'test config',
    );
    assert.equal(config.policy.approvals.delegateAfter, 2);
  });
});
