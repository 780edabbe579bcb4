/**
 * The third-party tools some tests run for real, taken from Debian packages (never from a tool's
 * own download site): Prometheus and promtool (package `prometheus`) for the recovery check,
 * engine metrics and alert-rule tests, Chromium (package `chromium`) for the Web UI check,
 * docker-compose (package `docker-compose`) to validate docker-compose.yml without a daemon.
 * The engine itself never runs them: it only talks HTTP to a Prometheus someone else operates,
 * which is why this lives beside the provisioning script and not under src/.
 *
 * One place finds them (environment override, then PATH) and one place installs them
 * (`apt-get`, as root or through password-less sudo). scripts/provision.ts calls both.
 */
import { execFileSync } from 'node:child_process';
import { type LocatedBinary, locateStrict, onPath } from '../src/temporal/binaries';

export const DEBIAN_TOOLS = {
  prometheus: { names: ['prometheus'], env: 'PROMETHEUS_BIN', debianPackage: 'prometheus' },
  promtool: { names: ['promtool'], env: 'PROMTOOL_BIN', debianPackage: 'prometheus' },
  // Debian calls it `chromium`; Ubuntu-style systems call the same browser `chromium-browser`.
  chromium: { names: ['chromium', 'chromium-browser'], env: 'CHROMIUM_BIN', debianPackage: 'chromium' },
  // Compose v1 validates docker-compose.yml (`docker-compose config`) without a Docker daemon.
  dockerCompose: { names: ['docker-compose'], env: 'DOCKER_COMPOSE_BIN', debianPackage: 'docker-compose' },
} as const;

export type DebianTool = keyof typeof DEBIAN_TOOLS;
export const DEBIAN_TOOL_NAMES = Object.keys(DEBIAN_TOOLS) as DebianTool[];

/** Finds a tool without installing anything: its environment variable, then PATH. */
export function locateTool(
  tool: DebianTool,
  env: NodeJS.ProcessEnv = process.env,
): { found?: LocatedBinary; tried: string[] } {
  const spec = DEBIAN_TOOLS[tool];
  return locateStrict(
    spec.env,
    spec.names.map((name) => ({ onPath: name })),
    env,
  );
}

/** How a person installs the tool by hand; printed whenever provisioning cannot. */
export const installHint = (tool: DebianTool): string =>
  `sudo apt-get install -y --no-install-recommends ${DEBIAN_TOOLS[tool].debianPackage}` +
  ` (Debian/Ubuntu), or set ${DEBIAN_TOOLS[tool].env} to the binary's path`;

export class DebianToolMissingError extends Error {
  constructor(tool: DebianTool, tried: string[]) {
    super(
      `${tool} is not provisioned. Tried:\n  - ${tried.join('\n  - ')}\n` +
        `Fix: run 'npm run provision' (installs the Debian package as root), or ${installHint(tool)}.`,
    );
    this.name = 'DebianToolMissingError';
  }
}

/** Like {@link locateTool} but throws a message listing every route tried and the fix. */
export function requireTool(tool: DebianTool, env: NodeJS.ProcessEnv = process.env): string {
  const { found, tried } = locateTool(tool, env);
  if (!found) throw new DebianToolMissingError(tool, tried);
  return found.path;
}

/** The Debian packages that would provide the given tools, each once, in a stable order. */
export const packagesFor = (tools: DebianTool[]): string[] =>
  [...new Set(tools.map((tool) => DEBIAN_TOOLS[tool].debianPackage))].sort();

/** Which apt-get lines failed in a way that `apt-get update` can fix (no package lists yet). */
const MISSING_LISTS = /Unable to locate package|has no installation candidate/;

type Runner = (command: string, args: string[]) => { ok: boolean; output: string };

const runCommand: Runner = (command, args) => {
  try {
    const output = execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // A first chromium install downloads ~100 MB; a stuck mirror must not hang npm install forever.
      timeout: 20 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return { ok: true, output };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? failure.message}` };
  }
};

const lastLine = (text: string): string =>
  text
    .trim()
    .split('\n')
    .filter((line) => line.trim())
    .pop() ?? '(no output)';

/**
 * Installs Debian packages with apt-get when this process may: as root directly, otherwise
 * through `sudo -n` (never prompts; a sudo that wants a password counts as "may not").
 * `apt-get update` runs only when the install fails for lack of package lists, so a machine with
 * fresh lists pays for one install, nothing else. Every command tried is listed for the caller's
 * error message. `run` and `asRoot` are injectable so tests can drive every branch without touching
 * the system.
 */
export function aptInstall(
  packages: string[],
  env: NodeJS.ProcessEnv = process.env,
  run: Runner = runCommand,
  asRoot = process.getuid?.() === 0,
): { ok: boolean; tried: string[] } {
  const tried: string[] = [];
  const aptGet = onPath('apt-get', env);
  if (!aptGet) return { ok: false, tried: ["'apt-get' on PATH (not found: not a Debian-like system)"] };

  let prefix: string[];
  if (asRoot) {
    prefix = [];
  } else {
    const sudo = onPath('sudo', env);
    if (!sudo || !run(sudo, ['-n', 'true']).ok) {
      return { ok: false, tried: ['apt-get needs root: not root, and no sudo without a password'] };
    }
    // sudo resets the environment; `env` carries DEBIAN_FRONTEND through it.
    prefix = [sudo, '-n', 'env', 'DEBIAN_FRONTEND=noninteractive'];
  }
  const invoke = (args: string[]): { ok: boolean; output: string } => {
    const [command, ...rest] = [...prefix, aptGet, ...args];
    const result = run(command!, rest);
    if (!result.ok) tried.push(`${[command, ...rest].join(' ')} (${lastLine(result.output)})`);
    return result;
  };
  // Other apt users (unattended upgrades, a parallel install) hold the dpkg lock for a while:
  // wait for it instead of failing at once.
  const install = ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...packages];
  const first = invoke(install);
  if (first.ok) return { ok: true, tried };
  if (!MISSING_LISTS.test(first.output)) return { ok: false, tried };
  if (!invoke(['update', '-o', 'DPkg::Lock::Timeout=300']).ok) return { ok: false, tried };
  return { ok: invoke(install).ok, tried };
}
