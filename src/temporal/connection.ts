import { readFile } from 'node:fs/promises';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { type Env, temporalAddress } from '../config/env';
import { activeTracing } from './tracing';

/**
 * Connection options shared by the client (API, CLI) and the worker. TLS is on when an API key,
 * a client certificate or TEMPORAL_TLS is given, which is what Temporal Cloud needs.
 */
async function connectionOptions(env: Env) {
  const mtls = env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH;
  const useTls = env.TEMPORAL_TLS || Boolean(env.TEMPORAL_API_KEY) || Boolean(mtls);
  const tls = useTls
    ? {
        serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
        serverRootCACertificate: env.TEMPORAL_TLS_CA_PATH
          ? await readFile(env.TEMPORAL_TLS_CA_PATH)
          : undefined,
        clientCertPair: mtls
          ? {
              crt: await readFile(env.TEMPORAL_TLS_CERT_PATH!),
              key: await readFile(env.TEMPORAL_TLS_KEY_PATH!),
            }
          : undefined,
      }
    : undefined;
  return { address: temporalAddress(env), tls, apiKey: env.TEMPORAL_API_KEY };
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
    ...(await connectionOptions(env)),
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
  const options: NativeConnectionOptions = await connectionOptions(env);
  return NativeConnection.connect(options);
}
