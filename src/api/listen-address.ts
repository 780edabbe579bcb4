import type { Env } from '../config/env';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export class UnsafeListenError extends Error {
  override readonly name = 'UnsafeListenError';
}

/**
 * Where the API may listen. Without API_TOKEN the alert and incident routes are unauthenticated,
 * so the API binds to loopback only, and an explicit non-loopback API_HOST is refused rather than
 * quietly exposing approvals to the network.
 */
export function listenAddress(env: Env): { host: string; note?: string } {
  if (env.API_TOKEN) return { host: env.API_HOST ?? '0.0.0.0' };
  if (env.API_HOST && !LOOPBACK.has(env.API_HOST)) {
    throw new UnsafeListenError(
      `API_HOST=${env.API_HOST} needs API_TOKEN: without a token the API listens on loopback only (fix: set API_TOKEN, generate one with: openssl rand -hex 32)`,
    );
  }
  return {
    host: env.API_HOST ?? '127.0.0.1',
    note: 'no API_TOKEN set: alert and incident routes are unauthenticated, listening on loopback only',
  };
}
