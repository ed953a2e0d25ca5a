// What every request handler gets: the dependencies of the app, and per request the signed-in person
// (read from the database on every request) and the CSRF token for the forms it draws.
import type { Client } from '@temporalio/client';
import type { WebSettings } from '../../config/settings';
import type { Database } from '../../db/client';
import type { Mailer } from '../../domain/notifications/mail';
import type { DownloadLimits } from './csv-downloads';
import type { WebKeys } from './keys';
import type { OperationsContext } from '../operations';
import type { ManagerActions } from './manager-actions';

export type WebDeps = {
  settings: WebSettings & { linkSecret: string };
  db: Database;
  temporal: Client;
  /** The operations shared with the CLI, on this app's connections. */
  operations: OperationsContext;
  mailer: Mailer;
  actions: ManagerActions;
  keys: WebKeys;
  /** How many CSV downloads at once, and when a client that stops reading is cut off (csv-downloads.ts). */
  csvDownloads?: DownloadLimits;
  log: (level: 'info' | 'warn' | 'error', message: string, meta?: Record<string, unknown>) => void;
};

/** The signed-in person, as the database says right now. */
export type Viewer = {
  id: number;
  name: string;
  email: string | null;
  isAdmin: boolean;
};

export type Flash = { kind: 'ok' | 'error'; text: string; code?: string };

export type SessionInfo = {
  idHash: string;
  via: 'email-link' | 'action-link' | 'trusted-header';
  /** A session from an action link may see only this leaving user. */
  scopeUserId: number | null;
  /** A session from a digest's team link may see only this batch's people (those its holder may act on). */
  batchId: string | null;
  flash: Flash | null;
};

export type AppEnv = {
  Variables: {
    viewer: Viewer | null;
    session: SessionInfo | null;
    /** Why a session just ended (inactivated, expired): the sign-in page is told with ?ended=<code>. */
    endedBecause: 'expired' | 'inactive' | 'deprovisioned' | 'not-allowed' | 'offboarding-ended' | 'batch-ended' | 'unknown-sso-user' | null;
    /** The token every form of this response carries (tied to the session, or to the anonymous cookie). */
    csrfToken: string;
    clientAddress: string;
  };
};
