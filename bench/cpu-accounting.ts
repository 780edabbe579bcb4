/**
 * CPU accounting per process for the benchmarks, from /proc (Linux): utime + stime of each process
 * we can name (Temporal server, engine worker, engine API, the benchmark itself) sampled before and
 * after a phase, and the machine's busy time from /proc/stat, so a figure can say "bounded by the
 * CPU of X" (or "the two cores were busy with someone else's work") from a measurement.
 *
 * A process tree (a server with children, PostgreSQL's backends) counts its live descendants and
 * the children they have reaped (cutime + cstime), so a child that exits mid-phase keeps counting.
 * The benchmark's own process counts itself only: its children are the other rows.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** A process to account: `group` is the column it adds to (one server may be several processes). */
export interface ProcessRoot {
  name: string;
  group: 'server' | 'worker' | 'api' | 'bench';
  pid: number;
  /** Count its descendants and reaped children too. */
  tree: boolean;
}

/** Clock ticks per second of /proc's times: 100 on every Linux the SDK's binaries run on. */
const TICKS = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime: children this process has waited for. */
  reaped: number;
}

function readStat(pid: number | 'self'): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
}

function processTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) table.set(Number(entry), stat);
  }
  return table;
}

/** PIDs whose parent is `pid` (e.g. the dev server the SDK spawned for this process). */
export function childrenOf(pid: number): number[] {
  return [...processTable()].filter(([, s]) => s.ppid === pid).map(([p]) => p);
}

function treeTicks(table: Map<number, ProcStat>, root: number): number {
  let total = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const stat = table.get(pid);
    if (!stat) continue;
    total += stat.own + stat.reaped;
    for (const [child, s] of table) if (s.ppid === pid) queue.push(child);
  }
  return total;
}

/** Busy ticks of all CPUs (everything but idle and iowait; guest time is already in user). */
function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

export interface CpuSample {
  at: number;
  /** CPU seconds so far per process name (undefined: not found at that moment). */
  processes: Record<string, number | undefined>;
  machine: number;
  load: number[];
}

export interface ProcessCpu {
  group: ProcessRoot['group'];
  cpuSeconds: number;
  /** CPU seconds per second of wall time: cores used on average. */
  cores: number;
  cpuMsPerAlert: number;
}

export interface PhaseCpu {
  phase: string;
  wallSeconds: number;
  alerts: number;
  /** Per process, and per group (server processes summed). */
  processes: Record<string, ProcessCpu>;
  groups: Record<ProcessRoot['group'], ProcessCpu>;
  /** All four groups together. */
  ours: ProcessCpu;
  /** The whole machine's busy CPU, and what is not ours (other users of the shared cores). */
  machine: ProcessCpu;
  others: ProcessCpu;
  cpus: number;
  loadBefore: number[];
  loadAfter: number[];
}

/** Samples the processes `roots()` names (called at each sample: a restarted process has a new PID). */
export class CpuMeter {
  readonly cpus = availableParallelism();
  constructor(private readonly roots: () => ProcessRoot[]) {}

  sample(): CpuSample {
    const table = processTable();
    const processes: CpuSample['processes'] = {};
    const roots = this.roots();
    // Figures are kept by name: two roots of one name would count one process twice.
    const names = roots.map((r) => r.name);
    if (new Set(names).size !== names.length)
      throw new Error(`CPU accounting: duplicate names in ${names.join(', ')}`);
    for (const root of roots) {
      if (root.tree)
        processes[root.name] = table.has(root.pid) ? treeTicks(table, root.pid) / TICKS : undefined;
      else {
        const stat = table.get(root.pid);
        processes[root.name] = stat ? stat.own / TICKS : undefined;
      }
    }
    return { at: performance.now(), processes, machine: machineBusyTicks() / TICKS, load: loadavg() };
  }

