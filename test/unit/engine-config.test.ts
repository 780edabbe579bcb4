import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigError, loadEngineConfig, parseEngineConfig } from '../../src/config/engine-config';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { tempDir } from '../helpers/temporal';

describe('engine config file', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('incident-config-');
  });
  after(() => dir.cleanup());

  it('documents the defaults exactly: the example file parses to the same config as no file', () => {
    const example = parse(
      readFileSync(join(PROJECT_ROOT, 'incident.config.example.yaml'), 'utf8'),
    ) as unknown;
    assert.deepEqual(parseEngineConfig(example, 'example'), parseEngineConfig({}, 'defaults'));
  });

  it('gives the health URL once: a service healthUrl is the recovery check URL unless the policy names another', () => {
    const url = 'http://127.0.0.1:3000/healthz';
    const target = { services: { 'widgets-api': { start: ['npm', 'start'], port: 3000, healthUrl: url } } };
    assert.equal(parseEngineConfig({ target }).policy.healthCheck.url, url);
    const other = 'http://status.example/ok';
    assert.equal(
      parseEngineConfig({ target, policy: { healthCheck: { url: other } } }).policy.healthCheck.url,
      other,
    );
    // A service without an explicit health URL does not turn on a 30-minute check nobody asked for.
    assert.equal(
      parseEngineConfig({ target: { services: { 'mcp-server': { port: 8787 } } } }).policy.healthCheck.url,
      undefined,
    );
  });

  it('uses the guide defaults when there is no file', async () => {
    const config = await loadEngineConfig(undefined, dir.path);
    assert.equal(config.policy.ackDeadlines['SEV-1'], 15 * 60_000);
    assert.equal(config.policy.ackDeadlines['SEV-4'], 'next-business-day');
    assert.equal(config.policy.review.deadline, 48 * 3_600_000);
    assert.deepEqual(config.target.runbook.buildWidgets.argv, ['pnpm', 'build:widgets']);
  });

  it('reads incident.config.yaml from the working folder', async () => {
    await writeFile(
      join(dir.path, 'incident.config.yaml'),
      'policy:\n  ackDeadlines:\n    SEV-1: 5 minutes\n',
    );
    const config = await loadEngineConfig(undefined, dir.path);
    assert.equal(config.policy.ackDeadlines['SEV-1'], 5 * 60_000);
  });

  it('names the field, the file and the problem for a wrong value, an unknown field and broken YAML', async () => {
    const wrong = join(dir.path, 'wrong.yaml');
    await writeFile(wrong, 'policy:\n  ackDeadlines:\n    SEV-1: soon\n');
    await assert.rejects(loadEngineConfig(wrong), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /wrong\.yaml/);
      assert.match(error.message, /policy\.ackDeadlines\.SEV-1: must be a duration/);
      return true;
    });
    const unknown = join(dir.path, 'unknown.json');
    await writeFile(unknown, JSON.stringify({ target: { repo: '/x' } }));
    await assert.rejects(loadEngineConfig(unknown), /target: Unrecognized key: "repo"/);
    const broken = join(dir.path, 'broken.yaml');
    await writeFile(broken, 'policy: [unclosed\n');
    await assert.rejects(loadEngineConfig(broken), /broken\.yaml is not valid YAML/);
    await assert.rejects(
      loadEngineConfig(join(dir.path, 'absent.yaml')),
      /Cannot read config file .*absent\.yaml/,
    );
  });

  it('names the line of an unknown key or a wrong value, in YAML and in JSON, without the file values', async () => {
    const yaml = join(dir.path, 'lines.yaml');
    await writeFile(yaml, 'incidentsDir: incidents\npolicy:\n  ackDeadlines:\n    SEV-1: "token-abc123"\n');
    await assert.rejects(loadEngineConfig(yaml), (error: Error) => {
      assert.match(error.message, /policy\.ackDeadlines\.SEV-1: must be a duration[^;]* \(line 4\)/);
      assert.doesNotMatch(error.message, /token-abc123/);
      return true;
    });
    const json = join(dir.path, 'lines.json');
    await writeFile(json, '{\n  "incidentsDir": "x",\n  "secretKey": "hunter2"\n}\n');
    await assert.rejects(loadEngineConfig(json), (error: Error) => {
      assert.match(error.message, /\(top level\): Unrecognized key: "secretKey" \(line 3\)/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    const broken = join(dir.path, 'broken-lines.json');
    await writeFile(broken, '{\n  "incidentsDir": "x",\n  hunter2\n}\n');
    await assert.rejects(loadEngineConfig(broken), (error: Error) => {
      assert.match(error.message, /broken-lines\.json is not valid JSON at line 3/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});
