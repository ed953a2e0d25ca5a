// Sign-in requests are limited per email address and per client address, counted in PostgreSQL in
// fixed 15-minute windows, so the limit holds however many web processes run. The email is counted by
// its hash whether or not anyone has it: the limit reveals nothing about who exists.
import { lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { webRateLimits } from '../../db/schema';
import { sha256 } from './keys';

export const SIGN_IN_WINDOW_MINUTES = 15;
export const SIGN_IN_LIMITS = { perEmail: 5, perAddress: 20 } as const;

/** Counts one attempt in the bucket's current window (15 minutes unless said) and returns the count so far. */
export async function count(db: Database, bucket: string, windowMinutes: number = SIGN_IN_WINDOW_MINUTES): Promise<number> {
  const [row] = await db.execute<{ count: number }>(sql`
    insert into web_rate_limits (bucket, window_start, count)
    values (${bucket}, date_bin(make_interval(mins => ${windowMinutes}), now(), timestamptz '2000-01-01'), 1)
    on conflict (bucket, window_start) do update set count = web_rate_limits.count + 1
    returning count`);
  return row?.count ?? 0;
}

/** Counts a sign-in request; true when it is within both limits. */
export async function signInAllowed(db: Database, email: string, address: string): Promise<boolean> {
  const [byEmail, byAddress] = await Promise.all([count(db, `sign-in:email:${sha256(email.toLowerCase())}`), count(db, `sign-in:address:${address}`)]);
  // Now and then, forget windows that ended long ago.
  if (Math.random() < 0.02) await db.delete(webRateLimits).where(lt(webRateLimits.windowStart, sql`now() - interval '1 day'`));
  return byEmail <= SIGN_IN_LIMITS.perEmail && byAddress <= SIGN_IN_LIMITS.perAddress;
}
