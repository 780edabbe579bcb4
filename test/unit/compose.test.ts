import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { CLUSTER_PINS } from '../../src/temporal/cluster-binaries';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../../src/contracts/search-attributes';
import { loadClusterSettings, NUM_HISTORY_SHARDS } from '../../src/cluster/settings';
import { DYNAMIC_CONFIG_FILE } from '../../src/cluster/setup-scripts';
import { requireTool } from '../../scripts/debian-tools';

const run = promisify(execFile);

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}

// There is no Docker engine on the development machines, so `docker compose up` cannot run here.
// These checks catch what breaks a compose file silently (a missing service or dependency, an
// unpinned image, a mounted script that does not exist) and, above all, drift from the native
// `npm run cluster`: same versions, same Temporal processes, same dynamic config, same scripts.
const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const temporalServices = Object.entries(services).filter(([, s]) =>
  s.image?.startsWith('temporalio/server:'),
);
const native = loadClusterSettings({});

describe('docker-compose.yml', () => {
  it('has the production topology: PostgreSQL, schema setup, five Temporal services, namespace setup, Web UI, two workers and the API', () => {
    assert.deepEqual(Object.keys(services).sort(), [
      'api',
      'postgresql',
      'temporal-frontend',
      'temporal-history-1',
      'temporal-history-2',
      'temporal-matching',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'temporal-worker',
      'worker-1',
      'worker-2',
    ]);
  });

  it('pins every image, at the versions the native cluster uses (src/temporal/cluster-binaries.ts)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      assert.match(service.image ?? '', /^[\w./-]+:\d[\w.-]*$/, `${name} image ${service.image} is pinned`);
    }
    for (const [name, service] of temporalServices) {
      assert.equal(service.image, `temporalio/server:${CLUSTER_PINS.server.version}`, name);
    }
    for (const name of ['temporal-schema', 'temporal-setup']) {
      assert.equal(services[name]!.image, `temporalio/admin-tools:${CLUSTER_PINS.server.version}`);
    }
    assert.equal(services['temporal-ui']!.image, `temporalio/ui:${CLUSTER_PINS.ui.version}`);
    assert.equal(services.postgresql!.image, `postgres:${CLUSTER_PINS.postgresMajor}`);
  });

  it('runs the same Temporal processes as npm run cluster, with the same shards and dynamic config', () => {
    const composeServices = temporalServices.map(([, s]) => s.environment!.TEMPORAL_SERVICES).sort();
    assert.deepEqual(composeServices, native.hosts.map((h) => h.service).sort());
    assert.equal(composeServices.filter((s) => s === 'history').length, 2, 'two history hosts');
    for (const [name, service] of temporalServices) {
      assert.equal(service.environment!.NUM_HISTORY_SHARDS, String(NUM_HISTORY_SHARDS), name);
      assert.equal(
        basename(service.environment!.DYNAMIC_CONFIG_FILE_PATH!),
        basename(DYNAMIC_CONFIG_FILE),
        name,
      );
      assert.ok(
        service.volumes!.includes('./deploy/temporal/dynamicconfig:/etc/temporal/config/dynamicconfig:ro'),
        `${name} mounts deploy/temporal/dynamicconfig`,
      );
    }
    assert.ok(existsSync(DYNAMIC_CONFIG_FILE));
  });

  it('starts each service only after what it needs is ready', () => {
    assert.equal(services['temporal-schema']!.depends_on!.postgresql!.condition, 'service_healthy');
    for (const [name, service] of temporalServices) {
      if (name === 'temporal-worker') continue;
      assert.equal(service.depends_on!['temporal-schema']!.condition, 'service_completed_successfully', name);
    }
    assert.equal(services['temporal-setup']!.depends_on!['temporal-frontend']!.condition, 'service_healthy');
    for (const name of ['worker-1', 'worker-2', 'api']) {
      assert.equal(
        services[name]!.depends_on!['temporal-setup']!.condition,
        'service_completed_successfully',
      );
    }
  });

  it('builds the workers and API from the Dockerfile and points them at the frontend', () => {
    assert.ok(existsSync(join(PROJECT_ROOT, 'Dockerfile')));
    // Compiled JavaScript from the image's build stage (`npm run build`), not tsx.
    for (const name of ['worker-1', 'worker-2']) {
      assert.deepEqual(services[name]!.command, ['node', 'dist/worker/main.js']);
    }
    assert.deepEqual(services.api!.command, ['node', 'dist/api/main.js']);
    for (const name of ['worker-1', 'worker-2', 'api']) {
      assert.equal(services[name]!.build, '.');
      assert.equal(services[name]!.environment!.TEMPORAL_ADDRESS, 'temporal-frontend:7233');
      for (const file of services[name]!.command!.filter((part) => part.startsWith('dist/'))) {
        const source = file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
        assert.ok(existsSync(join(PROJECT_ROOT, source)), `${source} exists (compiled to ${file})`);
      }
    }
    assert.ok(services.api!.environment!.API_TOKEN, 'the exposed API requires a token');
  });

  it('builds the image in a build stage and runs compiled JavaScript as a non-root user', () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const [build, runtime] = dockerfile.split(/^FROM .*$/m).slice(1);
    assert.ok(build && runtime, 'two stages');
    assert.match(build, /RUN npm ci /);
    assert.match(build, /RUN npm run build/);
    assert.match(runtime, /npm ci --omit=dev/);
    assert.match(runtime, /COPY --from=build \/app\/dist \.\/dist/);
    assert.doesNotMatch(runtime, /COPY src|tsx/, 'no sources and no tsx at run time');
    assert.match(runtime, /USER node/);
    assert.match(runtime, /ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    assert.match(runtime, /CMD \["node", "dist\/worker\/main\.js"\]/);
  });

  it('runs the setup scripts the native cluster runs, and register.sh creates exactly the search attributes the workflows use', () => {
    assert.deepEqual(services['temporal-schema']!.entrypoint, ['/bin/sh', '/deploy/setup-schema.sh']);
    assert.deepEqual(services['temporal-setup']!.entrypoint, ['/bin/sh', '/deploy/register.sh']);
    // The native start sequence, shared by npm run cluster and the fault-test harness.
    const native = readFileSync(join(PROJECT_ROOT, 'src/cluster/bring-up.ts'), 'utf8');
    for (const script of ['setup-schema.sh', 'register.sh']) {
      assert.ok(existsSync(join(PROJECT_ROOT, 'deploy/temporal', script)), `${script} exists`);
      assert.ok(native.includes(`runDeployScript('${script}'`), `npm run cluster runs ${script} too`);
      const text = readFileSync(join(PROJECT_ROOT, 'deploy/temporal', script), 'utf8');
      assert.doesNotMatch(text.replace(/^#.*$/gm, ''), /\|\|\s*true/, `${script} ignores no failure`);
    }
    const register = readFileSync(join(PROJECT_ROOT, 'deploy/temporal/register.sh'), 'utf8');
    const list = /^SEARCH_ATTRIBUTES="([^"]+)"/m.exec(register)![1]!.split(' ');
    assert.deepEqual(
      list.sort(),
      Object.entries(SEARCH_ATTRIBUTE_DECLARATIONS)
        .map(([name, type]) => `${name}=${type}`)
        .sort(),
    );
  });

  it('copies into the run stage every folder the compiled worker, API and CLI need', () => {
    const runtime = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8').split(/^FROM .*$/m)[2]!;
    for (const folder of ['bin', 'examples']) assert.match(runtime, new RegExp(`COPY ${folder} `));
  });

  it('is valid for the real docker-compose (1.29, no daemon needed) and refuses to start the API without a token', async () => {
    const dockerCompose = requireTool('dockerCompose');
    const file = join(PROJECT_ROOT, 'docker-compose.yml');
    const env = { ...process.env, API_TOKEN: 'Compose-Test-Token-123' };
    const { stdout } = await run(dockerCompose, ['-f', file, 'config'], { env, cwd: PROJECT_ROOT });
    const resolved = parse(stdout) as { services: Record<string, Service> };
    assert.deepEqual(Object.keys(resolved.services).sort(), Object.keys(services).sort());
    // Anchors and merges resolved as intended: each history host really is a history service.
    assert.equal(resolved.services['temporal-history-2']!.environment!.TEMPORAL_SERVICES, 'history');
    assert.equal(resolved.services['temporal-history-2']!.environment!.POSTGRES_SEEDS, 'postgresql');
    const withoutToken = { ...process.env, API_TOKEN: '' };
    await assert.rejects(
      run(dockerCompose, ['-f', file, 'config'], { env: withoutToken, cwd: PROJECT_ROOT }),
      /set API_TOKEN for the API/,
    );
  });
});
