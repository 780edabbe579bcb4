/**
 * Finding and killing every process a runbook command or service left, without broad names.
 * Each child is started detached (its own process group) with a marker in its environment;
 * descendants inherit the marker even when they start their own groups, so a sweep by marker
 * finds the whole tree, including what a SIGKILLed worker left behind. Linux `/proc` based.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export const MARKER_ENV = 'INCIDENT_ENGINE_MARKER';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A zombie has exited; it only waits for its parent to reap it. */
async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Alive and not a zombie: really still running. */
export async function isRunning(pid: number): Promise<boolean> {
  return isAlive(pid) && !(await isZombie(pid));
}

async function numericDirs(): Promise<number[]> {
  const names = await readdir('/proc').catch(() => [] as string[]);
  return names.filter((name) => /^\d+$/.test(name)).map(Number);
}

/** True when the process carries `marker` in its environment, i.e. the engine started it. */
export async function hasMarker(pid: number, marker: string): Promise<boolean> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').includes(`${MARKER_ENV}=${marker}`);
  } catch {
    return false;
  }
}

/**
 * Live processes carrying `marker` (never this process). One process at a time, on purpose: a
 * read that fails counts as "not marked", and reading every process's environ at once (tried for
 * speed, a few ms) can fail for lack of file descriptors on a busy machine, so a sweep missed live
 * processes and a starting service was taken for dead (two full test runs failed that way).
 */
export async function findMarked(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await numericDirs()) {
    if (pid === process.pid) continue;
    if ((await hasMarker(pid, marker)) && !(await isZombie(pid))) found.push(pid);
  }
  return found;
}

/** PIDs listening on a TCP port (IPv4 or IPv6), from /proc/net/tcp and the fd tables. */
export async function listeningPids(port: number): Promise<number[]> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const pid of await numericDirs()) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        pids.push(pid);
        break;
      }
    }
  }
  return pids;
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // already gone (ESRCH) or not ours to signal (EPERM): nothing more to do
  }
}

export interface KillTreeOptions {
  /** Process group to signal (a detached child's PID). */
  pgid?: number;
  /** Marker whose carriers are swept as well. */
  marker?: string;
  /** SIGTERM first, SIGKILL after this long. */
  graceMs?: number;
}

/**
 * SIGTERM the group and every marked process, wait up to `graceMs`, then SIGKILL what is left.
 * Returns the PIDs that were signalled. Safe to call on an already dead tree.
 */
export async function killTree({ pgid, marker, graceMs = 2_000 }: KillTreeOptions): Promise<number[]> {
  const targets = async () => {
    const marked = marker ? await findMarked(marker) : [];
    const leader = pgid !== undefined && isAlive(pgid) && !(await isZombie(pgid)) ? [pgid] : [];
    return [...new Set([...leader, ...marked])];
  };
  const first = await targets();
  if (pgid !== undefined) signal(pgid, 'SIGTERM', true);
  for (const pid of first) signal(pid, 'SIGTERM', false);
  const deadline = Date.now() + graceMs;
  let left = first;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = await targets();
  }
  if (left.length > 0) {
    if (pgid !== undefined) signal(pgid, 'SIGKILL', true);
    for (const pid of left) signal(pid, 'SIGKILL', false);
    for (let i = 0; i < 40 && (await targets()).length > 0; i++) await sleep(25);
  }
  return first;
}
