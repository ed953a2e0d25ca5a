// The worker process (`npm run worker`; `npm start` runs it as a child): connects to PostgreSQL and
// Temporal, registers the workflows and activities, and shuts down cleanly on SIGTERM / SIGINT.
// Bad configuration ends it with one line naming what is wrong and how to fix it, and exit code 1.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { createActivities } from '../activities/index';
import { createMailer } from '../adapters/mail-transport';
import { ConfigurationError, databaseUrlOf, loadSettings, temporalAddressOf, type Settings } from '../config/settings';
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { temporalConnectionOptions, type TemporalConnectionOptions } from '../temporal/connection-options';
import { dataConverterOf } from '../temporal/data-converter';
import { ignoreClosedOutput } from '../process/closed-output';
import { ensureHousekeepingSchedule } from './housekeeping-schedule';
import { reason, redactUrl } from '../process/error-lines';
import { registerSearchAttributes } from './search-attributes';
import { startWebhookRelay } from './webhook-relay';
import { readWorkflowBundle, workflowsPath } from './workflow-bundle';

/** An error whose message is the whole story for the operator (no stack trace needed). */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Running activities get this long to finish once the worker is asked to stop. */
const SHUTDOWN_GRACE_MS = 20_000;
/** Then the SDK stops waiting for them (and for Temporal): run() fails, the worker exits. */
const SHUTDOWN_FORCE_MS = 25_000;
/** The process leaves by then in any case; `npm start` would SIGKILL it at 30 s. */
const EXIT_DEADLINE_MS = 28_000;

const LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

function jsonSafe(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One JSON object per line on stdout: time, level, message and the SDK's meta (workflowId, activityId, …). */
export function jsonLogLine(entry: LogEntry): string {
  // The bundler reports webpack's multi-line stats at INFO; its last line says it all.
  const message =
    entry.level === 'INFO' && entry.message.includes('\n') ? (entry.message.trim().split('\n').pop() ?? '') : entry.message;
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry.meta ?? {})) meta[k] = jsonSafe(v);
  try {
    return JSON.stringify({ time, level: entry.level.toLowerCase(), message, ...meta });
  } catch {
    return JSON.stringify({ time, level: entry.level.toLowerCase(), message });
  }
}

