import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const tracer = () => trace.getTracer('incident-engine-api');
const spans = new WeakMap<FastifyRequest, Span>();

/**
 * One SERVER span per request, named `<METHOD> <route>` (`POST /webhooks/alertmanager`), the
 * parent of every Temporal client span the handler makes (SignalWithStartWorkflow, ...). A W3C
 * `traceparent` sent by the caller (Alertmanager behind a traced proxy, a traced script) becomes
 * its parent, so the trace can start before the engine.
 *
 * Fastify hooks cannot wrap the handler in a context, so `onRoute` wraps each handler in
 * `context.with(span)`; the AsyncLocalStorage context manager then carries it across awaits into
 * the Temporal client. Call before any route is registered (scopes inherit onRoute hooks).
 * A few dependency-free hooks instead of @opentelemetry/instrumentation-http/-fastify, which
 * patch modules at load time and need their own loader set-up under tsx.
 */
export function traceRequests(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer().startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          'url.path': request.url.split('?')[0],
        },
      },
      parent,
    );
    spans.set(request, span);
    done();
  });

  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request, reply) {
      const span = spans.get(request);
      if (!span) return handler.call(this, request, reply);
      return context.with(trace.setSpan(context.active(), span), () => handler.call(this, request, reply));
    };
  });

  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      // Server spans are errors on 5xx only: a 4xx is the caller's mistake, answered correctly.
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });

  // A client that hangs up gets no response, so onResponse never runs: end the span here.
  app.addHook('onRequestAbort', (request, done) => {
    const span = spans.get(request);
    if (span) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
      span.end();
      spans.delete(request);
    }
    done();
  });
}
