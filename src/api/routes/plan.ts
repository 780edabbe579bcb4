import type { FastifyInstance } from 'fastify';
import { lookupIncident } from '../../use-cases/lookup';
import { fetchStatus } from '../../use-cases/status';
import { configAsRun, planAlertBody, planOpenIncident } from '../../intake/alert-plan';
import type { ApiContext } from '../context';

/**
 * `POST /plan` (an alert body, Alertmanager or generic shape) and `GET /incidents/:id/plan`: what
 * the engine would do (stages, deadlines, options, every rollback step), with no side effect: no
 * workflow is started or signalled.
 */
export function planRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/plan', async (request) => ({
    plans: planAlertBody(await configAsRun(ctx.config), request.body, new Date()),
  }));

  app.get<{ Params: { id: string } }>('/incidents/:id/plan', async (request) => {
    const ref = await lookupIncident(ctx.client, request.params.id);
    return planOpenIncident(await configAsRun(ctx.config), await fetchStatus(ctx.client, ref), new Date());
  });
}
