import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { toClientOptions } from '@temporalio/envconfig';
// Types only: the worker package (native bridge) and OpenTelemetry load when a process needs them,
// not in every CLI call, where they cost 0.4-0.7 s of the 1-1.6 s an `incident list` took
// (docs/benchmarks.md, "10,000 open incidents").
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { type Env, temporalAddress } from '../config/env';
import { activeTracing } from './tracing-state';

/**
 * Connection options shared by the client (API, CLI, start.ts) and the worker: the one path every
 * process connects through. The profile is the `temporal` CLI's (see loadEnv); envconfig turns it
 * into options, reading the TLS files here, and turns TLS on for an API key, a client certificate,
 * a CA or TEMPORAL_TLS=true, which is what Temporal Cloud needs. With no address anywhere it is
 * this project's local dev server on TEMPORAL_PORT.
 */
export function connectionOptions(env: Env): NativeConnectionOptions & { address: string } {
  const { connectionOptions: options } = toClientOptions(env.temporalProfile);
  return { ...options, address: temporalAddress(env) };
}

/**
 * gRPC's reconnect backoff starts at 1 s and grows 1.6x per failed attempt up to 120 s, so a
 * long-running API that kept calling a stopped server could wait many seconds after the server came
 * back before trying again. Capped at 1 s, a restarted server is found within about a second, at
 * the cost of one refused TCP connect per second while it is down.
 */
export const RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1_000,
} as const;

/**
 * A client for the API and CLI. The connect timeout is short (the SDK default is 10 s) so an
 * operator whose server is down gets the one-line error at once, not after a long pause.
 */
export async function connectClient(env: Env, connectTimeoutMs = 3_000): Promise<Client> {
  const options: ConnectionOptions = {
    ...connectionOptions(env),
    connectTimeout: connectTimeoutMs,
    channelArgs: RECONNECT_CHANNEL_ARGS,
  };
  const connection = await Connection.connect(options);
  // With tracing on, every start, signal, query and update carries the caller's trace to the worker.
  const tracing = activeTracing();
  return new Client({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    plugins: tracing ? [tracing.plugin] : [],
  });
}

export async function connectWorker(env: Env): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(connectionOptions(env));
}
