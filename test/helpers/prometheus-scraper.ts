/**
 * A real Prometheus (the Debian package) for tests: scrapes the given targets every second and
 * answers PromQL over its HTTP API. Not installed: the start fails with how to install it, never
 * skips.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, groupAlive, spawnGroup, waitFor } from './processes';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  url: string;
  query: (promql: string) => Promise<PromSample[]>;
  close: () => Promise<void>;
}

function prometheusBinary(): string {
  const bin = process.env.PROMETHEUS_BIN ?? 'prometheus';
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    return bin;
  } catch {
    throw new Error(
      `Prometheus not found (${bin}): install it with \`npx tsx scripts/provision.ts\` or \`apt-get install -y prometheus\`, or set PROMETHEUS_BIN`,
    );
  }
}

export async function startPrometheus(dir: string, targets: Record<string, string>): Promise<Prometheus> {
  const bin = prometheusBinary();
  await mkdir(join(dir, 'data'), { recursive: true });
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    ...Object.entries(targets).flatMap(([job, target]) => [
      `  - job_name: ${job}`,
      '    static_configs:',
      `      - targets: ['${target}']`,
    ]),
  ].join('\n');
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, `${config}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawned = spawnGroup(bin, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const close = async () => {
    const pid = spawned.child.pid;
    if (pid === undefined || !groupAlive(pid)) return;
    process.kill(-pid, 'SIGKILL');
    await spawned.exited;
  };
  try {
    await waitFor(
      () => `Prometheus to be ready; output:\n${spawned.output()}`,
      async () => {
        if (spawned.child.exitCode !== null) throw new Error(`prometheus exited:\n${spawned.output()}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      30_000,
    );
  } catch (error) {
    await close();
    throw error;
  }
  const query = async (promql: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: PromSample[] };
    };
    if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error ?? response.status}`);
    return body.data!.result;
  };
  return { url, query, close };
}
