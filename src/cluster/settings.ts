import { resolve, join } from 'node:path';
import { z } from 'zod';

/**
 * Where `npm run cluster` puts its state and which ports it takes, from the environment.
 *
 * Every port must be at most 32767, for two reasons: the stock PostgreSQL schema stores
 * cluster_membership.rpc_port as SMALLINT (a larger membership port kills the server with
 * `value ... is out of range for type smallint`), and Linux hands out 32768-60999 as source ports
 * of outgoing connections, so a listener there can lose its port to any client socket.
 */
export const MAX_PORT = 32_767;

/** Port variables and their defaults: Temporal's usual ports, PostgreSQL beside its usual one. */
export const PORT_DEFAULTS = {
  CLUSTER_POSTGRES_PORT: 15_432,
  /** The frontend's gRPC port: what TEMPORAL_ADDRESS points at. */
  TEMPORAL_PORT: 7233,
  CLUSTER_FRONTEND_HTTP_PORT: 7243,
  CLUSTER_FRONTEND_MEMBERSHIP_PORT: 6933,
  CLUSTER_HISTORY1_PORT: 7234,
  CLUSTER_HISTORY1_MEMBERSHIP_PORT: 6934,
  CLUSTER_HISTORY2_PORT: 7244,
  CLUSTER_HISTORY2_MEMBERSHIP_PORT: 6944,
  CLUSTER_MATCHING_PORT: 7235,
  CLUSTER_MATCHING_MEMBERSHIP_PORT: 6935,
  CLUSTER_WORKER_PORT: 7239,
  CLUSTER_WORKER_MEMBERSHIP_PORT: 6939,
  /** The UI server (same variable `npm start` uses, so the engine's links point at it). */
  TEMPORAL_UI_PORT: 8233,
  API_PORT: 8780,
} as const;
export type PortName = keyof typeof PORT_DEFAULTS;

const portSchema = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1024, 'must be 1024 or more')
    .max(MAX_PORT, `must be at most ${MAX_PORT} (SMALLINT membership ports; 32768+ is the ephemeral range)`)
    .default(fallback);

const schema = z.object({
  ...(Object.fromEntries(
    Object.entries(PORT_DEFAULTS).map(([name, fallback]) => [name, portSchema(fallback)]),
  ) as Record<PortName, ReturnType<typeof portSchema>>),
  /** Engine workers (each its own process) polling the task queue. */
  CLUSTER_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
  INCIDENT_DATA_DIR: z.string().min(1).default('.data'),
  /** Defaults to <INCIDENT_DATA_DIR>/cluster. */
  CLUSTER_STATE_DIR: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
});

/** A Temporal server process: one service on its own gRPC and membership ports. */
export interface TemporalHost {
  /** Process name in logs and state files: frontend, matching, worker, history-1, history-2. */
  name: string;
  service: 'frontend' | 'matching' | 'worker' | 'history';
  grpcPort: number;
  membershipPort: number;
}

export interface ClusterSettings {
  stateDir: string;
  namespace: string;
  workers: number;
  ports: Record<PortName, number>;
  /** Start order: frontend last, so a client that reaches it finds history and matching up. */
  hosts: TemporalHost[];
  /** What the engine's processes and the CLI use. */
  temporalAddress: string;
  uiUrl: string;
}

/** History shards are fixed at the first start of a database: changing this later breaks it. */
export const NUM_HISTORY_SHARDS = 4;

export function loadClusterSettings(source: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new Error(`Invalid cluster environment: ${lines.join('; ')}`);
  }
  const env = parsed.data;
  const ports = Object.fromEntries(
    Object.keys(PORT_DEFAULTS).map((name) => [name, env[name as PortName]]),
  ) as Record<PortName, number>;
  const byPort = new Map<number, string[]>();
  for (const [name, port] of Object.entries(ports)) byPort.set(port, [...(byPort.get(port) ?? []), name]);
  const clashes = [...byPort.entries()].filter(([, names]) => names.length > 1);
  if (clashes.length > 0) {
    throw new Error(
      `Invalid cluster environment: ports must differ; ${clashes.map(([port, names]) => `${names.join(' and ')} are both ${port}`).join('; ')}`,
    );
  }
  const hosts: TemporalHost[] = [
    {
      name: 'history-1',
      service: 'history',
      grpcPort: ports.CLUSTER_HISTORY1_PORT,
      membershipPort: ports.CLUSTER_HISTORY1_MEMBERSHIP_PORT,
    },
    {
      name: 'history-2',
      service: 'history',
      grpcPort: ports.CLUSTER_HISTORY2_PORT,
      membershipPort: ports.CLUSTER_HISTORY2_MEMBERSHIP_PORT,
    },
    {
      name: 'matching',
      service: 'matching',
      grpcPort: ports.CLUSTER_MATCHING_PORT,
      membershipPort: ports.CLUSTER_MATCHING_MEMBERSHIP_PORT,
    },
    {
      name: 'frontend',
      service: 'frontend',
      grpcPort: ports.TEMPORAL_PORT,
      membershipPort: ports.CLUSTER_FRONTEND_MEMBERSHIP_PORT,
    },
    {
      name: 'worker',
      service: 'worker',
      grpcPort: ports.CLUSTER_WORKER_PORT,
      membershipPort: ports.CLUSTER_WORKER_MEMBERSHIP_PORT,
    },
  ];
  return {
    stateDir: resolve(env.CLUSTER_STATE_DIR ?? join(env.INCIDENT_DATA_DIR, 'cluster')),
    namespace: env.TEMPORAL_NAMESPACE,
    workers: env.CLUSTER_WORKERS,
    ports,
    hosts,
    temporalAddress: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    uiUrl: `http://localhost:${ports.TEMPORAL_UI_PORT}`,
  };
}
