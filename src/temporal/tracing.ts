import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { tracingSettings } from '../config/tracing-env';
import { activeTracing, setActiveTracing } from './tracing-state';

/**
 * One process's tracing: the registered tracer provider and the Temporal plugin that carries the
 * trace through client calls (StartWorkflow, SignalWithStartWorkflow), workflows (RunWorkflow,
 * StartActivity; exported from the sandbox through the plugin's sink) and activities (RunActivity).
 */
export interface Tracing {
  plugin: OpenTelemetryPlugin;
  serviceName: string;
  /** Flushes spans still batched; call before the process exits (a CLI call lives for a second). */
  shutdown: () => Promise<void>;
}

/**
 * Registers the OpenTelemetry tracer provider for this process, once, or returns undefined when
 * tracing is off. OpenTelemetry's API is process-global by design (the interceptors and the HTTP
 * hooks find the tracer and the W3C propagator through it), so this is too: a second call returns
 * the first setup.
 *
 * `spanProcessor` replaces the exporter chosen from OTEL_* (tests pass an in-memory exporter).
 */
export function startTracing(
  defaultServiceName: string,
  options: {
    environment?: NodeJS.ProcessEnv;
    spanProcessor?: SpanProcessor;
    log?: (line: string) => void;
  } = {},
): Tracing | undefined {
  const installed = activeTracing();
  if (installed) return installed;
  const settings = tracingSettings(defaultServiceName, options.environment);
  options.log?.(
    `[tracing] ${options.spanProcessor ? 'tracing on: caller-supplied span processor' : settings.reason}`,
  );
  if (!settings.exporter && !options.spanProcessor) return undefined;

  // OTEL_RESOURCE_ATTRIBUTES (deployment.environment, service.version, ...) plus the service name.
  const resource = new Resource({
    ...Resource.default().attributes,
    ...envDetectorSync.detect().attributes,
    'service.name': settings.serviceName,
  });
  // Batched: an exporter call per span would put the collector's latency on every activity.
  const spanProcessor =
    options.spanProcessor ??
    new BatchSpanProcessor(
      settings.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter(),
    );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Sets the global tracer provider, the AsyncLocalStorage context manager (the active span
  // follows awaits from the HTTP hook into the Temporal client) and the W3C trace-context propagator.
  provider.register();
  const tracing: Tracing = {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor }),
    serviceName: settings.serviceName,
    shutdown: () => provider.shutdown(),
  };
  setActiveTracing(tracing);
  return tracing;
}

export { activeTracing };
