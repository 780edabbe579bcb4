import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { groupAlive } from '../helpers/processes';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus';

/** A tiny /metrics endpoint whose counter the test moves. */
async function metricsServer(): Promise<{ server: Server; port: number; bump: () => void }> {
  let count = 3;
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/plain; version=0.0.4');
    response.end(`# TYPE demo_total counter\ndemo_total{kind="a"} ${count}\n`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, bump: () => (count += 2) };
}

describe('the Prometheus test helper', () => {
  let target: Awaited<ReturnType<typeof metricsServer>>;
  let prom: PrometheusServer;
  before(async () => {
    target = await metricsServer();
    prom = await startPrometheus({ scrape: [{ job: 'demo', targets: [`127.0.0.1:${target.port}`] }] });
  });
  after(async () => {
    await prom?.stop();
    target?.server.close();
  });

  it('scrapes the target and answers instant queries with parsed samples', async () => {
    const up = await prom.waitForSeries('up{job="demo"}', (s) => s[0]?.value === 1);
    assert.equal(up[0]!.metric.instance, `127.0.0.1:${target.port}`);
    await prom.waitForSeries('demo_total', (s) => s[0]?.value === 3);
    target.bump();
    const moved = await prom.waitForSeries('demo_total{kind="a"}', (s) => s[0]?.value === 5);
    assert.equal(moved[0]!.metric.__name__, 'demo_total');
    assert.deepEqual(
      (await prom.query('scalar(demo_total) * 2')).map((s) => s.value),
      [10],
    );
  });

  it('rejects a bad query with Prometheus’ own error', async () => {
    await assert.rejects(prom.query('sum(('), /Prometheus query failed: bad_data/);
  });

  it('stop() leaves no process and no folder behind', async () => {
    const other = await startPrometheus();
    assert.ok(existsSync(other.dir));
    assert.equal(groupAlive(other.pid), true);
    await other.stop();
    assert.equal(existsSync(other.dir), false);
    assert.equal(groupAlive(other.pid), false);
    await assert.rejects(fetch(`${other.url}/-/ready`));
  });

  it('fails clearly when Prometheus is not provisioned', async () => {
    await assert.rejects(
      startPrometheus({ env: { PROMETHEUS_BIN: '/nowhere/prometheus', PATH: '' } }),
      /prometheus is not provisioned[\s\S]*PROMETHEUS_BIN=\/nowhere\/prometheus[\s\S]*npm run provision/,
    );
  });
});