  phase(phase: string, alerts: number, before: CpuSample, after: CpuSample): PhaseCpu {
    const wallSeconds = (after.at - before.at) / 1000;
    const figure = (group: ProcessRoot['group'], cpuSeconds: number): ProcessCpu => ({
      group,
      cpuSeconds,
      cores: cpuSeconds / wallSeconds,
      cpuMsPerAlert: (cpuSeconds * 1000) / Math.max(1, alerts),
    });
    const processes: PhaseCpu['processes'] = {};
    const sums = { server: 0, worker: 0, api: 0, bench: 0 };
    for (const root of this.roots()) {
      const [b, a] = [before.processes[root.name], after.processes[root.name]];
      // Gone or new mid-phase: no honest difference.
      if (a === undefined || b === undefined) continue;
      processes[root.name] = figure(root.group, a - b);
      sums[root.group] += a - b;
    }
    const ours = sums.server + sums.worker + sums.api + sums.bench;
    const machine = after.machine - before.machine;
    return {
      phase,
      wallSeconds,
      alerts,
      processes,
      groups: {
        server: figure('server', sums.server),
        worker: figure('worker', sums.worker),
        api: figure('api', sums.api),
        bench: figure('bench', sums.bench),
      },
      ours: figure('bench', ours),
      machine: figure('bench', machine),
      others: figure('bench', Math.max(0, machine - ours)),
      cpus: this.cpus,
      loadBefore: before.load,
      loadAfter: after.load,
    };
  }
}

const cell = (c: ProcessCpu) =>
  `${c.cpuSeconds.toFixed(1)} s · ${c.cores.toFixed(2)} · ${c.cpuMsPerAlert.toFixed(1)}`;

/** One phase in a line: cores used per group, and the machine's. */
export function cpuLine(p: PhaseCpu): string {
  const g = p.groups;
  return `${p.phase}, ${p.wallSeconds.toFixed(1)} s: cores server ${g.server.cores.toFixed(2)}, worker ${g.worker.cores.toFixed(2)}, API ${g.api.cores.toFixed(2)}, bench ${g.bench.cores.toFixed(2)}; machine ${p.machine.cores.toFixed(2)} of ${p.cpus}`;
}

/** Markdown table: one row per phase, each cell "CPU s · cores · CPU ms per alert". */
export function cpuTable(phases: PhaseCpu[]): string[] {
  const cpus = phases[0]?.cpus ?? availableParallelism();
  const lines = [
    `CPU by process per phase; each cell: CPU seconds · cores used (CPU s per wall s; the machine has ${cpus}) · CPU ms per alert. "others" = machine busy − our four.`,
    '',
    '| phase | wall | alerts | server | worker | API | bench | our four | machine busy | others | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of phases) {
    const g = p.groups;
    lines.push(
      `| ${p.phase} | ${p.wallSeconds.toFixed(1)} s | ${p.alerts} | ${cell(g.server)} | ${cell(g.worker)} | ${cell(g.api)} | ${cell(g.bench)} | ${cell(p.ours)} | ${p.machine.cores.toFixed(2)} | ${p.others.cores.toFixed(2)} | ${p.loadBefore[0]!.toFixed(1)} → ${p.loadAfter[0]!.toFixed(1)} |`,
    );
  }
  // A server of several processes (a cluster): which of them spends it.
  const serverNames = Object.entries(phases[0]?.processes ?? {})
    .filter(([, c]) => c.group === 'server')
    .map(([name]) => name);
  if (serverNames.length > 1) {
    lines.push('', `Server processes, cores used per phase:`, '');
    lines.push(`| phase | ${serverNames.join(' | ')} |`, `|---|${serverNames.map(() => '---|').join('')}`);
    for (const p of phases)
      lines.push(
        `| ${p.phase} | ${serverNames.map((n) => (p.processes[n] ? p.processes[n].cores.toFixed(2) : '–')).join(' | ')} |`,
      );
  }
  return lines;
}

/**
 * The PID listening on a local TCP port (/proc/net/tcp* → socket inode → /proc/<pid>/fd), for a
 * server this run did not start; undefined when it is not on this machine or not ours to read.
 */
export function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && inodes.has(inode)) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}
