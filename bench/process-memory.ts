// Memory of the processes a bench runs, from /proc (Linux): a process's peak resident set (VmHWM,
// kept by the kernel, so nothing is missed between samples), and, for a server made of many processes
// (PostgreSQL: a postmaster and a backend per connection), the peak of their summed proportional set
// size (Pss: shared pages split between the processes that share them, so they are not counted twice).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

function statusField(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak RSS of a running process (bytes), or undefined once it is gone: read it before stopping it. */
export const peakRss = (pid: number): number | undefined => statusField(pid, 'VmHWM');

/** RSS of a running process right now (bytes). */
export const currentRss = (pid: number): number | undefined => statusField(pid, 'VmRSS');

/**
 * Starts a new peak: the kernel resets VmHWM to the current RSS when "5" is written to clear_refs
 * (Linux 4.0+, a process of the same user). False when it could not.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The processes below `root` (pid and command). */
export function childrenOf(root: number): { pid: number; cmd: string }[] {
  const rows = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3] ?? '' }));
  const out: { pid: number; cmd: string }[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const r of rows) {
      if (r.ppid !== parent) continue;
      out.push({ pid: r.pid, cmd: r.cmd });
      queue.push(r.pid);
    }
  }
  return out;
}

function pss(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the summed Pss of `root` and everything below it every `everyMs`; stop() returns the peak. */
export function treePssSampler(root: number, everyMs = 2_000) {
  let peak = 0;
  const sample = () => {
    const total = [root, ...childrenOf(root).map((c) => c.pid)].reduce((n, pid) => n + pss(pid), 0);
    peak = Math.max(peak, total);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

export const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
