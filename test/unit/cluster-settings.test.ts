import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadClusterSettings, MAX_PORT, PORT_DEFAULTS } from '../../src/cluster/settings';
import { temporalServerConfig, uiServerConfig } from '../../src/cluster/configs';

const db = { user: 'temporal', password: 'secret' };

describe('npm run cluster settings and generated configs', () => {
  it('defaults to Temporal’s usual ports, all below the ephemeral range and SMALLINT-safe', () => {
    const settings = loadClusterSettings({});
    assert.equal(settings.temporalAddress, '127.0.0.1:7233');
    assert.equal(settings.workers, 2);
    for (const port of Object.values(settings.ports)) assert.ok(port <= MAX_PORT);
    assert.deepEqual(
      settings.hosts.map((h) => h.name),
      ['history-1', 'history-2', 'matching', 'frontend', 'worker'],
    );
    assert.match(settings.stateDir, /\.data\/cluster$/);
  });

  it('refuses a port in the ephemeral range and two names for one port, naming the variables', () => {
    assert.throws(
      () => loadClusterSettings({ CLUSTER_HISTORY2_MEMBERSHIP_PORT: '47935' }),
      /CLUSTER_HISTORY2_MEMBERSHIP_PORT: must be at most 32767/,
    );
    assert.throws(
      () => loadClusterSettings({ API_PORT: String(PORT_DEFAULTS.TEMPORAL_PORT) }),
      /TEMPORAL_PORT and API_PORT are both 7233/,
    );
  });

  it('gives each history host its own ports in an otherwise identical server config', () => {
    const settings = loadClusterSettings({ CLUSTER_POSTGRES_PORT: '25432' });
    const [h1, h2] = settings.hosts.filter((h) => h.service === 'history');
    const a = temporalServerConfig(settings, h1!, db, '/x/production.yaml') as {
      services: { history: { rpc: { grpcPort: number; membershipPort: number } } };
    };
    const b = temporalServerConfig(settings, h2!, db, '/x/production.yaml') as typeof a;
    assert.deepEqual(a.services.history.rpc, { grpcPort: 7234, membershipPort: 6934, bindOnLocalHost: true });
    assert.deepEqual(b.services.history.rpc, { grpcPort: 7244, membershipPort: 6944, bindOnLocalHost: true });
    assert.deepEqual({ ...a, services: undefined }, { ...b, services: undefined });
    assert.match(JSON.stringify(a), /"connectAddr":"127\.0\.0\.1:25432"/);
    assert.match(JSON.stringify(a), /"filepath":"\/x\/production\.yaml"/);
  });

  it('points the UI server at the frontend on loopback', () => {
    const settings = loadClusterSettings({ TEMPORAL_PORT: '17233', TEMPORAL_UI_PORT: '18233' });
    assert.deepEqual(
      { ...uiServerConfig(settings) },
      {
        ...uiServerConfig(settings),
        temporalGrpcAddress: '127.0.0.1:17233',
        host: '127.0.0.1',
        port: 18233,
      },
    );
  });
});
