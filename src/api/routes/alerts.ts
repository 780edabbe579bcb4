import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../use-cases/validation';
import type { ApiContext } from '../context';
import { fromAlertmanager, fromGeneric } from '../../intake/normalize';
import { alertmanagerPayloadSchema } from '../../intake/schemas/alertmanager';
import { genericAlertSchema } from '../../intake/schemas/generic';
import { deliverAlerts, prepareAlerts } from '../alert-delivery';

/**
 * `POST /webhooks/alertmanager` and `POST /webhooks/generic`: validate the whole body, then open or
 * join one incident per dedup key. 202 because the incident runs on after the answer.
 */
export function alertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/webhooks/alertmanager', async (request, reply) => {
    const payload = parseOrThrow(alertmanagerPayloadSchema, request.body);
    const prepared = prepareAlerts(ctx, fromAlertmanager(payload), 'alerts');
    const incidents = await deliverAlerts(ctx, prepared, { withIncidentId: false });
    return reply.code(202).send({ accepted: incidents.length, incidents });
  });

  app.post('/webhooks/generic', async (request, reply) => {
    const alert = parseOrThrow(genericAlertSchema, request.body);
    const [result] = await deliverAlerts(ctx, prepareAlerts(ctx, [fromGeneric(alert)], ''), {
      withIncidentId: true,
    });
    return reply.code(202).send(result);
  });
}
