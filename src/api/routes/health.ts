import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';

/** How long /healthz waits for Temporal before calling it down. */
export const HEALTH_DEADLINE_MS = 2_000;

/**
 * True when the Temporal frontend answers, within the deadline whatever the SDK's own retries do
 * (the timer answers even if a retried call outlives its gRPC deadline).
 */
async function temporalAnswers(ctx: ApiContext): Promise<{ ok: true } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${HEALTH_DEADLINE_MS} ms`)),
      HEALTH_DEADLINE_MS,
    );
  });
  try {
    await Promise.race([
      ctx.client.withDeadline(Date.now() + HEALTH_DEADLINE_MS, () =>
        ctx.client.workflowService.getSystemInfo({}),
      ),
      timeout,
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0]! };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /healthz`: 200 `{ ok: true, temporal: 'serving' }` when the Temporal frontend answers
 * within 2 s; else 503 naming what is down in `down` (`["temporal"]`, the API's one dependency)
 * with the gRPC error's first line. No auth: it says nothing secret.
 */
export function healthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/healthz', async (_request, reply) => {
    const temporal = await temporalAnswers(ctx);
    if (temporal.ok) return { ok: true, temporal: 'serving' };
    return reply
      .code(503)
      .send({ ok: false, down: ['temporal'], temporal: 'unreachable', error: temporal.error });
  });
}
