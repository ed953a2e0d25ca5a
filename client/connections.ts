// Connections for the CLI, opened lazily (a command that needs only the database never dials Temporal,
// and the other way round) and probed once, so an unreachable service is one clear line and exit 3.
import { Client, Connection } from '@temporalio/client';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { dataConverterOf } from '../temporal/data-converter';
import { databaseUrlOf, type Settings, temporalAddressOf } from '../config/settings';
import type { Database } from '../db/client';
import * as schema from '../db/schema';
import { UnreachableError } from './cli/exit-codes';

export type Connections = {
  settings: Settings;
  temporalAddress: string;
  /** host:port/database of DATABASE_URL (no credentials), for messages. */
  databaseTarget: string;
  temporal(): Promise<Client>;
  db(): Promise<Database>;
  close(): Promise<void>;
};

function databaseTargetOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function detailOf(e: unknown): string {
  if (e && typeof e === 'object') {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  const message = e instanceof Error ? e.message : String(e);
  return (message.split('\n')[0] ?? '').slice(0, 120);
}

export function openConnections(settings: Settings): Connections {
  const temporalAddress = temporalAddressOf(settings);
  const databaseUrl = databaseUrlOf(settings);
  const databaseTarget = databaseTargetOf(databaseUrl);
  let temporal: Promise<{ connection: Connection; client: Client }> | undefined;
  let database: Promise<{ sql: postgres.Sql; db: Database }> | undefined;

  return {
    settings,
    temporalAddress,
    databaseTarget,
    temporal() {
      temporal ??= (async () => {
        // Before the try: unreadable TLS files are configuration (exit 2), not an unreachable server.
        const options = temporalConnectionOptions(settings, temporalAddress);
        let connection: Connection;
        try {
          connection = await Connection.connect({ ...options, connectTimeout: 5_000 });
        } catch (e) {
          throw new UnreachableError('temporal', temporalAddress, detailOf(e));
        }
        // The same payload encryption as the worker when OFFBOARDING_PAYLOAD_KEY is set.
        const dataConverter = dataConverterOf(settings);
        return { connection, client: new Client({ connection, namespace: settings.temporalNamespace, ...(dataConverter ? { dataConverter } : {}) }) };
      })();
      return temporal.then((t) => t.client);
    },
    db() {
      database ??= (async () => {
        const sql = postgres(databaseUrl, { max: 4, connect_timeout: 5, onnotice: () => undefined, idle_timeout: 2 });
        try {
          await sql`select 1`;
        } catch (e) {
          await sql.end({ timeout: 1 }).catch(() => undefined);
          throw new UnreachableError('postgres', databaseTarget, detailOf(e));
        }
        return { sql, db: drizzle(sql, { schema }) };
      })();
      return database.then((d) => d.db);
    },
    async close() {
      const t = temporal;
      const d = database;
      temporal = undefined;
      database = undefined;
      await Promise.allSettled([
        t?.then((x) => x.connection.close()),
        d?.then((x) => x.sql.end({ timeout: 2 })),
      ]);
    },
  };
}
