import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';

/** `GET /healthz`: 200 when the Temporal frontend answers within 2 s, else 503. No auth: it says nothing secret. */
export function healthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      await ctx.client.withDeadline(Date.now() + 2_000, () => ctx.client.workflowService.getSystemInfo({}));
      return { ok: true, temporal: 'serving' };
    } catch (error) {
      return reply
        .code(503)
        .send({ ok: false, temporal: 'unreachable', error: (error as Error).message.split('\n')[0] });
    }
  });
}
