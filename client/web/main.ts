// The web app's process (`npm run web`; `npm start` runs it as a child, like the worker): connects to
// PostgreSQL (migrating it, advisory-locked, so it can start first) and Temporal, serves on WEB_PORT,
// and stops cleanly on SIGTERM / SIGINT or when the `npm start` that started it goes away. Bad
// configuration ends it with one line naming the variable and the fix, and exit code 1.
import { ConfigurationError, databaseUrlOf, loadSettings } from '../../config/settings';
import { connectDatabase } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { createMailer } from '../../adapters/mail-transport';
import { ignoreClosedOutput } from '../../process/closed-output';
import { reason, redactUrl } from '../../process/error-lines';
import { openConnections } from '../connections';
import { checkWebSettings, startWebServer, WebConfigurationError } from './server';

class WebStartError extends Error {
  override name = 'WebStartError';
}

async function main(): Promise<void> {
  ignoreClosedOutput();
  let settings;
  try {
    settings = loadSettings();
    checkWebSettings(settings.web);
  } catch (e) {
    if (e instanceof ConfigurationError || e instanceof WebConfigurationError) throw new WebStartError(`invalid configuration: ${e.message}`);
    throw e;
  }
  const databaseUrl = databaseUrlOf(settings);
  await migrateDatabase(databaseUrl).catch((e: unknown) => {
    throw new WebStartError(`cannot reach PostgreSQL at ${redactUrl(databaseUrl)}: ${reason(e)}. Start it with \`npm start\`, or set DATABASE_URL`);
  });
  const database = connectDatabase(databaseUrl);
  const connections = openConnections(settings);
  const temporal = await connections.temporal().catch((e: unknown) => {
    throw new WebStartError(reason(e));
  });
  const mailer = createMailer({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, mailFrom: settings.mailFrom });
  const server = await startWebServer({ settings: settings.web, db: database.db, temporal, taskQueue: settings.taskQueue, mailer }).catch((e: unknown) => {
    throw new WebStartError(`cannot listen on ${settings.web.host}:${settings.web.port}: ${reason(e)}. Free the port or set WEB_PORT`);
  });

  let stopping: Promise<void> | undefined;
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (why: string) => {
    stopping ??= (async () => {
      process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', message: `web app stopping (${why})` })}\n`);
      setTimeout(() => process.exit(1), 10_000).unref();
      await server.close();
      await Promise.allSettled([connections.close(), database.close(), mailer.close()]);
    })().finally(stopped);
    return stopping;
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Started by `npm start` with an IPC channel: if the supervisor dies, do not live on as an orphan.
  if (process.send) {
    process.on('disconnect', () => void stop('supervisor gone'));
    if (!process.connected) {
      await stop('supervisor gone before start-up ended');
      return;
    }
    process.send({ type: 'web-ready', url: settings.web.publicUrl, port: server.port });
  }
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', message: 'web app started', listen: server.url, publicUrl: settings.web.publicUrl, auth: settings.web.auth })}\n`,
  );
  await done;
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof WebStartError ? e.message : `web app failed: ${reason(e)}`}\n`);
    if (!(e instanceof WebStartError) && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  },
);
