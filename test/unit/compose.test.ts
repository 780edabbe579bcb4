import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../../src/contracts/search-attributes';

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
// These checks catch what breaks a compose file silently: a missing service or dependency, an
// unpinned image, a mounted script or build file that does not exist, a wrong Temporal address.
const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has the production topology: PostgreSQL, schema setup, server, namespace setup, Web UI, worker and API', () => {
    assert.deepEqual(Object.keys(services).sort(), [
      'api',
      'postgresql',
      'temporal',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'worker',
    ]);
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      assert.match(service.image ?? '', /^[\w./-]+:\d[\w.-]*$/, `${name} image ${service.image} is pinned`);
    }
  });

  it('starts each service only after what it needs is ready', () => {
    assert.equal(services['temporal-schema']!.depends_on!.postgresql!.condition, 'service_healthy');
    assert.equal(
      services.temporal!.depends_on!['temporal-schema']!.condition,
      'service_completed_successfully',
    );
    assert.equal(services['temporal-setup']!.depends_on!.temporal!.condition, 'service_healthy');
    for (const name of ['worker', 'api']) {
      assert.equal(
        services[name]!.depends_on!['temporal-setup']!.condition,
        'service_completed_successfully',
      );
    }
  });

  it('builds the worker and API from the Dockerfile and points them at the compose Temporal server', () => {
    assert.ok(existsSync(join(PROJECT_ROOT, 'Dockerfile')));
    // Compiled JavaScript from the image's build stage (`npm run build`), not tsx.
    assert.deepEqual(services.worker!.command, ['node', 'dist/worker/main.js']);
    assert.deepEqual(services.api!.command, ['node', 'dist/api/main.js']);
    for (const name of ['worker', 'api']) {
      assert.equal(services[name]!.build, '.');
      assert.equal(services[name]!.environment!.TEMPORAL_ADDRESS, 'temporal:7233');
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

  it('mounts setup scripts that exist and registers every search attribute the workflows use', () => {
    for (const name of ['temporal-schema', 'temporal-setup']) {
      const script = services[name]!.entrypoint!.at(-1)!.replace('/deploy/', 'deploy/temporal/');
      assert.ok(existsSync(join(PROJECT_ROOT, script)), `${script} exists`);
    }
    const register = readFileSync(join(PROJECT_ROOT, 'deploy/temporal/register.sh'), 'utf8');
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_DECLARATIONS)) {
      assert.ok(register.includes(`${name}=${type}`), `register.sh creates ${name} as ${type}`);
    }
  });

  it('copies into the run stage every folder the compiled worker, API and CLI need', () => {
    const runtime = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8').split(/^FROM .*$/m)[2]!;
    for (const folder of ['bin', 'examples']) assert.match(runtime, new RegExp(`COPY ${folder} `));
  });
});
