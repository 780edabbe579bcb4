import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();

/**
 * Compares two secrets in constant time. Both sides are hashed first so the comparison takes the
 * same time whatever the lengths (timingSafeEqual itself throws on a length mismatch, which would
 * leak the token's length).
 */
export const secretsEqual = (a: string | Buffer, b: string | Buffer): boolean =>
  timingSafeEqual(digest(a), digest(b));

/**
 * An onRequest hook that checks `Authorization: Bearer <API_TOKEN>` before the body is read, so
 * an unauthenticated request costs no parsing. Without a token configured the API listens on
 * loopback only (see main.ts) and the hook lets requests through.
 */
export function bearerAuth(token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!token) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match && secretsEqual(match[1]!, token)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="incident-engine"')
      .send({ error: match ? 'invalid bearer token' : 'missing Authorization: Bearer <API_TOKEN> header' });
  };
}

/** GitHub's `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>` check, in constant time. */
export function verifyGithubSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(header.slice('sha256='.length), 'hex'));
}
