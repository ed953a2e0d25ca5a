// What is running below a process, for tests that must prove they left nothing behind.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export type ProcessRow = { pid: number; cmd: string };

/** Running (a zombie waiting for a parent that never reaps it has stopped running: not alive). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces, so read after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every process below `root` right now (from ps). */
export function descendants(root: number): ProcessRow[] {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout;
  const rows = out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3] ?? '' }));
  const found: ProcessRow[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const r of rows) {
      if (r.ppid === parent) {
        found.push({ pid: r.pid, cmd: r.cmd });
        queue.push(r.pid);
      }
    }
  }
  return found;
}

/** Remembers every process that appears below `root` after it is created; `leftovers()` lists those still running. */
export function processWatch(root: number = process.pid) {
  const before = new Set(descendants(root).map((p) => p.pid));
  const seen = new Map<number, string>();
  const look = () => {
    for (const p of descendants(root)) if (!before.has(p.pid)) seen.set(p.pid, p.cmd);
  };
  return {
    look,
    seen: () => [...seen.entries()].map(([pid, cmd]) => ({ pid, cmd })),
    leftovers: () => [...seen.entries()].filter(([pid]) => alive(pid)).map(([pid, cmd]) => ({ pid, cmd })),
    /** SIGKILL whatever is left (after a failed test), so nothing outlives it. */
    killLeftovers: () => {
      for (const [pid] of seen) {
        if (alive(pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
      }
    },
  };
}
