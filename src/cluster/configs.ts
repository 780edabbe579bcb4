import { NUM_HISTORY_SHARDS, type ClusterSettings, type TemporalHost } from './settings';

/** PostgreSQL login the Temporal services and temporal-sql-tool use. */
export interface DbLogin {
  user: string;
  password: string;
}

const sqlStore = (settings: ClusterSettings, db: DbLogin, databaseName: string, maxConns: number) => ({
  sql: {
    pluginName: 'postgres12',
    databaseName,
    connectAddr: `127.0.0.1:${settings.ports.CLUSTER_POSTGRES_PORT}`,
    connectProtocol: 'tcp',
    user: db.user,
    password: db.password,
    // Six server processes share one PostgreSQL (max_connections 200 in postgres.ts).
    maxConns,
    maxIdleConns: maxConns,
    maxConnLifetime: '1h',
  },
});

/**
 * The Temporal server config of one process. Every process gets the same file except for its own
 * service's ports (a second history host differs from the first only there), so one function
 * produces them all and the hosts cannot disagree about the database or the cluster name.
 * Follows config/development-postgres12.yaml of server v1.32.0, without archival and with
 * pprof and metrics listeners off (six processes on one machine would fight over those ports).
 */
export function temporalServerConfig(
  settings: ClusterSettings,
  host: TemporalHost,
  db: DbLogin,
  dynamicConfigFile: string,
): Record<string, unknown> {
  const rpc = (service: TemporalHost['service']) => {
    // This process's own service uses its own ports; the other entries are what peers expect.
    const source = service === host.service ? host : settings.hosts.find((h) => h.service === service)!;
    return {
      rpc: {
        grpcPort: source.grpcPort,
        membershipPort: source.membershipPort,
        bindOnLocalHost: true,
        ...(service === 'frontend' ? { httpPort: settings.ports.CLUSTER_FRONTEND_HTTP_PORT } : {}),
      },
    };
  };
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: NUM_HISTORY_SHARDS,
      datastores: {
        'postgres-default': sqlStore(settings, db, 'temporal', 10),
        'postgres-visibility': sqlStore(settings, db, 'temporal_visibility', 4),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      pprof: { port: 0 },
    },
    services: {
      frontend: rpc('frontend'),
      matching: rpc('matching'),
      history: rpc('history'),
      worker: rpc('worker'),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: settings.temporalAddress,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    // The system worker service reaches the frontend here instead of through membership.
    publicClient: { hostPort: settings.temporalAddress },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** The UI server's config (ui-server v2 reads <dir>/<env>.yaml); no auth, loopback only. */
export function uiServerConfig(settings: ClusterSettings): Record<string, unknown> {
  return {
    temporalGrpcAddress: settings.temporalAddress,
    host: '127.0.0.1',
    port: settings.ports.TEMPORAL_UI_PORT,
    publicPath: '',
    enableUi: true,
    defaultNamespace: settings.namespace,
    // Served over plain HTTP on loopback: a Secure cookie would never come back.
    cors: { cookieInsecure: true, allowOrigins: [] },
    refreshInterval: '1m',
    disableNewsFetch: true,
    auth: { enabled: false },
  };
}
