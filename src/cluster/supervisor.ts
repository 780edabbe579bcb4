import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Started in stages; stopping runs the stages backwards, the processes of one stage together. */
  stage: number;
  /** 'log': output to <stateDir>/logs/<name>.log (servers); 'console': prefixed on our stdout. */
  output: 'log' | 'console';
  /** PostgreSQL's fast shutdown is SIGINT; everything else stops on SIGTERM. */
  stopSignal?: NodeJS.Signals;
  graceMs?: number;
}

interface Running {
  spec: ChildSpec;
  child: ChildProcess;
  exited: Promise<void>;
  log?: WriteStream;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until nothing is left in the group (up to `ms`). A SIGKILLed process is gone only once it
 * has been reaped; until then `kill(-pgid, 0)` still finds it, and a caller told "stopped" could
 * see it (the cluster smoke test did, when Ctrl+C came while a worker's command ran).
 */
async function groupGone(pgid: number, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((done) => setTimeout(done, 25));
  }
  return true;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs the cluster's processes, each in its own process group (`detached`), so a terminal's
 * Ctrl+C reaches only `npm run cluster`, which then stops them in order: engine before Temporal,
 * Temporal before PostgreSQL. Group PIDs are recorded in <stateDir>/run/children.json, so a run
 * after a SIGKILLed one can stop what that one left behind before taking the same ports.
 */
export class Supervisor {
  private readonly running: Running[] = [];
  private readonly pidFile: string;

  constructor(private readonly stateDir: string) {
    mkdirSync(join(stateDir, 'run'), { recursive: true });
    mkdirSync(join(stateDir, 'logs'), { recursive: true });
    this.pidFile = join(stateDir, 'run', 'children.json');
  }

  logFile(name: string): string {
    return join(this.stateDir, 'logs', `${name}.log`);
  }

  start(spec: ChildSpec): ChildProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const entry: Running = {
      spec,
      child,
      exited: new Promise<void>((done) => {
        child.once('exit', () => done());
        child.once('error', () => done());
      }),
    };
    if (spec.output === 'log') {
      entry.log = createWriteStream(this.logFile(spec.name), { flags: 'a' });
      entry.log.write(`--- ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
      child.stdout.pipe(entry.log, { end: false });
      child.stderr.pipe(entry.log, { end: false });
    } else {
      prefixLines(child.stdout, process.stdout, spec.name);
      prefixLines(child.stderr, process.stderr, spec.name);
    }
    this.running.push(entry);
    this.recordPids();
    return child;
  }

  /** Resolves with the first child that exits, whatever the reason. */
  firstExit(): Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }> {
    return Promise.race(
      this.running.map(async ({ spec, child, exited }) => {
        await exited;
        return { name: spec.name, code: child.exitCode, signal: child.signalCode };
      }),
    );
  }

  /** The last lines of a server's log, for the message when it dies. */
  tail(name: string, lines = 15): string {
    try {
      return readFileSync(this.logFile(name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Process group of a running child (its PID: each child leads its own group). */
  pid(name: string): number | undefined {
    const entry = this.running.find((r) => r.spec.name === name && alive(r.child));
    return entry?.child.pid;
  }

  /** Signals one child's whole group and waits for the child to exit (fault tests: SIGKILL). */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const entry = this.running.find((r) => r.spec.name === name);
    if (!entry || entry.child.pid === undefined || !alive(entry.child)) return;
    const pgid = entry.child.pid;
    killGroup(pgid, signal);
    // A graceful signal gets the child's grace period, then SIGKILL, as stopAll does.
    const timer = setTimeout(() => killGroup(pgid, 'SIGKILL'), entry.spec.graceMs ?? 15_000);
    await entry.exited;
    clearTimeout(timer);
  }

  /**
   * Starts an exited child again with its original spec. The old entry goes, so stopAll and
   * firstExit see only the new process (and never signal the dead one's group ID, which the
   * system may hand to another process).
   */
  restart(name: string): ChildProcess {
    const entry = this.forget(name);
    if (!entry) throw new Error(`no child named ${name}`);
    if (alive(entry.child)) throw new Error(`${name} still runs: kill it first`);
    entry.log?.end();
    return this.start(entry.spec);
  }

  /** Drops a child that exited and is replaced outside the supervisor (pg_ctl restart). */
  forget(name: string): Running | undefined {
    const index = this.running.findIndex((r) => r.spec.name === name);
    if (index < 0) return undefined;
    const [entry] = this.running.splice(index, 1);
    this.recordPids();
    return entry;
  }

  /** Stops every process, stage by stage from the last, waiting for each group to be gone. */
  async stopAll(): Promise<void> {
    const stages = [...new Set(this.running.map((r) => r.spec.stage))].sort((a, b) => b - a);
    for (const stage of stages) {
      await Promise.all(this.running.filter((r) => r.spec.stage === stage).map((r) => this.stopOne(r)));
    }
    for (const entry of this.running) entry.log?.end();
    this.recordPids();
  }

  private async stopOne({ spec, child, exited }: Running): Promise<void> {
    const pgid = child.pid;
    if (pgid === undefined) return;
    if (alive(child)) {
      // PostgreSQL: signal the postmaster only (SIGINT to a backend would cancel a query); it
      // stops its backends itself. Others: the whole group, so helpers they spawned stop too.
      if (spec.stopSignal === 'SIGINT') child.kill('SIGINT');
      else killGroup(pgid, spec.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => killGroup(pgid, 'SIGKILL'), spec.graceMs ?? 15_000);
      await exited;
      clearTimeout(timer);
    }
    // Anything the process left in its group (it exited, they did not) goes too, and is waited for.
    if (groupAlive(pgid)) {
      killGroup(pgid, 'SIGKILL');
      await groupGone(pgid);
    }
  }

  private recordPids(): void {
    const live = this.running
      .filter((r) => r.child.pid !== undefined && alive(r.child))
      .map((r) => ({ name: r.spec.name, pgid: r.child.pid!, command: r.spec.command }));
    writeFileSync(this.pidFile, `${JSON.stringify(live, null, 2)}\n`);
  }
}

/**
 * Stops process groups recorded by an earlier run that did not get to stop them (it was
 * SIGKILLed). A group is only signalled when its leader still runs the recorded command, so a
 * recycled PID belonging to something else is never touched. Returns what it stopped.
 */
export async function stopLeftovers(stateDir: string): Promise<string[]> {
  let recorded: { name: string; pgid: number; command: string }[];
  try {
    recorded = JSON.parse(readFileSync(join(stateDir, 'run', 'children.json'), 'utf8')) as typeof recorded;
  } catch {
    return [];
  }
  const stopped: string[] = [];
  for (const { name, pgid, command } of recorded) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pgid}/cmdline`, 'latin1').split('\0')[0] ?? '';
    } catch {
      continue; // gone
    }
    if (cmdline !== command) continue;
    killGroup(pgid, name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
    if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
    stopped.push(`${name} (pid ${pgid})`);
  }
  return stopped;
}

function prefixLines(stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, name: string): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out.write(`${name.padEnd(9)} | ${line}\n`);
  });
}
