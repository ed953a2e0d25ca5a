// One of the app's own long-running processes under `npm run stack` (a worker; later the web app):
// node through tsx's loader, in its own process group (a terminal's Ctrl-C reaches only the
// supervisor, which stops it in order), with an IPC channel (worker/main.ts reports 'worker-ready'
// on it, and shuts down when it closes, so it never outlives a killed supervisor). It can be stopped,
// killed and started again, which is what the fault tests and a supervisor's restart need.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../config/settings';
import { stopProcessGroup } from './temporal-dev-server';
import { tsEntryArgs } from './ts-entry';

export type AppProcessSpec = {
  name: string;
  /** The entry point, relative to the project root, e.g. 'worker/main.ts'. */
  script: string;
  /** Up once it sends an IPC message of this type, or once this port accepts connections. */
  ready: { message: string } | { port: number };
  env?: Record<string, string>;
};

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type AppProcess = {
  name: string;
  pid: () => number | undefined;
  running: () => boolean;
  /** Starts it (again), resolving once it is ready. */
  start: () => Promise<void>;
  /** A signal to its whole process group (SIGKILL in fault tests). */
  kill: (signal: NodeJS.Signals) => void;
  /** SIGTERM, then SIGKILL after the grace time; resolves once it has exited. */
  stop: () => Promise<void>;
  /** The current run's exit. */
  exited: () => Promise<Exit>;
  /** The last 200 kB it printed (when its output is captured). */
  output: () => string;
  /** Called when it exits without stop() having been called. */
  onUnexpectedExit: (listener: (exit: Exit) => void) => void;
};

/** worker/main.ts drains for up to 20 s after SIGTERM; leave it that and some. */
const STOP_GRACE_MS = 30_000;
const READY_TIMEOUT_MS = 180_000;


function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function createAppProcess(spec: AppProcessSpec, o: { env: Record<string, string>; capture: boolean }): AppProcess {
  let child: ChildProcess | undefined;
  let exit: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  let stopping = false;
  let out = '';
  const listeners: ((e: Exit) => void)[] = [];
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    if (alive()) throw new Error(`${spec.name} is already running`);
    stopping = false;
    const c = spawn(process.execPath, tsEntryArgs(spec.script), {
      cwd: projectRoot,
      env: { ...process.env, ...o.env, ...spec.env },
      stdio: o.capture ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    child = c;
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-200_000));
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    let ready = false;
    exit = new Promise<Exit>((resolve) => {
      c.once('exit', (code, signal) => {
        const e = { code, signal };
        resolve(e);
        if (ready && !stopping) for (const l of listeners) l(e);
      });
    });
    const gotMessage = new Promise<void>((resolve) => {
      if (!('message' in spec.ready)) return;
      const type = spec.ready.message;
      c.on('message', (m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type) resolve();
      });
    });
    const portOpen = (async () => {
      if (!('port' in spec.ready)) return new Promise<void>(() => undefined);
      for (;;) {
        if (!alive()) return new Promise<void>(() => undefined); // `failed` reports it
        if (await accepts(spec.ready.port)) return;
        await sleep(250);
      }
    })();
    const failed = exit.then((e) => {
      throw new Error(`${spec.name} exited during start-up (${e.signal ?? `exit code ${e.code}`})${o.capture ? `:\n${out.slice(-3000)}` : '; see its output above'}`);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${spec.name} was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([gotMessage, portOpen, failed, timeout]);
      ready = true;
    } catch (e) {
      await stopProcessGroup(c, 5_000);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    name: spec.name,
    pid: () => child?.pid,
    running: alive,
    start,
    kill: (signal) => {
      if (!child?.pid || !alive()) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    },
    stop: async () => {
      stopping = true;
      if (child) await stopProcessGroup(child, STOP_GRACE_MS);
    },
    exited: () => exit,
    output: () => out,
    onUnexpectedExit: (l) => listeners.push(l),
  };
}
