// Runs `temporal server start-dev` (Temporal CLI) as a child process in its own process group, with
// the project's custom search attributes registered, and stops it without leaving anything behind.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/contract';

export type DevServerOptions = {
  /** Path of the `temporal` CLI (see temporal-binaries.ts). */
  cliPath: string;
  port: number;
  uiPort: number;
  namespace?: string;
  /** More namespaces created at launch (the tests' shared server: one per test file). */
  extraNamespaces?: readonly string[];
  /** File database; undefined = in memory (tests). */
  dbFile?: string;
  /** Throwaway data: SQLite WAL + synchronous=OFF (several times faster). Defaults to true without dbFile. */
  fast?: boolean;
  /** Disable the Web UI (tests that don't need it). */
  /** The Web UI's remote codec (the web app's /codec), when payloads are encrypted. */
  codecEndpoint?: string;
  headless?: boolean;
  ip?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
};

export type DevServer = {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  pid: number;
  stop: () => Promise<void>;
};



/** Stops the server when this process dies, however it dies (see the file). */
const EXIT_WITH_PARENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'exit-with-parent.mjs');

export function devServerArgs(o: DevServerOptions): string[] {
  const namespace = o.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', o.ip ?? '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.headless) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort));
  if (o.codecEndpoint && !o.headless) args.push('--ui-codec-endpoint', o.codecEndpoint);
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  if (o.fast ?? !o.dbFile) args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const extra of o.extraNamespaces ?? []) args.push('--namespace', extra);
  for (const sa of SEARCH_ATTRIBUTE_REGISTRATIONS) args.push('--search-attribute', `${sa.name}=${sa.type}`);
  return args;
}

/** Sends `signal` to the child's whole process group (it was started detached). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM to the process group, SIGKILL after the grace period; resolves once it has exited. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(child, 'SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  signalGroup(child, 'SIGKILL');
  await waitForExit(child, 5_000);
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const namespace = o.namespace ?? 'default';
  const ip = o.ip ?? '127.0.0.1';
  const address = `${ip}:${o.port}`;
  const log = o.log ?? (() => undefined);
  // Through exit-with-parent: its stdin is a pipe from us, and when we die (even by SIGKILL, which
  // runs no exit hook) the pipe closes and it stops the server.
  const child = spawn(process.execPath, [EXIT_WITH_PARENT, o.cliPath, ...devServerArgs(o)], {
    detached: true, // own process group: stop() signals everything it started
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let tail = '';
  let stopping = false;
  const collect = (d: Buffer) => {
    const text = d.toString();
    tail = (tail + text).slice(-4000);
    // While stopping, the server's own pollers warn about the closing frontend: noise, not news.
    if (stopping) return;
    for (const line of text.split('\n')) if (line.trim()) log(`temporal: ${line.trim()}`);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));

  const stop = () => {
    stopping = true;
    return stopProcessGroup(child);
  };
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (spawnError) throw new Error(`could not run ${o.cliPath}: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        const last = tail.trim().split('\n').slice(-3).join(' | ');
        if (child.exitCode === 127) throw new Error(`could not run ${o.cliPath}: ${last}`);
        throw new Error(`temporal server start-dev exited early (port ${o.port} or ${o.uiPort} taken?): ${last}`);
      }
      try {
        const connection = await Connection.connect({ address, connectTimeout: 2_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          break;
        } finally {
          await connection.close();
        }
      } catch {
        if (Date.now() > deadline) throw new Error(`temporal dev server did not accept connections on ${address} in time`);
        await sleep(200);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    address,
    namespace,
    uiUrl: o.headless ? undefined : `http://localhost:${o.uiPort}`,
    pid: child.pid ?? -1,
    // A parent that exits without calling this is covered by exit-with-parent.
    stop,
  };
}
