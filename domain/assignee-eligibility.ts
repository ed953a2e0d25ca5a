// The facts the hand-over rule (workflows/contract/hand-over.ts) decides on, read from the database:
// one candidate under lock for the reassignment activity (the last word, inside its transaction), and
// every project member who passes the rule for the web page's "Hand over to" select and the CLI's
// `reassign --all`, so nothing offers someone the activity would refuse. The field staff who hold
// items in the demo directory have directory permission 'none': the rule does not ask for any.
import { sql } from 'drizzle-orm';
import { intArrayParam } from '../db/int-array';
import type { DbOrTx } from '../db/transaction';
import { type HandOverCandidate, isUserId, whyIneligible } from '../workflows/contract';

/** What the rule needs to know about one candidate, read from the database, and how pages name them. */
export type CandidateFacts = HandOverCandidate & { name: string; jobTitle: string | null };

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
