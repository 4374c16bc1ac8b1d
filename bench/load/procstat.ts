/**
 * CPU and memory of processes from `/proc/<pid>/stat` and `/proc/<pid>/status` (Linux), sampled
 * at an interval, so one figure covers the server, the worker and the clients alike.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { now } from '../collab/protocol.js';

/** Clock ticks per second of `utime`/`stime` (almost always 100). */
const TICKS = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

interface Reading {
  readonly t: number;
  /** CPU time used so far, ms (user + system). */
  readonly cpuMs: number;
  readonly rssBytes: number;
}

/** One reading of `pid`, or null once it has exited. */
export function readProc(pid: number): Reading | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (2nd field) may contain spaces: fields are counted after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    return { t: now(), cpuMs: (ticks / TICKS) * 1000, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}

export interface ProcSummary {
  /** Mean CPU over the window, % of one core. */
  readonly cpuMeanPct: number;
  /** Highest CPU over one sampling interval, % of one core. */
  readonly cpuPeakPct: number;
  readonly rssPeakBytes: number;
  readonly rssEndBytes: number;
  readonly samples: number;
}

/** Samples named processes every `intervalMs` until stopped; `window` summarises a stretch. */
export class ProcSampler {
  private readonly readings = new Map<string, Reading[]>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: Readonly<Record<string, number>>,
    intervalMs = 500,
  ) {
    for (const name of Object.keys(pids)) this.readings.set(name, []);
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const r = readProc(pid);
      if (r) this.readings.get(name)!.push(r);
    }
  }

  /** Takes a reading now (to close a window exactly). */
  mark(): number {
    this.sample();
    return now();
  }

  window(name: string, from: number, to: number): ProcSummary {
    const rs = (this.readings.get(name) ?? []).filter((r) => r.t >= from && r.t <= to);
    if (rs.length < 2)
      return { cpuMeanPct: NaN, cpuPeakPct: NaN, rssPeakBytes: NaN, rssEndBytes: NaN, samples: 0 };
    let peak = 0;
    for (let i = 1; i < rs.length; i++) {
      const dt = rs[i]!.t - rs[i - 1]!.t;
      if (dt > 0) peak = Math.max(peak, ((rs[i]!.cpuMs - rs[i - 1]!.cpuMs) / dt) * 100);
    }
    const first = rs[0]!;
    const last = rs.at(-1)!;
    return {
      cpuMeanPct: ((last.cpuMs - first.cpuMs) / (last.t - first.t)) * 100,
      cpuPeakPct: peak,
      rssPeakBytes: Math.max(...rs.map((r) => r.rssBytes)),
      rssEndBytes: last.rssBytes,
      samples: rs.length,
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
