// A whole production topology per test file (launcher/stack.ts): its own embedded PostgreSQL in a temp
// folder, the Temporal server built from its Go module, the Web UI, compose's setup jobs and the two
// worker processes (and, asked for, the web app), all on free ports. Start it in beforeAll, close it
// in afterAll: close() stops every part, even after a failed test, and fails if any process it
// started is still running.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { loadSettings } from '../../config/settings';
import { startStack, type Stack } from '../../launcher/stack';
import { stackProcesses } from '../../launcher/stack-processes';
import { webLinkSecret } from '../../launcher/web-link-secret';
import { requireTemporalCli } from '../../launcher/temporal-binaries';
import { ensureStackBinaries } from '../../launcher/temporal-server-binaries';
import { freePort } from './free-port';
import { processWatch } from './processes';

export type TestStack = Stack & {
  dataDir: string;
  /** The web app's origin (WEB_PUBLIC_URL, which the workers' emails link to); undefined without it. */
  webUrl: string | undefined;
  client: Client;
  connection: Connection;
  /** The stack's own log lines (start-up steps, job output, server warnings). */
  log: () => string;
  /** Records the processes running right now (call after restarting one), so close() checks them too. */
  look: () => void;
  close: () => Promise<void>;
};

/** compose's default namespace: the setup job creates it, as it would in a real deployment. */
export const STACK_NAMESPACE = 'offboarding';

export async function startTestStack(o: { smtpUrl?: string; ui?: boolean; web?: boolean; env?: Record<string, string> } = {}): Promise<TestStack> {
  const bundle = inject('workflowBundlePath');
  if (!bundle) throw new Error(`the workflow bundle was not built: ${inject('workflowBundleError')}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-stack-'));
  fs.chmodSync(dataDir, 0o755); // the postgres user (we may be root) must traverse it
  const watch = processWatch();
  let lines = '';
  const log = (line: string) => {
    lines += `${line}\n`;
  };
  const [binaries, temporalCli] = await Promise.all([ensureStackBinaries(log), requireTemporalCli(loadSettings(), log)]);
  // As npm run stack runs it: its port given to the web process only, the origin and the link
  // secret (kept in the data folder by the supervisor's own function) to every app process.
  const webPort = o.web ? await freePort() : undefined;
  const webUrl = webPort === undefined ? undefined : `http://127.0.0.1:${webPort}`;
  const webEnv: Record<string, string> = webUrl ? { WEB_PUBLIC_URL: webUrl, WEB_LINK_SECRET: webLinkSecret({ dataDir, log }) } : {};
  let stack: Stack;
  try {
    stack = await startStack({
      dataDir,
      database: { embeddedPort: await freePort() },
      temporalPort: await freePort(),
      uiPort: o.ui === false ? undefined : await freePort(),
      namespace: STACK_NAMESPACE,
      namespaceRetention: '24h',
      taskQueue: `stack-${process.pid}`,
      workflowBundlePath: bundle,
      smtpUrl: o.smtpUrl,
      binaries,
      temporalCli,
      processes: stackProcesses({ metricsPort: 0, webPort }),
      seedDemoData: false,
      captureOutput: true,
      env: { LOG_LEVEL: 'info', ...webEnv, ...o.env },
      log,
    });
  } catch (e) {
    watch.look();
    watch.killLeftovers();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the stack did not start: ${e instanceof Error ? e.message : String(e)}\n${lines.slice(-4000)}`, { cause: e });
  }
  watch.look();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.namespace });
  return {
    ...stack,
    dataDir,
    webUrl,
    client,
    connection,
    log: () => lines,
    look: watch.look,
    close: async () => {
      watch.look();
      await connection.close().catch(() => undefined);
      let left: unknown[];
      try {
        await stack.stop();
      } finally {
        // A child may still be exiting (and the esbuild service of a run-ts build): allow a moment.
        for (let i = 0; i < 20 && watch.leftovers().length > 0; i++) await sleep(250);
        left = watch.leftovers();
        watch.killLeftovers();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
      if (left.length > 0) throw new Error(`processes left running after the stack stopped: ${JSON.stringify(left)}`);
    },
  };
}
