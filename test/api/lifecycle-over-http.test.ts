import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type IncidentStatus, statusQuery } from '../../src/contracts/messages';
import { createExampleRepo, type ExampleRepo, revertsOf } from '../helpers/example-repo';
import { type ApiHarness, eventually, startApiHarness } from './harness';

describe('an incident driven from alert to report over HTTP only', () => {
  let h: ApiHarness;
  let dir: string;
  let repo: ExampleRepo;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'incident-http-life-'));
    repo = await createExampleRepo(dir, { breakKind: 'widget-build' });
    h = await startApiHarness('http-lifecycle', {
      target: { repoPath: repo.path },
      policy: { approvers: { 'SEV-3': { '*': ['@lead'] } } },
    });
  });
  after(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens from a webhook, is acknowledged, approved, rolled back, resolved and reviewed through the API', async () => {
    const opened = await h.call('/webhooks/generic', {
      json: {
        dedup_key: 'widget-build-main',
        severity: 'warning',
        summary: 'Widget build fails: bundle size exceeded',
        source: 'ci',
        service: 'widgets',
        scenario: 'widget-build-fails',
        detection_source: 'ci-failure',
      },
    });
    assert.equal(opened.status, 202);
    const { incidentId, workflowId } = (await opened.json()) as { incidentId: string; workflowId: string };
    const until = (what: string, predicate: (s: IncidentStatus) => boolean) =>
      eventually(async () => {
        const s = await h.temporal.client.workflow.getHandle(workflowId).query(statusQuery);
        return predicate(s) ? s : undefined;
      }, 60_000).catch((error: Error) => {
        throw new Error(`${what}: ${error.message}`);
      });
    const decide = async (verb: string, body: unknown) => {
      const response = await h.call(`/incidents/${incidentId}/${verb}`, { json: body });
      assert.equal(response.status, 200, `${verb}: ${await response.clone().text()}`);
      return (await response.json()) as { accepted: boolean; stage: string };
    };

    await decide('ack', { by: '@oncall' });
    const proposed = await until(
      'a proposed revert',
      (s) => s.pendingApproval?.option === 'revert-last-change',
    );
    assert.match(proposed.triage?.regression ?? '', /1 commit\(s\) since known-good v1\.0\.0/);

    await decide('approve', {
      option: 'revert-last-change',
      approver: '@lead',
      comment: 'bundle regression',
    });
    await until('mitigation to finish', (s) => s.stage === 'resolution');
    assert.equal(
      (await revertsOf(repo.path, repo.badSha!)).length,
      1,
      'the approved rollback reverted the bad commit once',
    );

    await decide('resolve', {
      by: '@oncall',
      whys: ['build failed', 'widget over budget'],
      fix: { branch: 'fix/changelog' },
    });
    await until('review', (s) => s.stage === 'review');
    await decide('review', {
      by: '@oncall',
      wentWell: ['Quick detection'],
      actionItems: ['Bundle-size gate'],
    });
    await until('close', (s) => s.stage === 'closed');
    // The stage turns closed just before the final report replaces the draft at the same path;
    // the run's result comes after it, so the report read below is the final one.
    const closed = (await h.temporal.client.workflow.getHandle(workflowId).result()) as IncidentStatus;

    const shown = (await (await h.call(`/incidents/${workflowId}`)).json()) as { status: IncidentStatus };
    assert.equal(shown.status.stage, 'closed');
    const report = await readFile(closed.reportPath!, 'utf8');
    assert.match(report, new RegExp(`# Incident Report: ${incidentId}`));
    assert.match(report, /Bundle-size gate/);
  });
});
