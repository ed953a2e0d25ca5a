// The web server on a port: the app over @hono/node-server, with everything it needs handed in (tests
// hand in their own database, Temporal client and mailer). client/web/main.ts builds these from the
// settings for `npm run web`.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { parseAddressRange } from '../../config/address-ranges';
import type { WebSettings } from '../../config/settings';
import type { Database } from '../../db/client';
import type { Mailer } from '../../domain/notifications/mail';
import { createWebApp } from './app';
import type { WebDeps } from './context';
import { webKeys } from './keys';
import { type ManagerActions, managerActions } from './manager-actions';
import type { OperationsContext } from '../operations';

export class WebConfigurationError extends Error {
  override name = 'WebConfigurationError';
}

export type WebServerOptions = {
  settings: WebSettings;
  db: Database;
  temporal: Client;
  /** The task queue the worker listens on (batches and reactivations are started there). */
  taskQueue: string;
  mailer: Mailer;
  /** Defaults to the shared operations (client/operations). */
  actions?: ManagerActions;
  log?: WebDeps['log'];
  csvDownloads?: WebDeps['csvDownloads'];
};

export type WebServer = { url: string; port: number; close: () => Promise<void> };

/** Refuses what would make the web app unsafe to start; one line each, naming the variable. */
export function checkWebSettings(settings: WebSettings): WebSettings & { linkSecret: string } {
  if (!settings.linkSecret) {
    throw new WebConfigurationError(
      'WEB_LINK_SECRET is not set: set it to 32+ random characters (openssl rand -base64 32), or use `npm start`, which generates one',
    );
  }
  if (settings.auth === 'trusted-header' && settings.trustedProxies.length === 0) {
    throw new WebConfigurationError(
      `WEB_AUTH=trusted-header needs WEB_TRUSTED_PROXIES: the addresses of the proxies allowed to set ${settings.trustedHeader} (anyone else could name any user)`,
    );
  }
  const unparsed = settings.trustedProxies.find((a) => parseAddressRange(a) === undefined);
  if (unparsed !== undefined) {
    throw new WebConfigurationError(`WEB_TRUSTED_PROXIES: "${unparsed.slice(0, 60)}" is not an IP address or CIDR range (like 10.0.0.5, 10.0.0.0/8, ::1 or 0.0.0.0/0)`);
  }
  return { ...settings, linkSecret: settings.linkSecret };
}

const defaultLog: WebDeps['log'] = (level, message, meta) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...(meta ?? {}) })}\n`);

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const settings = checkWebSettings(options.settings);
  const operations: OperationsContext = {
    db: async () => options.db,
    temporal: async () => options.temporal,
    taskQueue: options.taskQueue,
    ...(options.settings.intakeWindowMs !== undefined ? { intakeWindowMs: options.settings.intakeWindowMs } : {}),
  };
  const deps: WebDeps = {
    settings,
    db: options.db,
    temporal: options.temporal,
    operations,
    mailer: options.mailer,
    actions: options.actions ?? managerActions(operations),
    keys: webKeys(settings.linkSecret),
    log: options.log ?? defaultLog,
    ...(options.csvDownloads ? { csvDownloads: options.csvDownloads } : {}),
  };
  const app = createWebApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, () => resolve(s as Server));
    (s as Server).once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
