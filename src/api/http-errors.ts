import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { FastifyError, FastifyInstance } from 'fastify';
import {
  ApproverNotAllowedError,
  EngineUnavailableError,
  IncidentNotFoundError,
  InvalidRequestError,
  UpdateRefusedError,
} from '../client/errors';
import { JsonBodyError } from './json-body';

/** One JSON shape for every failure: `{ error, field? }`, and a status code that says whose fault. */
function statusFor(error: unknown): number {
  if (error instanceof InvalidRequestError) return 400;
  if (error instanceof ApproverNotAllowedError) return 403;
  if (error instanceof IncidentNotFoundError) return 404;
  if (error instanceof UpdateRefusedError || error instanceof WorkflowExecutionAlreadyStartedError)
    return 409;
  if (error instanceof EngineUnavailableError) return 503;
  const code = (error as FastifyError).statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
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
    await reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    await reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
