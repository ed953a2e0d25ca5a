// The open-item scan: every item a set of users is responsible for, across the seven tools, in ONE
// set-based query (UNION ALL of one branch per tool × role). Each branch filters on the
// responsibility column with `= any($ids)` and repeats the "open" predicate of the matching partial
// index in db/schema.ts word for word, so the planner answers it with an index lookup. Where the
// responsibility is a row of an assignment table, the item is fetched per assignment by primary key
// (a LATERAL subquery fenced with OFFSET 0): for a batch that is a few thousand key lookups instead
// of a hash join over every open item of the tool (3× faster for 1,000 users; see BENCHMARKS.md).
//
// Who owes a final timecard entry: an active employee without one who has recorded time or belongs
// to a project. Someone with neither has no time to close out and no project to record it on, so
// nothing in the product could resolve such an item: it is not shown.
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import type { OpenItem, Role, Tool } from '../workflows/definitions';

/** A drizzle transaction handle, as passed to `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type DbOrTx = Database | Tx;

export const TIMECARD_ITEM_TITLE = 'Final timecard entry';
export const TIMECARD_ITEM_STATUS = 'missing';

/** Only safe positive int4 values reach SQL; anything else can not be a user ID. */
export function isUserId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

/** A PostgreSQL int[] literal, passed as ONE parameter (drizzle would expand a JS array into a list). */
export function intArrayParam(ids: readonly number[]): SQL {
  return sql`${`{${ids.join(',')}}`}::int[]`;
}

/** A row as the scan query returns it: an OpenItem before its key is built and its tool/role checked. */
type ScanRow = Omit<OpenItem, 'key' | 'tool' | 'role'> & { tool: string; role: string };

/** `userIds: 'all'` scans every user (the Assignment Report); otherwise only the given users. */
export function openItemsQuery(userIds: readonly number[] | 'all'): SQL {
  const ids = userIds === 'all' ? undefined : userIds;
  const held = (column: SQL) => (ids === undefined ? sql`${column} is not null` : sql`${column} = any(${intArrayParam(ids)})`);
  return sql`
    select x.tool, x.role, x.item_id as "itemId", p.id as "projectId", p.name as "projectName",
           x.number, x.title, x.status, x.user_id as "userId"
    from (
      select 0 as tool_order, 'rfi' as tool, 'manager' as role, 0 as role_order, r.id as item_id, r.project_id,
             r.number, r.subject as title, r.status::text as status, r.manager_id as user_id
        from rfis r
       where ${held(sql`r.manager_id`)} and r.status in ('draft', 'open')
      union all
      select 0, 'rfi', 'assignee', 1, r.id, r.project_id, r.number, r.subject, r.status::text, a.user_id
        from rfi_assignees a
        cross join lateral (select r.* from rfis r where r.id = a.rfi_id and r.status in ('draft', 'open') offset 0) r
       where ${held(sql`a.user_id`)}
      union all
      select 1, 'submittal', 'manager', 0, s.id, s.project_id, s.number, s.title, s.status::text, s.manager_id
        from submittals s
       where ${held(sql`s.manager_id`)} and s.status <> 'closed'
      union all
      select 1, 'submittal', 'approver', 1, s.id, s.project_id, s.number, s.title, s.status::text, sa.user_id
        from submittal_approvers sa
        cross join lateral (select s.* from submittals s where s.id = sa.submittal_id and s.status <> 'closed' offset 0) s
       where ${held(sql`sa.user_id`)} and sa.response = 'pending'
      union all
      select 2, 'observation', 'assignee', 0, o.id, o.project_id, o.number, o.title, o.status::text, o.assignee_id
        from observations o
       where ${held(sql`o.assignee_id`)} and o.status <> 'closed'
      union all
      select 3, 'meeting-item', 'assignee', 0, mi.id, mi.project_id, mi.number, mi.title, mi.status::text, mia.user_id
        from meeting_item_assignees mia
        cross join lateral (
          select mi.id, m.project_id, mi.number, mi.title, mi.status from meeting_items mi join meetings m on m.id = mi.meeting_id
           where mi.id = mia.meeting_item_id and mi.status = 'open' offset 0) mi
       where ${held(sql`mia.user_id`)}
      union all
      select 4, 'inspection', 'point-of-contact', 0, i.id, i.project_id, i.number, i.title, i.status::text, i.point_of_contact_id
        from inspections i
       where ${held(sql`i.point_of_contact_id`)} and i.status <> 'closed'
      union all
      select 5, 'defect', 'assigned-to', 0, d.id, d.project_id, d.number, d.title, d.status::text, d.assigned_to_id
        from defect_items d
       where ${held(sql`d.assigned_to_id`)} and d.status <> 'closed'
      union all
      select 6, 'timecard', 'employee', 0, u.id,
             coalesce(
               (select te.project_id from timecard_entries te where te.user_id = u.id
                 order by te.work_date desc, te.id desc limit 1),
               (select pm.project_id from project_members pm where pm.user_id = u.id
                 order by pm.added_at, pm.project_id limit 1)),
             '', ${TIMECARD_ITEM_TITLE}::text, ${TIMECARD_ITEM_STATUS}::text, u.id
        from users u
       where ${held(sql`u.id`)} and u.status = 'active' and u.is_employee
         and not exists (select 1 from timecard_entries f where f.user_id = u.id and f.is_final offset 0)
         and (exists (select 1 from timecard_entries te where te.user_id = u.id offset 0)
              or exists (select 1 from project_members pm where pm.user_id = u.id offset 0))
    ) x
    left join projects p on p.id = x.project_id
    order by x.user_id, x.tool_order, p.name nulls last, x.item_id, x.role_order`;
}

// The scan runs as a named prepared statement when it can (outside a transaction): the query text
// is the same for every call (the IDs are one int[] parameter), so PostgreSQL plans it once per
// connection instead of on every call.
const dialect = new PgDialect();

/** The pool-level handle (not a transaction, which has no `$client` of its own). */
function isRootDatabase(db: DbOrTx): db is Database & { $client: postgres.Sql } {
  const client: unknown = '$client' in db ? db.$client : undefined;
  return typeof client === 'function' && typeof (client as Partial<postgres.Sql>).unsafe === 'function';
}

async function runScan(db: DbOrTx, query: SQL): Promise<ScanRow[]> {
  if (isRootDatabase(db)) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return db.$client.unsafe<ScanRow[]>(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
  }
  return [...(await db.execute<ScanRow>(query))];
}

function toOpenItem(r: ScanRow): OpenItem {
  const tool = r.tool as Tool;
  const role = r.role as Role;
  return {
    key: `${tool}:${r.itemId}:${role}`,
    tool,
    role,
    itemId: r.itemId,
    projectId: r.projectId,
    projectName: r.projectName,
    number: r.number,
    title: r.title,
    status: r.status,
    userId: r.userId,
  };
}

/**
 * Every open item the given users are responsible for, ordered by (userId, tool, projectName,
 * itemId). Invalid or duplicate IDs are ignored; an empty list costs no query.
 */
export async function scanOpenItems(db: DbOrTx, userIds: readonly number[]): Promise<OpenItem[]> {
  const ids = [...new Set(userIds.filter(isUserId))];
  if (ids.length === 0) return [];
  const rows = await runScan(db, openItemsQuery(ids));
  return rows.map(toOpenItem);
}

/** The same scan over every user (the unfiltered Assignment Report), still one query. */
export async function scanAllOpenItems(db: DbOrTx): Promise<OpenItem[]> {
  const rows = await runScan(db, openItemsQuery('all'));
  return rows.map(toOpenItem);
}
