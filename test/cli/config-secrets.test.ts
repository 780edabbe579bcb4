import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/temporal';
import { runCli } from './run-cli';

const SECRET = 'Zq8SuperSecretHashValue0123456789xyz';

/**
 * A config file that is not one (someone's `--config /etc/shadow`) or that carries a secret in a
 * wrong place: the error names the file, the line and the key, never a value from the file.
 * Temporal is a closed port, so any case that went further would exit 5.
 */
const FILES: { name: string; file: string; text: string; reason: RegExp }[] = [
  {
    name: 'a file shaped like /etc/shadow',
    file: 'shadow',
    text: `root:$6$saltsalt$${SECRET}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n`,
    reason: /shadow.*line 1/,
  },
  {
    name: 'a secret under an unknown nested key',
    file: 'nested.yaml',
    text: `policy:\n  ackDeadlines:\n    SEV-1: 5 minutes\n  apiToken: ${SECRET}\n`,
    reason: /nested\.yaml.*policy: Unrecognized key: "apiToken" \(line 4\)/,
  },
  {
    name: 'a secret as a wrong duration value',
    file: 'value.yaml',
    text: `incidentsDir: incidents\npolicy:\n  escalationInterval: "${SECRET}"\n`,
    reason: /value\.yaml.*policy\.escalationInterval.*line 3/,
  },
  {
    name: 'a secret in a file that is not JSON',
    file: 'secret.json',
    text: `${SECRET}\n`,
    reason: /secret\.json is not valid JSON/,
  },
];

describe('config file errors never echo what the file holds', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('incident-config-secrets-');
  });
  after(() => dir?.cleanup());

  for (const c of FILES) {
    it(`names file, line and key for ${c.name}, without the secret`, async () => {
      const path = join(dir.path, c.file);
      await writeFile(path, c.text);
      const run = await runCli(dir.path, ['--config', path, 'status', 'INCIDENT-20261130-010000-x'], {
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      });
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, c.reason);
      for (const fragment of [SECRET, SECRET.slice(0, 8), 'saltsalt', '19000'])
        assert.ok(!`${run.stdout}${run.stderr}`.includes(fragment), `"${fragment}" echoed: ${run.stderr}`);
    });
  }

  it('caps a long list of errors and truncates long key names', async () => {
    const path = join(dir.path, 'many.yaml');
    const keys = Array.from({ length: 30 }, (_, i) => `unknown_key_${i}_${'x'.repeat(60)}`);
    await writeFile(path, keys.map((k) => `${k}: 1`).join('\n'));
    const run = await runCli(dir.path, ['--config', path, 'list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.length < 800, `short: ${run.stderr.length} characters`);
    assert.match(run.stderr, /and 2\d more/);
    assert.ok(!run.stderr.includes('x'.repeat(50)), 'key names truncated');
  });
});
