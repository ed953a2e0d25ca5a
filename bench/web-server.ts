// The web app as a bench runs it: on a free port, sign-in by email link, the rate limit of the part
// under measure lifted (`limits`), emails written to a directory; closed with the bench's cleanups.
import type { Client } from '@temporalio/client';
import { createMailer } from '../adapters/mail-transport';
import { startWebServer, type WebServer } from '../client/web/server';
import type { WebSettings } from '../config/settings';
import type { Database } from '../db/client';
import type { Mailer } from '../domain/notifications/mail';
import { freePort } from '../test/helpers/free-port';
import type { Cleanups } from './cleanups';

export async function startBenchWebServer(options: {
  db: Database;
  temporal: Client;
  taskQueue: string;
  cleanups: Cleanups;
  limits: Pick<WebSettings, 'api' | 'scim' | 'codec'>;
  /** The bench's own mailer (its worker's too), or a directory the web app's emails go to. */
  mail: { mailer: Mailer } | { outboxDir: string };
}): Promise<WebServer> {
  const { cleanups, mail } = options;
  let mailer: Mailer;
  if ('mailer' in mail) mailer = mail.mailer;
  else {
    const own = createMailer({ smtpUrl: undefined, outboxDir: mail.outboxDir, mailFrom: 'Bench <b@bench.example>', log: () => undefined });
    cleanups.unshift(() => own.close());
    mailer = own;
  }
  const web = await startWebServer({
    settings: {
      port: await freePort(),
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3999',
      linkSecret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
      auth: 'email-link',
      trustedHeader: 'X-Auth-Request-Email',
      trustedProxies: [],
      ...options.limits,
    },
    db: options.db,
    temporal: options.temporal,
    taskQueue: options.taskQueue,
    mailer,
    log: () => undefined,
  });
  cleanups.unshift(() => web.close());
  return web;
}
