// The batches HR has started, read from the claims they made (`offboardings`): who started each,
// when, and how many of its users are still running or ended which way. A batch's live stages come
// from its workflow (client/operations batchStatusPage); this list needs no Temporal call per row.
import { sql } from 'drizzle-orm';
import { intArrayParam } from '../db/int-array';
import type { DbOrTx } from '../db/transaction';
import { isUserId } from '../workflows/contract';

export type BatchListing = {
  batchId: string;
  requestedBy: { id: number; name: string };
  startedAt: string;
  /** Users the batch took on (those skipped at validation are in the batch's own status). */
  users: number;
  running: number;
  inactivated: number;
  removed: number;
  cancelled: number;
  failed: number;
  /** When its last user ended; null while any is running. */
  endedAt: string | null;
  /** startedAt to the microsecond, as PostgreSQL writes it: where the next page of the list starts (`after`). */
  startedAtKey: string;
};

/** The last batch of a page: the next page starts after it, in the list's order. */
export type BatchListPosition = { startedAtKey: string; batchId: string };

/** Newest first; `running` narrows to batches with a user still in progress. */
export async function listBatches(db: DbOrTx, options: { running?: boolean; limit?: number; after?: BatchListPosition } = {}): Promise<BatchListing[]> {
  const after = options.after;
  const having = [
    ...(options.running ? [sql`bool_or(o.ended_at is null)`] : []),
    ...(after ? [sql`(min(o.started_at) < ${after.startedAtKey}::timestamptz or (min(o.started_at) = ${after.startedAtKey}::timestamptz and o.batch_id > ${after.batchId}))`] : []),
  ];
  const limit = Math.min(Math.max(1, options.limit ?? 200), 1_000);
  const rows = await db.execute<Omit<BatchListing, 'requestedBy'> & { requesterId: number; requesterName: string }>(sql`
    select o.batch_id as "batchId", min(o.requested_by) as "requesterId", min(r.name) as "requesterName",
           to_json(min(o.started_at)) #>> '{}' as "startedAt", min(o.started_at)::text as "startedAtKey", count(*)::int as users,
           count(*) filter (where o.ended_at is null)::int as running,
           count(*) filter (where o.outcome = 'inactivated')::int as inactivated,
           count(*) filter (where o.outcome = 'removed')::int as removed,
           count(*) filter (where o.outcome = 'cancelled')::int as cancelled,
           count(*) filter (where o.outcome = 'failed')::int as failed,
           case when bool_or(o.ended_at is null) then null else to_json(max(o.ended_at)) #>> '{}' end as "endedAt"
      from offboardings o join users r on r.id = o.requested_by
     where o.batch_id is not null
     group by o.batch_id
    ${having.length > 0 ? sql`having ${sql.join(having, sql` and `)}` : sql``}
     order by min(o.started_at) desc, o.batch_id
     limit ${limit}`);
  return rows.map(({ requesterId, requesterName, ...b }) => ({
    ...b,
    startedAt: new Date(b.startedAt).toISOString(),
    endedAt: b.endedAt === null ? null : new Date(b.endedAt).toISOString(),
    requestedBy: { id: requesterId, name: requesterName },
  }));
}

/** A person on a batch's page: the name, their manager's, and whether their offboarding in it escalated. */
export type BatchPerson = { id: number; name: string; managerName: string | null; escalated: boolean };

/** The people of one page of a batch (the requester and the rejected ones too, when asked), by ID. */
export async function batchPeople(db: DbOrTx, batchId: string, ids: readonly number[]): Promise<Map<number, BatchPerson>> {
  if (ids.length === 0) return new Map();
  const rows = await db.execute<BatchPerson>(sql`
    select u.id, u.name, m.name as "managerName",
           exists (select 1 from offboardings o join notification_outbox n on n.workflow_id = o.workflow_id
                    where o.user_id = u.id and o.batch_id = ${batchId} and n.kind = 'escalation' and n.created_at >= o.started_at
                      and (o.ended_at is null or n.created_at <= o.ended_at)) as escalated
      from users u left join users m on m.id = u.manager_id
     where u.id = any(${intArrayParam(ids)})`);
  return new Map(rows.map((r) => [r.id, r]));
}

/** When the batch claimed its first user; null for a batch that claimed nobody. */
export async function batchStartedAt(db: DbOrTx, batchId: string): Promise<string | null> {
  const [row] = await db.execute<{ at: string | null }>(sql`select to_json(min(started_at)) #>> '{}' as at from offboardings where batch_id = ${batchId}`);
  return row?.at ?? null;
}

export type LatestOffboarding = { userId: number; batchId: string | null; workflowId: string; open: boolean; outcome: string | null };

/** Each user's open offboarding claim, or else their latest ended one (users never offboarded are absent). */
export async function latestOffboardings(db: DbOrTx, userIds: readonly number[]): Promise<LatestOffboarding[]> {
  const ids = userIds.filter(isUserId);
  if (ids.length === 0) return [];
  return db.execute<LatestOffboarding>(sql`
    select distinct on (o.user_id) o.user_id as "userId", o.batch_id as "batchId", o.workflow_id as "workflowId",
           o.ended_at is null as open, o.outcome::text as outcome
      from offboardings o
     where o.user_id = any(${intArrayParam(ids)})
     order by o.user_id, o.ended_at is null desc, o.started_at desc, o.id desc`);
}
