/* eslint-disable @typescript-eslint/unbound-method -- activity objects never use `this` */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCommandActivities } from '../../src/activities/target/commands';
import { createDiagnosticActivities, type DiagnosticInput } from '../../src/activities/target/diagnostics';
import { createServiceActivities } from '../../src/activities/target/services';
import { SCENARIO_CATALOGUE, type DiagnosticId } from '../../src/domain/scenarios';
import { type BreakKind, createExampleRepo, freePort } from '../helpers/example-repo';
import { quietActivityEnv, runbookDeps } from '../helpers/runbook-deps';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'diagnostics-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('triage diagnostics', () => {
  it('snapshots HEAD, the newest known-good tag and the commits since', async () => {
    const repo = await createExampleRepo(dir, { breakKind: 'ui-change', docsAfter: true }, 'snapshot');
    const acts = createDiagnosticActivities(runbookDeps(dir, repo.path, 1));
    const snapshot = await quietActivityEnv().run(acts.snapshotRepository, { incidentId: 'INC-D1' });
    assert.equal(snapshot.head, repo.headSha);
    assert.deepEqual(snapshot.knownGood, { tag: 'v1.0.0', sha: repo.goodSha });
    assert.deepEqual(
      snapshot.commitsSinceKnownGood.map((c) => c.subject),
      ['Add a changelog', 'New accent colour'],
    );
  });

  it('runs every diagnostic of every scenario and finds the break each repository has', async () => {
    const expectations: [BreakKind, DiagnosticId, boolean, RegExp][] = [
      ['mcp-start', 'contract-test', false, /contract test FAILED/],
      ['mcp-start', 'recent-commits-mcp', true, /Rename render_widget/],
      ['widget-build', 'widget-build', false, /widget build FAILS/],
      ['ui-change', 'visual-diff', false, /visual diffs detected.*differ from baseline/],
      ['ui-change', 'ui-source-diff', false, /packages\/ui\/src\//],
      ['test-hang', 'test-timeouts', false, /without any timeout/],
    ];
    const repos = new Map<string, string>();
    for (const [kind, diagnostic, ok, summary] of expectations) {
      if (!repos.has(kind))
        repos.set(kind, (await createExampleRepo(dir, { breakKind: kind }, `diag-${kind}`)).path);
      const acts = createDiagnosticActivities(runbookDeps(dir, repos.get(kind)!, await freePort()));
      const input: DiagnosticInput = { incidentId: 'INC-D2', diagnostic };
      const result = await quietActivityEnv().run(acts.runDiagnostic, input);
      assert.equal(result.ok, ok, `${kind} ${diagnostic}: ${result.summary}`);
      assert.match(result.summary, summary);
    }
  });

  it('answers every DiagnosticId in the catalogue on a healthy repository', async () => {
    const repo = await createExampleRepo(dir, {}, 'healthy');
    const deps = runbookDeps(dir, repo.path, await freePort());
    const env = quietActivityEnv();
    await env.run(createCommandActivities(deps).runRunbookCommand, {
      incidentId: 'INC-D3',
      command: 'buildWidgets',
      step: 'build',
    });
    const service = createServiceActivities(deps);
    await env.run(service.startService, { service: 'mcp' });
    const acts = createDiagnosticActivities(deps);
    const ids = new Set(Object.values(SCENARIO_CATALOGUE).flatMap((s) => s.diagnostics));
    for (const diagnostic of ids) {
      const result = await env.run(acts.runDiagnostic, {
        incidentId: 'INC-D3',
        diagnostic: diagnostic,
      });
      assert.equal(result.diagnostic, diagnostic);
      assert.ok(result.summary.length > 0);
      // The example has no @openai/apps-sdk-ui (pnpm list answers empty) and its tests set no timeouts.
      if (!['upstream-ui-sdk', 'test-timeouts', 'ui-source-diff'].includes(diagnostic))
        assert.equal(result.ok, true, `${diagnostic}: ${result.summary}`);
    }
    await env.run(service.stopService, { service: 'mcp' });
  });

  it('summarises a `node --test` contract test by its failing tests, not its duration line', async () => {
    const repo = await createExampleRepo(dir, { breakKind: 'mcp-start' }, 'diag-node-test');
    const deps = runbookDeps(dir, repo.path, 1, {
      runbook: { contractTest: { argv: ['node', '--test', 'test/'] } },
    });
    const result = await quietActivityEnv().run(createDiagnosticActivities(deps).runDiagnostic, {
      incidentId: 'INC-D4',
      diagnostic: 'contract-test',
    });
    assert.equal(result.ok, false);
    assert.match(
      result.summary,
      /^contract test FAILED \(exit 1\): 1 of \d+ tests failed \(node --test\): every contract tool has an implementation$/,
    );
  });
});
