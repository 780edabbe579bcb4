import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, resolveFormat } from '../../src/logging/logger';
import { sdkLogger } from '../../src/logging/sdk-logger';
import { processLogger } from '../../src/process/logger';
import { loadEnv } from '../../src/config/env';

/** A destination that keeps what pino writes; `isTTY` as a terminal or a pipe would say. */
function capture(isTTY = false) {
  const chunks: string[] = [];
  return {
    chunks,
    stream: { isTTY, write: (chunk: string) => void chunks.push(chunk) },
    json: () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>),
  };
}

describe('the process logger', () => {
  it('writes one JSON object per line when the destination is not a terminal, with name, level, time and bindings', () => {
    const out = capture(false);
    const logger = createLogger({ name: 'worker', destination: out.stream, bindings: { component: 'x' } });
    logger.info({ incidentId: 'INCIDENT-1' }, 'hello');
    logger.child({ step: 'triage' }).warn('careful');
    assert.equal(out.chunks.length, 2);
    assert.ok(out.chunks.every((chunk) => chunk.endsWith('\n') && !chunk.slice(0, -1).includes('\n')));
    const [first, second] = out.json();
    assert.equal(first!.level, 'info');
    assert.equal(first!.name, 'worker');
    assert.equal(first!.msg, 'hello');
    assert.equal(first!.incidentId, 'INCIDENT-1');
    assert.equal(first!.component, 'x');
    assert.equal(first!.pid, process.pid);
    assert.match(String(first!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(second!.level, 'warn');
    assert.equal(second!.step, 'triage');
    assert.equal(second!.component, 'x');
  });

  it('writes readable lines, not JSON, on a terminal', () => {
    assert.equal(resolveFormat(undefined, { isTTY: true }), 'pretty');
    assert.equal(resolveFormat(undefined, { isTTY: false }), 'json');
    assert.equal(resolveFormat('json', { isTTY: true }), 'json');
    // pino-pretty writes to a real stream; this one says it is a terminal.
    const chunks: string[] = [];
    const terminal = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString());
          done();
        },
      }),
      { isTTY: true },
    );
    createLogger({ name: 'api', destination: terminal }).info('listening on http://127.0.0.1:1');
    const text = chunks.join('');
    assert.match(text, /INFO.*\(api\).*listening on http:\/\/127\.0\.0\.1:1/);
    assert.throws(() => JSON.parse(text));
  });

  it('honours the level: nothing below it is written', () => {
    const out = capture();
    const logger = createLogger({ name: 'w', level: 'warn', destination: out.stream });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    assert.deepEqual(
      out.json().map((line) => line.msg),
      ['w', 'e'],
    );
    const silent = capture();
    createLogger({ name: 'w', level: 'silent', destination: silent.stream }).error('e');
    assert.deepEqual(silent.chunks, []);
  });

  it('never writes credentials passed as fields', () => {
    const out = capture();
    createLogger({ name: 'w', destination: out.stream }).info(
      { apiKey: 'k1', taskToken: 't1', headers: { authorization: 'Bearer b1' }, options: { token: 'x1' } },
      'connect',
    );
    const text = out.chunks.join('');
    for (const secret of ['k1', 't1', 'b1', 'x1']) assert.ok(!text.includes(secret), text);
  });

  it("adapts the SDK's Logger: levels mapped, the activity's workflowRunId named runId", () => {
    const out = capture();
    const sdk = sdkLogger(createLogger({ name: 'worker', level: 'trace', destination: out.stream }));
    sdk.log('WARN', 'from core', { sdkComponent: 'core' });
    sdk.debug('from activity', { workflowId: 'wf', workflowRunId: 'run-1', activityType: 'notify' });
    sdk.trace('t');
    const [core, activity, trace] = out.json();
    assert.equal(core!.level, 'warn');
    assert.equal(core!.sdkComponent, 'core');
    assert.equal(activity!.level, 'debug');
    assert.equal(activity!.runId, 'run-1');
    assert.equal(activity!.workflowRunId, undefined);
    assert.equal(activity!.activityType, 'notify');
    assert.equal(trace!.level, 'trace');
  });

  it('takes LOG_LEVEL and LOG_FORMAT from the environment and logs old variable names as warnings', () => {
    const env = loadEnv({ LOG_LEVEL: 'error', LOG_FORMAT: 'json', TEMPORAL_TLS_CA_PATH: '/ca.pem' });
    const logger = processLogger(env, 'api');
    assert.equal(logger.level, 'error');
    // At error the deprecation warning is filtered out; at the default level it is written to
    // stdout, captured here.
    const out = capture();
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string) => (out.chunks.push(chunk), true);
    try {
      processLogger(loadEnv({ LOG_FORMAT: 'json', TEMPORAL_TLS_CA_PATH: '/ca.pem' }), 'api');
    } finally {
      process.stdout.write = original;
    }
    const [line] = out.json();
    assert.equal(line!.level, 'warn');
    assert.equal(line!.deprecated, true);
    assert.match(String(line!.msg), /TEMPORAL_TLS_CA_PATH .*use TEMPORAL_TLS_SERVER_CA_CERT_PATH/);
  });
});
