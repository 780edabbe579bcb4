import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEngineConfig } from '../../src/config/engine-config';
import { buildProcedure, describeStep, successPathStepIds } from '../../src/domain/procedures';

const target = (raw: Record<string, unknown> = {}) =>
  parseEngineConfig({ target: { repoPath: '/srv/app', ...raw } }, 'test').target;

describe('rollback procedures as data', () => {
  it('plans the full rollback with the exact argv of every runbook command, in the guide order', () => {
    const plan = buildProcedure({ incidentId: 'INC-1', procedure: 'full', mode: 'checkout' }, target());
    assert.deepEqual(successPathStepIds(plan), [
      'acquire-repo-lock',
      'identify-stable-tag',
      'save-backup',
      'stop-mcp-server',
      'checkout-known-good',
      'remove-node-modules',
      'install',
      'build',
      'start-mcp-server',
      'verify-tests',
      'verify-contract',
      'release-repo-lock',
    ]);
    const argv = Object.fromEntries(plan.steps.map((s) => [s.id, s.argv]));
    assert.deepEqual(argv['install'], ['pnpm', 'install']);
    assert.deepEqual(argv['build'], ['pnpm', 'build']);
    assert.deepEqual(argv['remove-node-modules'], ['rm', '-rf', 'node_modules']);
    assert.deepEqual(argv['start-mcp-server'], ['pnpm', 'mcp:start']);
    assert.deepEqual(argv['verify-contract'], ['pnpm', 'test:mcp-contract']);
    assert.ok(plan.steps.every((s) => s.cwd === '/srv/app'));
    const stop = plan.steps.find((s) => s.id === 'stop-mcp-server')!;
    assert.equal(stop.undo?.id, 'undo-stop-mcp-server');
    assert.match(stop.undo.when!, /only when the step stopped/);
    assert.match(
      describeStep(plan.steps.find((s) => s.id === 'checkout-known-good')!),
      /git checkout --detach <known-good>/,
    );
  });

  it('takes the service key and the MCP path from the config, not "mcp" and "platforms/mcp/"', () => {
    const plan = buildProcedure(
      { incidentId: 'INC-2', procedure: 'mcp', mode: 'revert' },
      target({
        services: { 'mcp-server': { start: ['node', 'server.mjs'], port: 9000 } },
        paths: { mcp: 'services/mcp/' },
        runbook: { install: { argv: ['npm', 'ci'] } },
      }),
    );
    assert.deepEqual(plan.services, ['mcp-server']);
    assert.equal(plan.path, 'services/mcp/');
    const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    assert.equal(byId['stop-server']!.service, 'mcp-server');
    assert.deepEqual(byId['start-server']!.argv, ['node', 'server.mjs']);
    assert.deepEqual(byId['identify-recent-changes']!.argv, [
      'git',
      'log',
      '--oneline',
      '-5',
      '--',
      'services/mcp/',
    ]);
    assert.deepEqual(byId['install']!.argv, ['npm', 'ci']);
    assert.equal(byId['resolve-bad-commit']!.when, 'bad-commit-not-found');
  });

  it("uses the incident's services that are configured and notes the others", () => {
    const plan = buildProcedure(
      {
        incidentId: 'INC-3',
        procedure: 'full',
        mode: 'checkout',
        knownGood: 'v1.0.0',
        services: ['api', 'web'],
      },
      target({ services: { api: {}, web: { port: 9001 }, worker: { port: 9002 } } }),
    );
    assert.deepEqual(plan.services, ['api', 'web']);
    const ghost = buildProcedure(
      { incidentId: 'INC-3', procedure: 'full', mode: 'checkout', services: ['nope'] },
      target(),
    );
    assert.deepEqual(ghost.services, ['mcp-server']);
    assert.match(ghost.notes.join('\n'), /"nope" is not in target.services/);
  });

  it('names explicit SHAs and tags in the destructive steps when the input has them', () => {
    const sha = 'a'.repeat(40);
    const plan = buildProcedure(
      { incidentId: 'INC-4', procedure: 'widget', mode: 'revert', badCommit: sha },
      target(),
    );
    assert.deepEqual(plan.steps.find((s) => s.id === 'revert-commit')!.argv, [
      'git',
      'revert',
      '--no-edit',
      sha,
    ]);
    assert.equal(
      plan.steps.find((s) => s.id === 'resolve-bad-commit'),
      undefined,
    );
  });
});
