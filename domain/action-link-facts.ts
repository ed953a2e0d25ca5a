// What a personal link in an email is about, as the directory says now: the names of its recipient
// and of the leaving person, whether the recipient is still active, and whether the offboarding the
// link was signed for still runs. The signature alone says none of this (action-links.ts).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import type { ActionLinkClaims } from './action-links';

export type ActionLinkFacts = { recipient: string; recipientActive: boolean; person: string; running: boolean };

/** Undefined when the directory knows neither the recipient nor the person. */
export async function actionLinkFacts(db: DbOrTx, claims: ActionLinkClaims): Promise<ActionLinkFacts | undefined> {
  const [row] = await db.execute<ActionLinkFacts>(sql`
    select r.name as recipient, (r.status = 'active' and r.deprovisioned_at is null) as "recipientActive", u.name as person,
           exists (select 1 from offboardings o where o.id = ${claims.offboardingId} and o.user_id = u.id and o.ended_at is null) as running
      from users r, users u where r.id = ${claims.recipientId} and u.id = ${claims.userId}`);
  return row;
}
