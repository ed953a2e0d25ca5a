// "People leaving your team": the offboardings of the people the viewer manages (every one for a
// company admin), from the database alone — the claims (offboardings), the people, and the outbox
// (when the manager was first asked, reminders, escalations) — never a Temporal call per row. A page
// is 50 rows; the items left are one open-item scan of the page's people.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import { scanOpenItems } from './open-items';

/** Who is looking: a company admin sees every offboarding, anyone else those of the people they manage. */
export type ListViewer = { id: number; isAdmin: boolean };

export const LIST_PAGE_SIZE = 50;

export type OffboardingListRow = {
  offboardingId: number;
  userId: number;
  name: string;
  company: string;
  managerName: string | null;
  requesterName: string;
  batchId: string | null;
  startedAt: string;
  endedAt: string | null;
  outcome: 'inactivated' | 'removed' | 'cancelled' | 'failed' | null;
  inactivatedAt: string | null;
  /** When the manager was first asked to act (the first items-assigned email), if ever. */
  waitingSince: string | null;
  reminders: number;
  escalated: boolean;
  /** Open items now (running offboardings only). */
  itemsLeft: number | null;
};

export type OffboardingList = { rows: OffboardingListRow[]; total: number; page: number; pages: number };

export async function listOffboardings(
  db: DbOrTx,
  viewer: ListViewer,
  options: { ended: boolean; page: number; scopeUserId: number | null; batchId?: string | null },
): Promise<OffboardingList> {
  const mine = sql`(${viewer.isAdmin} or u.manager_id = ${viewer.id})
    and (${options.scopeUserId}::int is null or o.user_id = ${options.scopeUserId}::int)
    and (${options.batchId ?? null}::text is null or o.batch_id = ${options.batchId ?? null}::text)
    and ${options.ended ? sql`o.ended_at is not null` : sql`o.ended_at is null`}`;
  const [counted] = await db.execute<{ total: number }>(sql`
    select count(*)::int as total from offboardings o join users u on u.id = o.user_id where ${mine}`);
  const total = counted?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / LIST_PAGE_SIZE));
  const page = Math.min(Math.max(1, options.page), pages);
  // Outbox rows of this offboarding: its workflow's, since it started (a person offboarded twice has one
  // workflow ID). A message sent to several people is one row each ("<key>#to:<id>"): count keys.
  const outbox = (kinds: string) => sql`from notification_outbox n
     where n.workflow_id = o.workflow_id and n.kind = ${kinds} and n.created_at >= o.started_at
       and (o.ended_at is null or n.created_at <= o.ended_at)`;
  // A batch's digests (issue 25) are its workflow's rows, one per recipient and round, each listing its
  // people in X-Offboarding-User-Ids: the batch's few rows are read through the (workflow, kind) index.
  const digest = (kind: string) => sql`from notification_outbox n
     where n.workflow_id = 'offboarding-batch-' || o.batch_id and n.kind = ${kind} and n.created_at >= o.started_at
       and (o.ended_at is null or n.created_at <= o.ended_at)
       and (',' || (n.headers ->> 'X-Offboarding-User-Ids') || ',') like ('%,' || o.user_id || ',%')`;
  const rows = await db.execute<Omit<OffboardingListRow, 'itemsLeft'>>(sql`
    select o.id as "offboardingId", o.user_id as "userId", u.name, u.company, m.name as "managerName", r.name as "requesterName",
           o.batch_id as "batchId", to_json(o.started_at) #>> '{}' as "startedAt", to_json(o.ended_at) #>> '{}' as "endedAt",
           o.outcome::text as outcome, to_json(u.inactivated_at) #>> '{}' as "inactivatedAt",
           to_json(least((select min(n.created_at) ${outbox('items-assigned')}), (select min(n.created_at) ${digest('action-needed-digest')}))) #>> '{}' as "waitingSince",
           ((select count(distinct split_part(n.idempotency_key, '#to:', 1))::int ${outbox('reminder')})
             + (select count(distinct split_part(n.idempotency_key, ':reminder-digest:', 1))::int ${digest('reminder-digest')})) as reminders,
           (exists (select 1 ${outbox('escalation')}) or exists (select 1 ${digest('escalation-digest')})) as escalated
      from offboardings o
      join users u on u.id = o.user_id
      join users r on r.id = o.requested_by
      left join users m on m.id = u.manager_id
     where ${mine}
     order by ${options.ended ? sql`o.ended_at desc` : sql`o.started_at`}, o.id
     limit ${LIST_PAGE_SIZE} offset ${(page - 1) * LIST_PAGE_SIZE}`);
  const running = rows.filter((r) => r.endedAt === null).map((r) => r.userId);
  const items = running.length > 0 ? await scanOpenItems(db, running) : [];
  const left = new Map<number, number>();
  for (const item of items) left.set(item.userId, (left.get(item.userId) ?? 0) + 1);
  return {
    rows: rows.map((r) => ({ ...r, itemsLeft: r.endedAt === null ? (left.get(r.userId) ?? 0) : null })),
    total,
    page,
    pages,
  };
}
