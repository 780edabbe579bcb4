import { EnvError } from './env';

/**
 * Whether and where to send traces, from the standard OpenTelemetry variables (the ones every
 * collector and vendor documents), so an operator sets nothing engine-specific. The OTLP exporter
 * reads the endpoint, headers and timeout itself; this only decides on or off and names the
 * service.
 */
export type TraceExporterKind = 'otlp' | 'console';

export interface TracingSettings {
  /** undefined: tracing off (no provider, no interceptors, no per-request cost). */
  exporter?: TraceExporterKind;
  /** OTEL_SERVICE_NAME, else the process's own name (incident-api, incident-worker, incident-cli). */
  serviceName: string;
  /** One line for the process log saying what was chosen and why. */
  reason: string;
}

const truthy = (value: string | undefined) => value !== undefined && /^(1|true|yes)$/i.test(value.trim());

/**
 * Tracing is on when OTEL_TRACES_EXPORTER names an exporter, or when an OTLP endpoint is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and OTEL_TRACES_EXPORTER is
 * unset. The SDK's own default is "otlp to localhost:4318 always", which would make every CLI call
 * and test try to reach a collector that is not there; off by default is the engine's choice.
 */
export function tracingSettings(
  defaultServiceName: string,
  environment: NodeJS.ProcessEnv = process.env,
): TracingSettings {
  const serviceName = environment.OTEL_SERVICE_NAME?.trim() || defaultServiceName;
  if (truthy(environment.OTEL_SDK_DISABLED))
    return { serviceName, reason: 'tracing off: OTEL_SDK_DISABLED is set' };
  const named = environment.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim().toLowerCase());
  const endpoint =
    environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || environment.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (named && named.length > 0 && named[0] !== '') {
    if (named.includes('none')) return { serviceName, reason: 'tracing off: OTEL_TRACES_EXPORTER=none' };
    const unknown = named.filter((name) => name !== 'otlp' && name !== 'console');
    if (unknown.length > 0)
      throw new EnvError(
        `OTEL_TRACES_EXPORTER: ${unknown.join(', ')} is not supported; use otlp, console or none`,
      );
    // One exporter is enough for this engine; otlp wins when both are named.
    const exporter: TraceExporterKind = named.includes('otlp') ? 'otlp' : 'console';
    return {
      exporter,
      serviceName,
      reason: `tracing on: ${exporter} exporter${exporter === 'otlp' ? ` to ${endpoint ?? 'http://localhost:4318'}` : ''} as ${serviceName}`,
    };
  }
  if (endpoint)
    return {
      exporter: 'otlp',
      serviceName,
      reason: `tracing on: otlp exporter to ${endpoint} as ${serviceName}`,
    };
  return {
    serviceName,
    reason: 'tracing off: set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER to turn it on',
  };
}
