// What a team link in a digest is about, as the directory says now: the recipient's name, whether they
// are still active, whether the batch still runs (someone of it is still being offboarded), and how
// many of its running people they may act on. And the one rule a session from such a link keeps: a
// person is within it when their latest offboarding belongs to that batch (a person removed from the
// batch and offboarded again elsewhere is not). The signature alone says none of this (team-links.ts).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import { isUserId } from '../workflows/contract';
import type { TeamLinkClaims } from './team-links';

export type TeamLinkFacts = { recipient: string; recipientActive: boolean; running: boolean; people: number };

/** Undefined when the directory does not know the recipient. */
export async function teamLinkFacts(db: DbOrTx, claims: TeamLinkClaims): Promise<TeamLinkFacts | undefined> {
  // "May act" is domain/permissions.ts's rule (an active admin, or the person's manager), for the batch's running people at once.
  const [row] = await db.execute<TeamLinkFacts>(sql`
    select r.name as recipient, (r.status = 'active' and r.deprovisioned_at is null) as "recipientActive",
           exists (select 1 from offboardings o where o.batch_id = ${claims.batchId} and o.ended_at is null) as running,
           (select count(*)::int from offboardings o join users u on u.id = o.user_id
             where o.batch_id = ${claims.batchId} and o.ended_at is null
               and r.status = 'active' and (r.directory_permission = 'admin' or u.manager_id = r.id)) as people
      from users r where r.id = ${claims.recipientId}`);
  return row;
}

/** Whether the person's latest offboarding belongs to the batch: what a team link's session may open. */
export async function latestOffboardingInBatch(db: DbOrTx, userId: number, batchId: string): Promise<boolean> {
  if (!isUserId(userId)) return false;
  const rows = await db.execute<{ ok: boolean }>(sql`
    select coalesce((select o.batch_id = ${batchId} from offboardings o where o.user_id = ${userId} order by o.id desc limit 1), false) as ok`);
  return rows[0]?.ok === true;
}
