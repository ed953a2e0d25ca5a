// A leaving person as their page shows them: who they are, their manager, and the facts of their
// latest offboarding (who started it, when, how it ended), from the database alone.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';

export type LeavingPerson = {
  id: number;
  name: string;
  company: string;
  email: string | null;
  managerId: number | null;
  managerName: string | null;
  status: 'active' | 'inactive';
  inactivatedAt: string | null;
};

export type OffboardingFacts = {
  id: number;
  requesterName: string;
  startedAt: string;
  endedAt: string | null;
  outcome: 'inactivated' | 'removed' | 'cancelled' | 'failed' | null;
};

export async function loadPerson(db: DbOrTx, userId: number): Promise<LeavingPerson | undefined> {
  const [row] = await db.execute<LeavingPerson>(sql`
    select u.id, u.name, u.company, u.email, u.manager_id as "managerId", m.name as "managerName", u.status::text as status,
           to_json(u.inactivated_at) #>> '{}' as "inactivatedAt"
      from users u left join users m on m.id = u.manager_id where u.id = ${userId}`);
  return row;
}

/** Their most recent offboarding, running or ended; undefined when nobody ever started one. */
export async function latestOffboarding(db: DbOrTx, userId: number): Promise<OffboardingFacts | undefined> {
  const [row] = await db.execute<OffboardingFacts>(sql`
    select o.id, r.name as "requesterName", to_json(o.started_at) #>> '{}' as "startedAt", to_json(o.ended_at) #>> '{}' as "endedAt",
           o.outcome::text as outcome
      from offboardings o join users r on r.id = o.requested_by
     where o.user_id = ${userId} order by o.started_at desc, o.id desc limit 1`);
  return row;
}
