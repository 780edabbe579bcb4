import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvError } from '../../src/config/env';
import { tracingSettings } from '../../src/config/tracing-env';

describe('tracing settings from the OTEL_* variables', () => {
  it('is off when nothing is configured (the SDK default would dial localhost:4318 from every CLI call)', () => {
    const settings = tracingSettings('incident-api', {});
    assert.equal(settings.exporter, undefined);
    assert.equal(settings.serviceName, 'incident-api');
    assert.match(settings.reason, /OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('turns on OTLP when an endpoint is set, and names the service from OTEL_SERVICE_NAME', () => {
    const settings = tracingSettings('incident-worker', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'engine-worker',
    });
    assert.equal(settings.exporter, 'otlp');
    assert.equal(settings.serviceName, 'engine-worker');
    assert.match(settings.reason, /collector:4318/);
    assert.equal(
      tracingSettings('x', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }).exporter,
      'otlp',
    );
  });

  it('follows OTEL_TRACES_EXPORTER (otlp, console, none) and OTEL_SDK_DISABLED', () => {
    assert.equal(tracingSettings('x', { OTEL_TRACES_EXPORTER: 'otlp' }).exporter, 'otlp');
    assert.equal(tracingSettings('x', { OTEL_TRACES_EXPORTER: 'console' }).exporter, 'console');
    const none = { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    assert.equal(tracingSettings('x', none).exporter, undefined);
    const disabled = { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' };
    assert.equal(tracingSettings('x', disabled).exporter, undefined);
  });

  it('refuses an exporter it cannot run, naming the variable', () => {
    // An EnvError: exit code 2 (bad configuration), like any other bad variable.
    assert.throws(
      () => tracingSettings('x', { OTEL_TRACES_EXPORTER: 'zipkin' }),
      (error: Error) => error instanceof EnvError && /OTEL_TRACES_EXPORTER: zipkin/.test(error.message),
    );
  });
});
