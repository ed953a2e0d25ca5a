// The open-item scan: every item a set of users is responsible for, across the seven tools, in ONE
// set-based query (UNION ALL of one branch per tool × role). Each branch filters on the
// responsibility column with `= any($ids)` and repeats the "open" predicate of the matching partial
// index in db/schema.ts word for word, so the planner answers it with an index lookup.
import { type SQL, sql } from 'drizzle-orm';
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

type ScanRow = {
  tool: string;
  role: string;
  itemId: number;
  projectId: number | null;
  projectName: string | null;
  number: string;
  title: string;
  status: string;
  userId: number;
};

/** `userIds: 'all'` scans every user (the Assignment Report); otherwise only the given users. */
export function openItemsQuery(userIds: readonly number[] | 'all'): SQL {
  const ids = userIds === 'all' ? undefined : userIds;
  const held = (column: SQL) => (ids === undefined ? sql`${column} is not null` : sql`${column} = any(${intArrayParam(ids)})`);
  return sql`
    select x.tool, x.role, x.item_id as "itemId", x.project_id as "projectId", x.project_name as "projectName",
           x.number, x.title, x.status, x.user_id as "userId"
    from (
      select 0 as tool_order, 'rfi' as tool, 'manager' as role, 0 as role_order, r.id as item_id, p.id as project_id,
             p.name as project_name, r.number, r.subject as title, r.status::text as status, r.manager_id as user_id
        from rfis r join projects p on p.id = r.project_id
       where ${held(sql`r.manager_id`)} and r.status in ('draft', 'open')
      union all
      select 0, 'rfi', 'assignee', 1, r.id, p.id, p.name, r.number, r.subject, r.status::text, a.user_id
        from rfi_assignees a join rfis r on r.id = a.rfi_id join projects p on p.id = r.project_id
       where ${held(sql`a.user_id`)} and r.status in ('draft', 'open')
      union all
      select 1, 'submittal', 'manager', 0, s.id, p.id, p.name, s.number, s.title, s.status::text, s.manager_id
        from submittals s join projects p on p.id = s.project_id
       where ${held(sql`s.manager_id`)} and s.status <> 'closed'
      union all
      select 1, 'submittal', 'approver', 1, s.id, p.id, p.name, s.number, s.title, s.status::text, sa.user_id
        from submittal_approvers sa join submittals s on s.id = sa.submittal_id join projects p on p.id = s.project_id
       where ${held(sql`sa.user_id`)} and sa.response = 'pending' and s.status <> 'closed'
      union all
      select 2, 'observation', 'assignee', 0, o.id, p.id, p.name, o.number, o.title, o.status::text, o.assignee_id
        from observations o join projects p on p.id = o.project_id
       where ${held(sql`o.assignee_id`)} and o.status <> 'closed'
      union all
      select 3, 'meeting-item', 'assignee', 0, mi.id, p.id, p.name, mi.number, mi.title, mi.status::text, mia.user_id
        from meeting_item_assignees mia join meeting_items mi on mi.id = mia.meeting_item_id
        join meetings m on m.id = mi.meeting_id join projects p on p.id = m.project_id
       where ${held(sql`mia.user_id`)} and mi.status = 'open'
      union all
      select 4, 'inspection', 'point-of-contact', 0, i.id, p.id, p.name, i.number, i.title, i.status::text, i.point_of_contact_id
        from inspections i join projects p on p.id = i.project_id
       where ${held(sql`i.point_of_contact_id`)} and i.status <> 'closed'
      union all
      select 5, 'defect', 'assigned-to', 0, d.id, p.id, p.name, d.number, d.title, d.status::text, d.assigned_to_id
        from defect_items d join projects p on p.id = d.project_id
       where ${held(sql`d.assigned_to_id`)} and d.status <> 'closed'
      union all
      select 6, 'timecard', 'employee', 0, u.id, p.id, p.name, '', ${TIMECARD_ITEM_TITLE}::text, ${TIMECARD_ITEM_STATUS}::text, u.id
        from users u
        left join lateral (
          select te.project_id from timecard_entries te where te.user_id = u.id
           order by te.work_date desc, te.id desc limit 1) last_entry on true
        left join lateral (
          select pm.project_id from project_members pm where pm.user_id = u.id
           order by pm.added_at, pm.project_id limit 1) first_membership on true
        left join projects p on p.id = coalesce(last_entry.project_id, first_membership.project_id)
       where ${held(sql`u.id`)} and u.status = 'active' and u.is_employee
         and not exists (select 1 from timecard_entries f where f.user_id = u.id and f.is_final)
    ) x
    order by x.user_id, x.tool_order, x.project_name nulls last, x.item_id, x.role_order`;
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
  const rows = await db.execute<ScanRow>(openItemsQuery(ids));
  return rows.map(toOpenItem);
}

/** The same scan over every user (the unfiltered Assignment Report), still one query. */
export async function scanAllOpenItems(db: DbOrTx): Promise<OpenItem[]> {
  const rows = await db.execute<ScanRow>(openItemsQuery('all'));
  return rows.map(toOpenItem);
}
