/**
 * What end-to-end tests need around the example target: runbook commands wrapped so a chosen
 * step is deterministically long (a kill can be aimed at it) and says when it starts, a scan of
 * /proc for processes left inside a clone, and the config file's target section.
 */
import { chmod, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killTree, MARKER_ENV } from '../../src/activities/support/process-tree';

/**
 * `sh step-gate.sh <dir> <name> <program> [args...]`: when the command runs for a rollback
 * (its marker starts with `rollback-`), appends a line to `<dir>/<name>.starts`; when
 * `<dir>/<name>.arm` exists it then waits (at most 60 s) until the test removes it: the window a
 * test kills a process in. Then it execs the real command, so the rest of the step is the target's.
 */
const GATE = `#!/bin/sh
dir="$1"; name="$2"; shift 2
case "$${MARKER_ENV}" in
  rollback-*)
    echo "$$" >> "$dir/$name.starts"
    i=0
    while [ -e "$dir/$name.arm" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    ;;
esac
exec "$@"
`;

export interface StepGates {
  dir: string;
  /** Runbook argv running `argv` behind the gate named `name`. */
  wrap: (name: string, argv: string[]) => string[];
  arm: (name: string) => Promise<void>;
  disarm: (name: string) => Promise<void>;
  /** How many times the step has started for a rollback. */
  starts: (name: string) => Promise<number>;
  /** Waits until the step has started `count` times; resolves with the time it saw it. */
  waitForStart: (name: string, count: number, timeoutMs?: number) => Promise<number>;
}

export async function stepGates(dir: string): Promise<StepGates> {
  const script = join(dir, 'step-gate.sh');
  await writeFile(script, GATE);
  await chmod(script, 0o755);
  const starts = async (name: string) =>
    (await readFile(join(dir, `${name}.starts`), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  return {
    dir,
    wrap: (name, argv) => ['sh', script, dir, name, ...argv],
    arm: (name) => writeFile(join(dir, `${name}.arm`), ''),
    disarm: (name) => rm(join(dir, `${name}.arm`), { force: true }),
    starts,
    waitForStart: async (name, count, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ((await starts(name)) >= count) return Date.now();
        await sleep(50);
      }
      throw new Error(`step ${name} did not start ${count} time(s) within ${timeoutMs} ms`);
    },
  };
}

/** Live, non-zombie processes whose cwd or command line is inside `root` (never this process). */
export async function processesInside(root: string): Promise<{ pid: number; cmd: string }[]> {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
      const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '');
      if (cwd === root || cwd.startsWith(`${root}/`) || cmd.includes(root))
        found.push({ pid: Number(name), cmd });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** True when the process carries the service marker the engine gives `service` of `repo`. */
async function isServiceOf(pid: number, repo: string, service: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
  return environ.split('\0').includes(`${MARKER_ENV}=service:${repo}#${service}`);
}

/** Processes inside the clone other than the engine's running service: the orphans. */
export async function orphansInside(repo: string, service = 'mcp'): Promise<{ pid: number; cmd: string }[]> {
  const left: { pid: number; cmd: string }[] = [];
  for (const p of await processesInside(repo)) if (!(await isServiceOf(p.pid, repo, service))) left.push(p);
  return left;
}

/** Stops the service the engine started in `repo` (end of a test), by its marker. */
export const stopService = (repo: string, service = 'mcp'): Promise<number[]> =>
  killTree({ marker: `service:${repo}#${service}`, graceMs: 2_000 });

/** HTTP health of the target's MCP server. */
export async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
