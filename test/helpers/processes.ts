// What is running below a process, for tests that must prove they left nothing behind. A process is
// told by its pid and its start time: pid_max is 32768 here, and with other test runs on the machine
// a pid seen early in a long test can belong to someone else's process by the end of it — which
// must neither count as left behind nor be killed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export type ProcessRow = { pid: number; cmd: string; /** clock ticks after boot (/proc/<pid>/stat field 22); undefined once gone */ start: number | undefined };

/** /proc/<pid>/stat after the command name, which may contain spaces and parentheses: fields 3 onwards. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** When `pid` started, or undefined if there is no such process. */
export function startTime(pid: number): number | undefined {
  const start = statFields(pid)?.[19]; // field 22, starttime
  return start === undefined ? undefined : Number(start);
}

/**
 * Running (a zombie waiting for a parent that never reaps it has stopped running: not alive). With
 * `start`, only the process that started then: a later process given the same pid is not it.
 */
export function alive(pid: number, start?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = statFields(pid);
  if (!fields || fields[0] === 'Z') return false;
  return start === undefined || Number(fields[19]) === start;
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
        found.push({ pid: r.pid, cmd: r.cmd, start: startTime(r.pid) });
        queue.push(r.pid);
      }
    }
  }
  return found;
}

/** Remembers every process that appears below `root` after it is created; `leftovers()` lists those still running. */
export function processWatch(root: number = process.pid) {
  const key = (p: { pid: number; start: number | undefined }) => `${p.pid}@${p.start}`;
  const before = new Set(descendants(root).map(key));
  const seen = new Map<string, ProcessRow>();
  const look = () => {
    // A process gone between ps and reading its start time cannot be told apart from a newer one: skip it.
    for (const p of descendants(root)) if (p.start !== undefined && !before.has(key(p))) seen.set(key(p), p);
  };
  const running = () => [...seen.values()].filter((p) => alive(p.pid, p.start));
  return {
    look,
    seen: () => [...seen.values()].map(({ pid, cmd }) => ({ pid, cmd })),
    leftovers: () => running().map(({ pid, cmd }) => ({ pid, cmd })),
    /** SIGKILL whatever is left (after a failed test), so nothing outlives it — and nothing else is hit. */
    killLeftovers: () => {
      for (const p of running()) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    },
  };
}
