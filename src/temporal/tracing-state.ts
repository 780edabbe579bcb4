import type { Tracing } from './tracing';

/**
 * The tracing this process started, kept apart from tracing.ts so that a client connection can ask
 * for it without loading OpenTelemetry: only startTracing (tracing.ts) sets it, so a process that
 * never turned tracing on (every CLI call without OTEL_*) never loads the exporter packages.
 */
let installed: Tracing | undefined;

/** The tracing this process started, if any: connectClient adds its plugin to every client. */
export const activeTracing = (): Tracing | undefined => installed;

export function setActiveTracing(tracing: Tracing): void {
  installed = tracing;
}
