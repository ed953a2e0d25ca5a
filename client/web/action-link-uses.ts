// How many sessions an action link may open. A forwarded or leaked link is still only a handful of
// sessions, and pressing "Continue" 300 times opens no more; the recipient can always sign in by email.
// The same rule counts a digest's team link (by its own hash: the two kinds of link never share a count).
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { sha256 } from './keys';

export const ACTION_LINK_MAX_SESSIONS = 5;

/** Counts one more session for the link; false (and nothing counted) when it has opened its share already. */
export async function takeActionLinkUse(db: Database, token: string, claims: { expiresAt: number }): Promise<boolean> {
  const rows = await db.execute<{ uses: number }>(sql`
    insert into web_action_link_uses (link_hash, uses, expires_at)
    values (${sha256(token)}, 1, to_timestamp(${claims.expiresAt}))
    on conflict (link_hash) do update set uses = web_action_link_uses.uses + 1
     where web_action_link_uses.uses < ${ACTION_LINK_MAX_SESSIONS}
    returning uses`);
  return rows.length > 0;
}
