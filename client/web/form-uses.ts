// A form's nonce (requestId) is bound to what the form does. Sent again with the same action it is a
// double submit or a retry, and acts once (the nonce is the Temporal update ID). Sent with another
// action — another item, person or kind — it would be answered with the first action's result as if
// it had been done; so it is refused, and the page asks for a reload (which draws fresh nonces).
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

/** What a form does, in the fields that decide it (kind, person, item, target, note). */
export type FormAction = Readonly<Record<string, string | number | null>>;

export const FORM_ALREADY_USED = 'This form was already used — reload the page.';

/** The red banner for a nonce sent with another action than its first. */
export const FORM_USED_FLASH = { kind: 'error', text: FORM_ALREADY_USED, code: 'FORM_ALREADY_USED' } as const;

const actionHash = (action: FormAction): string =>
  createHash('sha256')
    .update(JSON.stringify(Object.entries(action).sort(([a], [b]) => (a < b ? -1 : 1))))
    .digest('hex');

/** Records the nonce's action on first use; true when this is that action (first time or again). */
export async function formNonceFits(db: Database, actorId: number, requestId: string, action: FormAction): Promise<boolean> {
  const hash = actionHash(action);
  const added = await db.execute(sql`
    insert into web_form_uses (actor_id, request_id, action_hash) values (${actorId}, ${requestId}, ${hash})
    on conflict (actor_id, request_id) do nothing returning 1`);
  if (added.length > 0) return true;
  // A statement of its own: it sees the row of a twin submit that committed while this one waited.
  const [row] = await db.execute<{ actionHash: string }>(sql`
    select action_hash as "actionHash" from web_form_uses where actor_id = ${actorId} and request_id = ${requestId}`);
  return row?.actionHash === hash;
}
