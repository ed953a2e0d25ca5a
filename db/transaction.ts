// Transactions that compose. Domain functions take `DbOrTx` and open theirs with withTransaction,
// which joins the caller's transaction when handed one — the dry-run review runs the batch
// validation inside a transaction it always rolls back — instead of needing a cast to Database.
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Database } from './client';

/** A drizzle transaction handle, as passed to `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type DbOrTx = Database | Tx;

/** Runs `fn` in the transaction `db` already is, or in a new one. */
export function withTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (db instanceof PgTransaction) return fn(db);
  return db.transaction(fn);
}
