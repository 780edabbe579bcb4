import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHealthProbeActivities, type HealthProbeInput } from '../../src/activities/target/health-probe';
import { createPolicyActivities } from '../../src/activities/incident/load-policy';
import {
  createOpenIncidentActivities,
  type OpenIncidentCountInput,
} from '../../src/activities/incident/open-incidents';
import { createRecordActivities, type ReportFileInput } from '../../src/activities/incident/records';
import { lifecycleDeps, startHealthEndpoint } from '../helpers/lifecycle';
import { tempDir } from '../helpers/temporal';

describe('lifecycle activities', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let health: Awaited<ReturnType<typeof startHealthEndpoint>>;
  const lines: string[] = [];
  before(async () => {
    dir = await tempDir('lifecycle-activities-');
    health = await startHealthEndpoint();
  });
  after(async () => {
    await health?.close();
    await dir?.cleanup();
  });
  const deps = () => lifecycleDeps(dir.path, lines, { escalationInterval: '5 minutes' });
  /** Runs an activity in MockActivityEnvironment, keeping its argument and result types. */
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment().run<A, R, (...args: A) => Promise<R>>(fn, ...args);

  it('probes health with a real GET: 200 is ok, 503 and a closed port are failed results, not errors', async () => {
    const acts = createHealthProbeActivities(deps());
    const probeHealth = (input: HealthProbeInput) => acts.probeHealth(input);
    const ok = await run(probeHealth, { incidentId: 'INC-1', url: health.url, timeoutMs: 2_000 });
    assert.deepEqual([ok.ok, ok.status], [true, 200]);
    health.setHealthy(false);
    const down = await run(probeHealth, { incidentId: 'INC-1', url: health.url, timeoutMs: 2_000 });
    assert.deepEqual([down.ok, down.status], [false, 503]);
    health.setHealthy(true);
    const refused = await run(probeHealth, {
      incidentId: 'INC-1',
      url: 'http://127.0.0.1:1/health',
      timeoutMs: 2_000,
    });
    assert.equal(refused.ok, false);
    assert.equal(refused.status, undefined);
    assert.ok(refused.error);
  });

  it('hands the worker policy to the workflow, parsed to milliseconds', async () => {
    const acts = createPolicyActivities(deps());
    const loadPolicy = () => acts.loadPolicy();
    const policy = await run(loadPolicy);
    assert.equal(policy.escalationInterval, 300_000);
    assert.equal(policy.ackDeadlines['SEV-1'], 900_000);
  });

  it('says so instead of guessing when no Temporal client is there to count open incidents', async () => {
    const acts = createOpenIncidentActivities(deps());
    const countOpenIncidents = (input: OpenIncidentCountInput) => acts.countOpenIncidents(input);
    const result = await run(countOpenIncidents, {
      severity: 'SEV-2',
      excludeWorkflowId: 'incident-x',
    });
    assert.deepEqual(result, { detail: 'no Temporal client configured for visibility queries' });
  });

  it('writes report.md whole under the incident folder and refuses IDs that climb out of it', async () => {
    const acts = createRecordActivities(deps());
    const writeReport = (input: ReportFileInput) => acts.writeReport(input);
    const path = await run(writeReport, {
      incidentId: 'INCIDENT-20261127-170000-abcd',
      markdown: '# Report\n',
    });
    assert.equal(path, join(dir.path, 'incidents', 'INCIDENT-20261127-170000-abcd', 'report.md'));
    assert.equal(await readFile(path, 'utf8'), '# Report\n');
    assert.deepEqual(await readdir(join(dir.path, 'incidents', 'INCIDENT-20261127-170000-abcd')), [
      'report.md',
    ]);
    await assert.rejects(run(writeReport, { incidentId: '../escape', markdown: 'x' }), /unsafe incident ID/);
  });
});
