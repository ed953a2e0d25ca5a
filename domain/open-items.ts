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
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import { projectMembers, projects, timecardEntries, users } from '../db/schema';
import { intArrayParam } from '../db/int-array';
import type { DbOrTx } from '../db/transaction';
import { isUserId, type OpenItem, type Role, type Tool, type ToolRole, TOOL_ROLES } from '../workflows/contract';
import { TOOL_ROLE_SPECS, toolRoleOrder } from './tool-roles';

export const TIMECARD_ITEM_TITLE = 'Final timecard entry';
export const TIMECARD_ITEM_STATUS = 'missing';

/** A row as the scan query returns it: an OpenItem before its key is built and its tool/role checked. */
export type ScanRow = Omit<OpenItem, 'key' | 'tool' | 'role'> & { tool: string; role: string };

/** One UNION ALL branch per tool:role, built from domain/tool-roles.ts. */
function branch(key: ToolRole, held: (column: SQLWrapper) => SQL): SQL {
  const [tool, role] = key.split(':') as [Tool, Role];
  const spec = TOOL_ROLE_SPECS[key];
  const { toolOrder, roleOrder } = toolRoleOrder(tool, role);
  const head = sql`select ${toolOrder}::int as tool_order, ${tool}::text as tool, ${role}::text as role, ${roleOrder}::int as role_order`;
  if (spec.kind === 'column') {
    const { item } = spec;
    return sql`${head}, ${item.id} as item_id, ${item.projectId} as project_id, ${item.number} as number, ${item.title} as title,
             ${item.status}::text as status, ${spec.holder} as user_id
        from ${item.table}
       where ${held(spec.holder)} and ${item.open}`;
  }
  if (spec.kind === 'row') {
    const { item } = spec;
    const via = item.via ? sql`join ${item.via.table} on ${item.via.on}` : sql``;
    return sql`${head}, x.item_id, x.project_id, x.number, x.title, x.status, ${spec.user} as user_id
        from ${spec.rows}
        cross join lateral (
          select ${item.id} as item_id, ${item.projectId} as project_id, ${item.number} as number, ${item.title} as title,
                 ${item.status}::text as status
            from ${item.table} ${via}
           where ${item.id} = ${spec.itemRef} and ${item.open} offset 0) x
       where ${held(spec.user)}${spec.pending ? sql` and ${spec.pending}` : sql``}`;
  }
  // timecard:employee — the employee is the item; its project is where the final entry goes: the
  // latest timecard entry's, or else the first project membership's. No project means nothing is
  // owed (no time recorded, no project): that is the rule itself, so the project is looked up once,
  // in a LATERAL fenced with OFFSET 0, and only for the few employees without a final entry (the
  // NOT EXISTS stays on the users scan, evaluated first). Two EXISTS probes per employee, run before
  // the final-entry check, cost the 1,000-user scan 40 % more buffers in that branch (BENCHMARKS.md).
  const latestEntry = sql`(select ${timecardEntries.projectId} from ${timecardEntries} where ${timecardEntries.userId} = ${users.id}
                            order by ${timecardEntries.workDate} desc, ${timecardEntries.id} desc limit 1)`;
  const firstProject = sql`(select ${projectMembers.projectId} from ${projectMembers} where ${projectMembers.userId} = ${users.id}
                             order by ${projectMembers.addedAt}, ${projectMembers.projectId} limit 1)`;
  return sql`${head}, ${users.id} as item_id, owed.project_id, ''::text as number,
           ${TIMECARD_ITEM_TITLE}::text as title, ${TIMECARD_ITEM_STATUS}::text as status, ${users.id} as user_id
      from ${users}
      cross join lateral (select coalesce(${latestEntry}, ${firstProject}) as project_id offset 0) owed
     where ${held(users.id)} and ${users.status} = 'active' and ${users.isEmployee}
       and not exists (select 1 from ${timecardEntries} where ${timecardEntries.userId} = ${users.id} and ${timecardEntries.isFinal} offset 0)
       and owed.project_id is not null`;
}

/**
 * `userIds: 'all'` scans every user (the Assignment Report); otherwise only the given users.
 * `ordered: false` leaves the rows unsorted, for a caller that sorts them its own way (one sort, not two).
 */
export function openItemsQuery(userIds: readonly number[] | 'all', options: { ordered?: boolean } = {}): SQL {
  const ids = userIds === 'all' ? undefined : userIds;
  const held = (column: SQLWrapper) => (ids === undefined ? sql`${column} is not null` : sql`${column} = any(${intArrayParam(ids)})`);
  const branches = sql.join(
    TOOL_ROLES.map((key) => branch(key, held)),
    sql`
      union all
      `,
  );
  return sql`
    select x.tool, x.role, x.item_id as "itemId", ${projects.id} as "projectId", ${projects.name} as "projectName",
           x.number, x.title, x.status, x.user_id as "userId"
    from (
      ${branches}
    ) x
    left join ${projects} on ${projects.id} = x.project_id
    ${options.ordered === false ? sql`` : sql`order by x.user_id, x.tool_order, ${projects.name} nulls last, x.item_id, x.role_order`}`;
}

// The scan runs as a named prepared statement when it can (outside a transaction): the query text
// is the same for every call (the IDs are one int[] parameter), so PostgreSQL plans it once per
// connection instead of on every call.
const dialect = new PgDialect();

/** The pool-level handle (not a transaction, which has no `$client` of its own). */
export function isRootDatabase(db: DbOrTx): db is Database & { $client: postgres.Sql } {
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

export function toOpenItem(r: ScanRow): OpenItem {
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
