// "The name of user N", for every page, banner, command and report that names people it knows only by
// ID: one query for any number of them.
import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import { users } from '../db/schema';

/** Each known user's name by ID; an ID nobody has is simply absent (callers word it as `user N`). */
export async function userNames(db: DbOrTx, ids: Iterable<number>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}