async function step<T>(what: string, fix: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StartupError) throw e;
    throw new StartupError(`${what}: ${reason(e)}. ${fix}`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s (${what})`)), ms);
    }),
  ]);
}

export async function runWorker(settings: Settings): Promise<void> {
  const address = temporalAddressOf(settings);
  // The clients' connection settings (API key, TLS, profile), so a worker reaches Temporal Cloud too.
  // First, so unreadable TLS files are reported before anything starts.
  let connectionOptions: TemporalConnectionOptions;
  try {
    connectionOptions = temporalConnectionOptions(settings, address);
  } catch (e) {
    if (e instanceof ConfigurationError) throw new StartupError(`invalid configuration: ${e.message}`);
    throw e;
  }
  const logger = new DefaultLogger(LEVELS[settings.logLevel], (entry) => process.stdout.write(`${jsonLogLine(entry)}\n`));
  Runtime.install({
    logger,
    // Signals are handled below, so shutdown follows one documented order.
    shutdownSignals: [],
    telemetryOptions:
      settings.metricsPort > 0
        ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${settings.metricsPort}` } } }
        : undefined,
  });

  const databaseUrl = databaseUrlOf(settings);
  const dbFix = settings.databaseUrl
    ? 'Check DATABASE_URL (host, port, user, password, database) or unset it to use the embedded PostgreSQL of `npm start`'
    : 'Start it with `npm start`, or set DATABASE_URL to a reachable PostgreSQL';
  await step(`cannot reach PostgreSQL at ${redactUrl(databaseUrl)}`, dbFix, () =>
    withTimeout(migrateDatabase(databaseUrl), 30_000, 'connect and migrate'),
  );
  const database = connectDatabase(databaseUrl);

  const temporalFix = settings.temporalAddress
    ? 'Check TEMPORAL_ADDRESS (host:port of the frontend, e.g. localhost:7233) or unset it and use `npm start`'
    : 'Start Temporal with `npm start`, or set TEMPORAL_ADDRESS to a running server';
  const connection = await step(`cannot reach Temporal at ${address}`, temporalFix, () =>
    withTimeout(NativeConnection.connect(connectionOptions), 15_000, 'connect'),
  );
  const dataConverter = dataConverterOf(settings);
  // Idempotent: an external server (TEMPORAL_ADDRESS, docker) gets the search attributes too.
  await step(`cannot register search attributes on Temporal at ${address}`, temporalFix, async () => {
    const admin = await withTimeout(Connection.connect({ ...connectionOptions, connectTimeout: 10_000 }), 15_000, 'connect');
    try {
      await registerSearchAttributes(admin, settings.temporalNamespace);
      // Likewise the hourly purge of the web app's expired rows (a schedule that exists is kept).
      const client = new Client({ connection: admin, namespace: settings.temporalNamespace, ...(dataConverter ? { dataConverter } : {}) });
      await ensureHousekeepingSchedule(client, settings.taskQueue);
    } finally {
      await admin.close();
    }
  });

  const mailer = createMailer({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, mailFrom: settings.mailFrom });
  const linkSecret = settings.web.linkSecret;
  if (!linkSecret) logger.warn('WEB_LINK_SECRET is not set: emails carry no links to the web app (they say to act in the tools or ask the requester)');
  const activities = createActivities({
    db: database.db,
    mailer,
    clock: () => new Date(),
    ...(linkSecret ? { links: { publicUrl: settings.web.publicUrl, secret: linkSecret } } : {}),
    webhooks: { allowPrivateTargets: settings.webhooks.allowPrivateTargets, timeoutMs: settings.webhooks.timeoutMs, retentionDays: settings.webhooks.retentionDays },
  });

  const worker = await step('cannot create the worker', 'Check TEMPORAL_NAMESPACE and WORKFLOW_BUNDLE_PATH', () =>
    Worker.create({
      connection,
      namespace: settings.temporalNamespace,
      taskQueue: settings.taskQueue,
      activities,
      ...(settings.workflowBundlePath
        ? { workflowBundle: readWorkflowBundle(settings.workflowBundlePath) }
        : { workflowsPath }),
      shutdownGraceTime: SHUTDOWN_GRACE_MS,
      shutdownForceTime: SHUTDOWN_FORCE_MS,
      // Payload encryption when OFFBOARDING_PAYLOAD_KEY is set (clients need the same key).
      ...(dataConverter ? { dataConverter } : {}),
    }),
  );

  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`worker shutting down (${why})`);
    // The force time ends run(), but what the SDK does after it can hang too (its last call to an
    // unreachable Temporal waits 30 s): whatever is still closing at the deadline is abandoned.
    setTimeout(() => {
      logger.error(`worker did not stop within ${EXIT_DEADLINE_MS / 1000}s of being asked to; exiting`);
      process.exit(1);
    }, EXIT_DEADLINE_MS).unref();
    worker.shutdown();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // postgres.js can throw outside any promise when PostgreSQL goes away mid-write (seen in the
  // PostgreSQL-restart fault test: "Cannot read properties of null (reading 'write')"). The pool
  // reconnects and the activity is retried, so log it and keep serving; anything else is a bug:
  // shut down gracefully and let the supervisor or the orchestrator restart the worker.
  process.on('uncaughtException', (err) => {
    const fromDriver = /node_modules[\\/]postgres[\\/]/.test(err.stack ?? '');
    logger.error(fromDriver ? 'database driver error (connection lost); continuing' : 'uncaught exception', {
      error: String(err),
      stack: err.stack,
    });
    if (!fromDriver) {
      process.exitCode = 1;
      shutdown('uncaught exception');
    }
  });
  // Started by `npm start` with an IPC channel: if the supervisor dies, do not live on as an orphan.
  if (process.send) process.on('disconnect', () => shutdown('supervisor gone'));
  const closeConnections = () => Promise.allSettled([connection.close(), database.close(), mailer.close()]);
  // It may have died while we were starting, before anyone listened (and with DATABASE_URL and
  // TEMPORAL_ADDRESS set, nothing else would end us): then leave without polling at all.
  if (process.send && !process.connected) {
    logger.info('worker not started: npm start, which started it, is gone');
    await closeConnections();
    return;
  }

  logger.info('worker started', {
    taskQueue: settings.taskQueue,
    namespace: settings.temporalNamespace,
    temporalAddress: address,
    metrics: settings.metricsPort > 0 ? `http://0.0.0.0:${settings.metricsPort}/metrics` : 'off',
  });
  // The webhook relay starts each undelivered event's delivery workflow (worker/webhook-relay.ts).
  const relayConnection = await step(`cannot reach Temporal at ${address}`, temporalFix, () =>
    withTimeout(Connection.connect({ ...connectionOptions, connectTimeout: 10_000 }), 15_000, 'connect'),
  );
  const relay = await startWebhookRelay({
    db: database.db,
    sql: database.sql,
    client: new Client({ connection: relayConnection, namespace: settings.temporalNamespace, ...(dataConverter ? { dataConverter } : {}) }),
    taskQueue: settings.taskQueue,
    settings: settings.webhooks,
    log: (level, message, meta) => logger[level](message, meta),
  });
  if (process.send) process.send({ type: 'worker-ready', pid: process.pid });
  try {
    await worker.run();
  } finally {
    await relay.stop();
    await relayConnection.close();
    await closeConnections();
  }
  logger.info('worker stopped');
}

async function main(): Promise<void> {
  ignoreClosedOutput();
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (e) {
    if (e instanceof ConfigurationError) throw new StartupError(`invalid configuration: ${e.message}`);
    throw e;
  }
  await runWorker(settings);
}

main().then(
  // An uncaught exception shut the worker down with exitCode 1: keep it for the supervisor to see.
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    const line = e instanceof StartupError ? e.message : `worker failed: ${reason(e)}`;
    process.stderr.write(`error: ${line}\n`);
    // An unexpected failure (a bug, not configuration) keeps its stack, after the line.
    if (!(e instanceof StartupError) && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  },
);
