// What the web app leaves behind and nobody reads again: sessions past their idle or absolute expiry
// or whose offboarding (or, from a digest's team link, whose batch) ended, sign-in tokens used or expired, rate-limit windows long over, counts of
// action links that expired, form nonces older than any session that could post them. Deleted in
// bounded chunks (short transactions, no long locks), by the housekeeping schedule's activity.
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client';

export const SESSION_IDLE_HOURS = 8;
export const SESSION_MAX_DAYS = 7;
/** Rate-limit windows last 15 minutes; one a day old is never counted again. */
const RATE_LIMIT_KEEP_HOURS = 24;
export const PURGE_CHUNK = 1_000;

export type WebPurgeCounts = { sessions: number; signInTokens: number; rateLimits: number; actionLinkUses: number; formUses: number };

/** The tables and which of their rows are dead; `table` is a literal, never input. */
const DEAD: Record<keyof WebPurgeCounts, { table: string; dead: SQL }> = {
  sessions: {
    table: 'web_sessions',
    dead: sql`(expires_at <= now() or last_seen_at <= now() - make_interval(hours => ${SESSION_IDLE_HOURS})
               or exists (select 1 from offboardings o where o.id = offboarding_id and o.ended_at is not null)
               or (batch_id is not null and not exists (select 1 from offboardings b where b.batch_id = web_sessions.batch_id and b.ended_at is null)))`,
  },
  signInTokens: { table: 'web_sign_in_tokens', dead: sql`(used_at is not null or expires_at <= now())` },
  rateLimits: { table: 'web_rate_limits', dead: sql`window_start <= now() - make_interval(hours => ${RATE_LIMIT_KEEP_HOURS})` },
  actionLinkUses: { table: 'web_action_link_uses', dead: sql`expires_at <= now()` },
  // A form posts with its session's CSRF token, so no form outlives the longest session.
  formUses: { table: 'web_form_uses', dead: sql`used_at <= now() - make_interval(days => ${SESSION_MAX_DAYS})` },
};

/** Deletes the dead rows of every web table, `chunk` rows per statement; `afterChunk` runs between them (a heartbeat). */
export async function purgeExpiredWebRows(
  db: Database,
  options: { chunk?: number; afterChunk?: (soFar: WebPurgeCounts) => void } = {},
): Promise<WebPurgeCounts> {
  const chunk = options.chunk ?? PURGE_CHUNK;
  const counts: WebPurgeCounts = { sessions: 0, signInTokens: 0, rateLimits: 0, actionLinkUses: 0, formUses: 0 };
  for (const key of Object.keys(DEAD) as (keyof WebPurgeCounts)[]) {
    const { table, dead } = DEAD[key];
    const t = sql.raw(table);
    for (;;) {
      // The condition again on the outer delete: a row touched since the select is judged as it is now.
      const deleted = await db.execute(sql`
        delete from ${t} where ctid = any(array(select ctid from ${t} where ${dead} limit ${chunk})) and ${dead} returning 1`);
      counts[key] += deleted.length;
      options.afterChunk?.(counts);
      if (deleted.length < chunk) break;
    }
  }
  return counts;
}
