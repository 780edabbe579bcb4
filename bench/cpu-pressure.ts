import { readFileSync } from 'node:fs';

/**
 * The kernel's CPU pressure (PSI, /proc/pressure/cpu): `some total` is the microseconds during
 * which at least one runnable task on the machine waited for a CPU. Read every few milliseconds
 * through a phase, it tells, for any window (one incident's request → step), how long something
 * was ready to run and could not: the machine's share of a latency that no thread's profile
 * shows. Machine-wide, not per thread: it says that a wait happened, not whose.
 */
export class CpuPressure {
  private readonly samples: [at: number, stallMs: number][] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Undefined where the kernel has no PSI (before 4.20, or turned off). */
  static open(): CpuPressure | undefined {
    return readStall() === undefined ? undefined : new CpuPressure();
  }

  start(everyMs = 5): void {
    this.take();
    this.timer = setInterval(() => this.take(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.take();
  }

  /** Milliseconds of stall between two wall-clock times (epoch ms), interpolated between samples. */
  stallBetween(from: number, to: number): number {
    return this.at(to) - this.at(from);
  }

  private take(): void {
    const stall = readStall();
    if (stall !== undefined) this.samples.push([Date.now(), stall]);
  }

  private at(time: number): number {
    const s = this.samples;
    if (s.length === 0) return 0;
    if (time <= s[0]![0]) return s[0]![1];
    for (let i = 1; i < s.length; i++) {
      const [t1, v1] = s[i]!;
      if (time <= t1) {
        const [t0, v0] = s[i - 1]!;
        return t1 === t0 ? v1 : v0 + ((v1 - v0) * (time - t0)) / (t1 - t0);
      }
    }
    return s.at(-1)![1];
  }
}

function readStall(): number | undefined {
  try {
    const some = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some ? Number(some[1]) / 1000 : undefined;
  } catch {
    return undefined;
  }
}
