import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { projectRoot } from '../config/settings';
import { connectDatabase } from './client';

export const migrationsFolder = path.join(projectRoot, 'db', 'migrations');

// Any constant will do; it only has to be the same for every process that migrates.
const MIGRATION_LOCK_ID = 7_242_001;

/** Applies pending migrations once, even when several processes start at the same moment. */
export async function migrateDatabase(url: string): Promise<void> {
  const handle = connectDatabase(url, { max: 1 });
  try {
    // drizzle's migrator takes no lock and opens its own transaction, so hold a session lock
    // on the single pooled connection around it.
    await handle.sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await migrate(handle.db, { migrationsFolder });
    } finally {
      await handle.sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    }
  } finally {
    await handle.close();
  }
}
