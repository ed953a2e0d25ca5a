// Who may take over an open item: an active member of the item's project who is not the user giving
// it up, is not being offboarded, and can be told (has an email address). ONE rule, used by the
// reassignment activity (the last word, inside its transaction), the web page's "Hand over to" select
// and the CLI's `reassign --all` (the people they offer), and the batch's successor check (the
// project-independent part, whyPersonIneligible), so nothing offers someone the activity would refuse.
//
// "Can be told" is the email address alone: an item handed to someone without one is orphaned again
// (nobody can tell them, and they cannot sign in). The directory permission is not part of it: it
// governs the Directory tool (who may see and edit the people list), not the items of the other tools,
// and the field staff who hold items in the demo directory have 'none'.
import { sql } from 'drizzle-orm';
import { intArrayParam } from '../db/int-array';
import type { DbOrTx } from '../db/transaction';
import { isUserId } from '../workflows/contract';

/** What the rule needs to know about one candidate, read from the database. */
export type CandidateFacts = {
  userId: number;
  name: string;
  jobTitle: string | null;
  status: 'active' | 'inactive';
  email: string | null;
  /** Member of the item's project. */
  isMember: boolean;
  /** The workflow of the open offboarding claim the candidate holds, if any. */
  offboardingWorkflowId: string | null;
};

export type Ineligibility =
  | 'TARGET_NOT_FOUND'
  | 'TARGET_SAME_USER'
  | 'TARGET_INACTIVE'
  | 'TARGET_NOT_PROJECT_MEMBER'
  | 'TARGET_BEING_OFFBOARDED'
  | 'TARGET_NO_EMAIL';

/** The part of the rule that holds whatever the item: active, staying, and can be told. */
export function whyPersonIneligible(
  candidate: Pick<CandidateFacts, 'status' | 'email' | 'offboardingWorkflowId'> | undefined,
): Extract<Ineligibility, 'TARGET_NOT_FOUND' | 'TARGET_INACTIVE' | 'TARGET_BEING_OFFBOARDED' | 'TARGET_NO_EMAIL'> | null {
  if (!candidate) return 'TARGET_NOT_FOUND';
  if (candidate.status !== 'active') return 'TARGET_INACTIVE';
  if (candidate.offboardingWorkflowId !== null) return 'TARGET_BEING_OFFBOARDED';
  if (candidate.email === null || candidate.email.trim() === '') return 'TARGET_NO_EMAIL';
  return null;
}

/** The rule itself: why `candidate` may not take over an item of `fromUserId`, or null when they may. */
export function whyIneligible(candidate: CandidateFacts | undefined, fromUserId: number): Ineligibility | null {
  if (!candidate) return 'TARGET_NOT_FOUND';
  if (candidate.userId === fromUserId) return 'TARGET_SAME_USER';
  if (candidate.status !== 'active') return 'TARGET_INACTIVE';
  if (!candidate.isMember) return 'TARGET_NOT_PROJECT_MEMBER';
  return whyPersonIneligible(candidate);
}

const FACTS = sql`u.id as "userId", u.name, u.job_title as "jobTitle", u.status::text as status, u.email`;
const CLAIM = sql`(select o.workflow_id from offboardings o where o.user_id = u.id and o.ended_at is null limit 1) as "offboardingWorkflowId"`;

/**
 * The facts about one candidate for an item of `projectId`. With `lockForShare` the candidate's row is
 * locked until the transaction ends, so an inactivation of the candidate cannot slip in between.
 */
export async function candidateFacts(
  db: DbOrTx,
  projectId: number | null,
  candidateId: number,
  options: { lockForShare?: boolean } = {},
): Promise<CandidateFacts | undefined> {
  if (!isUserId(candidateId)) return undefined;
  const [row] = await db.execute<CandidateFacts>(sql`
    select ${FACTS},
           exists (select 1 from project_members pm where pm.project_id = ${projectId} and pm.user_id = u.id) as "isMember",
           ${CLAIM}
      from users u where u.id = ${candidateId}
      ${options.lockForShare ? sql`for share of u` : sql``}`);
  return row;
}

export type EligiblePerson = { id: number; name: string; jobTitle: string | null };

/**
 * Everyone who may take over an item of `fromUserId` on each of `projectIds`, sorted by name: the
 * project's members filtered by whyIneligible. One query for all the projects of a page.
 */
export async function eligibleAssignees(
  db: DbOrTx,
  projectIds: readonly number[],
  fromUserId: number,
): Promise<Map<number, EligiblePerson[]>> {
  const ids = [...new Set(projectIds.filter(isUserId))];
  const byProject = new Map<number, EligiblePerson[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byProject;
  const rows = await db.execute<CandidateFacts & { projectId: number }>(sql`
    select pm.project_id as "projectId", ${FACTS}, true as "isMember", ${CLAIM}
      from project_members pm join users u on u.id = pm.user_id
     where pm.project_id = any(${intArrayParam(ids)})
     order by u.name, u.id`);
  for (const row of rows) {
    if (whyIneligible(row, fromUserId) !== null) continue;
    byProject.get(row.projectId)?.push({ id: row.userId, name: row.name, jobTitle: row.jobTitle });
  }
  return byProject;
}
