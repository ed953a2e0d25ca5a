// Everything one leaving person's page shows: the person and their latest offboarding (database), the
// offboarding's state (ONE status query to their workflow: the items it accepts updates for), and who
// may take each item over (domain/assignee-eligibility.ts, the rule the reassignment activity uses).
import type { Client } from '@temporalio/client';
import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../../../db/client';
import { users } from '../../../db/schema';
import { type EligiblePerson, eligibleAssignees } from '../../../domain/assignee-eligibility';
import { type UserOffboardingStatus, userStatusQuery, userWorkflowId } from '../../../workflows/contract';
import { isNotFound } from '../../operations/workflow-calls';

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

export type UserPage = {
  person: LeavingPerson;
  offboarding: OffboardingFacts | null;
  /** The workflow's answer; null when it could not be asked (`statusProblem` says why). */
  status: UserOffboardingStatus | null;
  statusProblem: string | null;
  eligible: Map<number, EligiblePerson[]>;
  /** Names of the people the page mentions (who took items over, who acted). */
  names: Map<number, string>;
};

export async function loadPerson(db: Database, userId: number): Promise<LeavingPerson | undefined> {
  const [row] = await db.execute<LeavingPerson>(sql`
    select u.id, u.name, u.company, u.email, u.manager_id as "managerId", m.name as "managerName", u.status::text as status,
           to_json(u.inactivated_at) #>> '{}' as "inactivatedAt"
      from users u left join users m on m.id = u.manager_id where u.id = ${userId}`);
  return row;
}

export async function loadUserPage(db: Database, temporal: Client, person: LeavingPerson): Promise<UserPage> {
  // The offboarding row and the workflow's answer do not depend on each other: ask both at once (the
  // answer is dropped when there is no offboarding). Then the eligible people and the names, also at once.
  const [[offboarding], asked] = await Promise.all([
    db.execute<OffboardingFacts>(sql`
    select o.id, r.name as "requesterName", to_json(o.started_at) #>> '{}' as "startedAt", to_json(o.ended_at) #>> '{}' as "endedAt",
           o.outcome::text as outcome
      from offboardings o join users r on r.id = o.requested_by
     where o.user_id = ${person.id} order by o.started_at desc, o.id desc limit 1`),
    temporal.workflow
      .getHandle(userWorkflowId(person.id))
      .query(userStatusQuery)
      .then(
        (answer): { status: UserOffboardingStatus; problem: null } => ({ status: answer, problem: null }),
        (e: unknown) => ({
          status: null,
          problem: isNotFound(e)
            ? 'The workflow of this offboarding is no longer kept by Temporal.'
            : `Temporal did not answer (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}); the items cannot be shown right now.`,
        }),
      ),
  ]);
  const status = offboarding ? asked.status : null;
  const statusProblem = offboarding ? asked.problem : null;
  const running = status !== null && offboarding?.endedAt === null;
  const items = running ? status?.pendingItems ?? [] : [];
  const projectIds = [...new Set(items.map((i) => i.projectId).filter((p): p is number => p !== null))];
  const ids = new Set<number>();
  for (const r of status?.resolutions ?? []) {
    if (r.toUserId !== null) ids.add(r.toUserId);
    ids.add(r.byUserId);
  }
  const [eligible, named] = await Promise.all([
    eligibleAssignees(db, projectIds, person.id),
    ids.size > 0 ? db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, [...ids])) : Promise.resolve([]),
  ]);
  const names = new Map(named.map((u) => [u.id, u.name]));
  return { person, offboarding: offboarding ?? null, status, statusProblem, eligible, names };
}
