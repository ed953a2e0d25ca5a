// A long-running binary (the Temporal server, the Web UI server) started the way
// temporal-dev-server.ts starts the dev server: through exit-with-parent.mjs, so it stops when its
// owner dies even by SIGKILL, and in its own process group, so a terminal's Ctrl-C reaches only the
// supervisor, which stops it in order.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcessGroup } from './temporal-dev-server';

const EXIT_WITH_PARENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'exit-with-parent.mjs');

export type GuardedProcess = {
  pid: number;
  /** Whether it has exited (by itself or stopped). */
  exited: () => boolean;
  /** Resolves when it exits, with how. */
  exit: Promise<string>;
  /** Its last few lines of output, for error messages. */
  tail: () => string;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop: (graceMs?: number) => Promise<void>;
};

export function spawnGuarded(o: {
  command: string;
  args: string[];
  /** The whole environment: nothing of the supervisor's leaks into the server's config template. */
  env: Record<string, string>;
  cwd?: string;
  /** Each line it prints while running (not while stopping: shutdown noise is not news). */
  onLine?: (line: string) => void;
}): GuardedProcess {
  const child = spawn(process.execPath, [EXIT_WITH_PARENT, o.command, ...o.args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: o.env,
    cwd: o.cwd,
  });
  let tail = '';
  let stopping = false;
  const collect = (d: Buffer) => {
    const text = d.toString();
    tail = (tail + text).slice(-4000);
    if (stopping) return;
    for (const line of text.split('\n')) if (line.trim()) o.onLine?.(line.trim());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<string>((resolve) => {
    child.once('error', (e) => resolve(`could not run ${o.command}: ${e.message}`));
    child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`));
  });
  return {
    pid: child.pid ?? -1,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    exit,
    tail: () => tail.trim().split('\n').slice(-5).join('\n'),
    stop: (graceMs = 10_000) => {
      stopping = true;
      return stopProcessGroup(child, graceMs);
    },
  };
}
