import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { workflowUrl } from '../../config/env';
import { DECISION_SCHEMAS, DECISION_VERBS, type DecisionVerb } from '../../contracts/decisions';
import { EngineUnavailableError, InvalidRequestError } from '../../use-cases/errors';
import { listFiltersSchema, listIncidents } from '../../use-cases/list';
import { incidentIdOf, lookupIncident } from '../../use-cases/lookup';
import { sendDecision } from '../../use-cases/send-decision';
import { fetchStatus } from '../../use-cases/status';
import { parseOrThrow } from '../../use-cases/validation';
import type { ApiContext } from '../context';

const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 of A-Z a-z 0-9 . _ : -');

/**
 * Incident routes: list (visibility), show (describe + status query) and the five decisions as
 * Workflow Updates. A refused decision answers 409 with the workflow's reason and changes nothing.
 */
export function incidentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/incidents', async (request) => {
    const filters = parseOrThrow(listFiltersSchema, request.query, 'query');
    const incidents = await listIncidents(ctx.client, filters);
    return { incidents: incidents.map((i) => ({ ...i, url: workflowUrl(ctx.env, i.workflowId) })) };
  });

  app.get<{ Params: { id: string } }>('/incidents/:id', async (request) => {
    const ref = await lookupIncident(ctx.client, request.params.id);
    const base = {
      workflowId: ref.workflowId,
      runId: ref.description.runId,
      incidentId: incidentIdOf(ref.description),
      executionStatus: ref.description.status.name,
      url: workflowUrl(ctx.env, ref.workflowId),
    };
    try {
      return { ...base, status: await fetchStatus(ctx.client, ref) };
    } catch (error) {
      // Visibility still knows the incident when no worker can answer the query.
      if (error instanceof EngineUnavailableError)
        return { ...base, status: null, statusError: error.message };
      throw error;
    }
  });

  app.post<{ Params: { id: string; verb: string } }>('/incidents/:id/:verb', async (request, reply) => {
    const verb = request.params.verb as DecisionVerb;
    if (!DECISION_VERBS.includes(verb)) {
      return reply
        .code(404)
        .send({ error: `no decision "${request.params.verb}": use ${DECISION_VERBS.join(', ')}` });
    }
    const header = request.headers['idempotency-key'];
    const updateId =
      header === undefined ? undefined : `${verb}-${parseOrThrow(idempotencyKey, header, 'Idempotency-Key')}`;
    if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
      throw new InvalidRequestError('body must be a JSON object', '(body)');
    }
    // Refuse a bad body before the lookup: finding an incident by its ID may wait on visibility,
    // and a flood of bad requests must not hold connections open for that.
    parseOrThrow(DECISION_SCHEMAS[verb], request.body);
    const ref = await lookupIncident(ctx.client, request.params.id);
    const outcome = await sendDecision(ctx.client, ctx.config.policy, ref, verb, request.body, {
      updateId,
      via: 'api',
    });
    return { ...outcome, workflowId: ref.workflowId, url: workflowUrl(ctx.env, ref.workflowId) };
  });
}
