import { createServer } from 'node:net';

/**
 * Ports are drawn from below Linux's ephemeral range (32768-60999 by default). A port the OS hands
 * out for `listen(0)` comes from that range, and so does the source port of every outgoing
 * connection: a port that was free a moment ago could become a worker's connection to Temporal
 * before the server meant for it binds (seen in CI as `EADDRINUSE` on the API's port). Below
 * 32768 only explicit binds compete, and a random pick makes two processes choosing the same port
 * unlikely. Callers that start a server on it still check that the server came up.
 */
const LOW = 20_000;
const HIGH = 32_767;
/** Ports this process already handed out, so two calls in a row never return the same one. */
const handedOut = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback TCP port below the ephemeral range that was free a moment ago. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} after 200 tries`);
}
