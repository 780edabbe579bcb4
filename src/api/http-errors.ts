import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../use-cases/errors';
import { reportOf } from '../domain/failure-types';
import { JsonBodyError } from './json-body';

/** One JSON shape for every failure: `{ error, field? }`, and a status code that says whose fault. */
function statusFor(error: unknown): number {
  const reported = reportOf(error)?.http;
  if (reported) return reported;
  const code = (error as FastifyError).statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
}

/** How long a connection that sent too big a body stays open, unread, after its 413. */
const LINGER_MS = 1_000;

/**
 * Answers a body over the limit with 413 and closes the connection without reading the rest.
 * Closing at once while the client is still sending makes the kernel reset the connection, and
 * the reset can discard the 413 before the client reads it. So the answer goes out with a FIN, the
 * request is paused (Node then stops reading the socket once its buffers fill, so the sender
 * blocks and reads the answer), and the socket is destroyed LINGER_MS later.
 */
function refuseOversizedBody(request: FastifyRequest, reply: FastifyReply, body: object): void {
  reply.hijack();
  const socket = request.raw.socket;
  const text = JSON.stringify(body);
  request.raw.pause();
  socket.end(
    'HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(timer));
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    const status = statusFor(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const body: { error: string; field?: string } = {
      error: status >= 500 && status !== 503 ? 'internal error (see the API log)' : message.split('\n')[0]!,
    };
    if ((error instanceof InvalidRequestError || error instanceof JsonBodyError) && error.field)
      body.field = error.field;
    if (status === 413 && !request.raw.complete) return refuseOversizedBody(request, reply, body);
    await reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    await reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
