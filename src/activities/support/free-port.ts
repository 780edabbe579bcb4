import { createServer } from 'node:net';

/**
 * A loopback TCP port that was free a moment ago (the OS picks it). Another process may take it
 * before it is used, so callers that start a server on it still check that the server came up.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
