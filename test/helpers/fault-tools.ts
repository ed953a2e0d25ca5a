// Tools for the fault tests: an SMTP server that can be slow or down (and back on the same port), and
// the real worker process (`node scripts/run-ts.mjs worker/main.ts`) as a child that can be SIGTERMed or
// SIGKILLed. Whatever a test starts here it must stop in afterAll / finally (stop() is idempotent).
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { inject } from 'vitest';
import { freePort } from './free-port';
import { tsEntryArgs } from '../../launcher/ts-entry';

export type SmtpMessage = { kind: string | null; userId: string | null; batchId: string | null; to: string[]; subject: string };

export type ControllableSmtp = {
  port: number;
  url: string;
  messages: SmtpMessage[];
  /** Milliseconds each message's DATA is held before it is accepted (a slow server). */
  delayMs: number;
  /** Resolves when the next message starts arriving (its DATA began). */
  nextDataStarted(): Promise<void>;
  /** Close the listener and every open connection: clients get "connection refused". */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
};

export async function startControllableSmtp(options: { delayMs?: number } = {}): Promise<ControllableSmtp> {
  const port = await freePort();
  const messages: SmtpMessage[] = [];
  const dataWaiters: (() => void)[] = [];
  let server: SMTPServer | undefined;
  const state = { delayMs: options.delayMs ?? 0 };

  const create = () =>
    new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 200,
      onData(stream, session, callback) {
        dataWaiters.splice(0).forEach((w) => w());
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          setTimeout(() => {
            simpleParser(Buffer.concat(chunks))
              .then((parsed) => {
                const header = (name: string) => {
                  const v = parsed.headers.get(name);
                  return typeof v === 'string' ? v : null;
                };
                messages.push({
                  kind: header('x-offboarding-kind'),
                  userId: header('x-offboarding-user-id'),
                  batchId: header('x-offboarding-batch-id'),
                  to: session.envelope.rcptTo.map((r) => r.address),
                  subject: parsed.subject ?? '',
                });
                callback();
              })
              .catch((err: Error) => callback(err));
          }, state.delayMs);
        });
      },
    });

  const listen = async () => {
    const s = create();
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    nextDataStarted: () => new Promise<void>((resolve) => dataWaiters.push(resolve)),
    down: stop,
    up: async () => {
      if (!server) await listen();
    },
    close: stop,
  };
}

export type WorkerProcess = {
  pid: number;
  /** Everything the worker wrote (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** SIGKILL if still running, and wait for the exit. */
  stop(): Promise<void>;
};

/** Starts the real worker process and waits for its "worker started" line. */
export async function startWorkerProcess(env: Record<string, string>, readyTimeoutMs = 120_000): Promise<WorkerProcess> {
  const bundle = inject('workflowBundlePath');
  const child: ChildProcess = spawn(process.execPath, tsEntryArgs('worker/main.ts'), {
    cwd: process.cwd(),
    env: { ...process.env, ...(bundle ? { WORKFLOW_BUNDLE_PATH: bundle } : {}), LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  });
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const proc: WorkerProcess = {
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    kill: (signal) => {
      if (running) child.kill(signal);
    },
    stop: async () => {
      if (running) child.kill('SIGKILL');
      await exited;
    },
  };
  const until = Date.now() + readyTimeoutMs;
  while (!out.includes('worker started')) {
    if (!running || Date.now() > until) {
      await proc.stop();
      throw new Error(`the worker process did not start:\n${out.slice(-3000)}`);
    }
    await sleep(100);
  }
  return proc;
}
