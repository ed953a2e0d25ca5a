// The Company Directory as HR pages through it: search by name or email, filter by company, project,
// permission and status, a page at a time in name order (keyset paging: page 1,000 of 50,000 users
// costs what page 1 does), each row with its open items per tool so HR sees the work before choosing.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import { type DirectoryPermission, directoryPermission } from '../db/schema';
import { type Tool, TOOLS } from '../workflows/contract';
import { scanOpenItems } from './open-items';

export const DIRECTORY_PAGE_SIZE = 50;
/**
 * Matches are counted up to this many: beyond it the page says "more than 1,000", and counting all
 * 50,000 of a directory would cost more than the page itself.
 */
export const DIRECTORY_COUNT_LIMIT = 1_000;
/** Rows of name order a search first walks (see directoryPage). */
const SEARCH_PROBE_ROWS = 2_000;

export type DirectoryFilter = {
  /** Part of a name or an email address, any case. */
  search?: string;
  company?: string;
  projectId?: number;
  permission?: DirectoryPermission;
  status?: 'active' | 'inactive' | 'all';
};

/** Where a page starts or ends: the (name, id) of a row, opaque to the browser. */
export type DirectoryCursor = { name: string; id: number };

export type DirectoryRow = {
  id: number;
  name: string;
  email: string | null;
  company: string;
  jobTitle: string | null;
  permission: DirectoryPermission;
  status: 'active' | 'inactive';
  manager: { id: number; name: string } | null;
  /** The batch offboarding the user right now, if any. */
  offboardingBatchId: string | null;
  openByTool: Record<Tool, number>;
  openItems: number;
};

export type DirectoryPage = {
  rows: DirectoryRow[];
  /** Users matching the filter, all pages, counted up to DIRECTORY_COUNT_LIMIT. */
  total: number;
  /** More than DIRECTORY_COUNT_LIMIT match (`total` is then the limit). */
  totalOverLimit: boolean;
  /** Cursors of the next and previous pages, or null at either end. */
  next: DirectoryCursor | null;
  previous: DirectoryCursor | null;
};

export function isDirectoryPermission(value: string): value is DirectoryPermission {
  return (directoryPermission.enumValues as readonly string[]).includes(value);
}

/** LIKE's own characters in what a person typed match themselves. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function conditions(f: DirectoryFilter): SQL {
  const parts: SQL[] = [sql`true`];
  const search = f.search?.trim();
  if (search) parts.push(sql`(u.name ilike ${likePattern(search)} or u.email ilike ${likePattern(search)})`);
  if (f.company) parts.push(sql`u.company = ${f.company}`);
  // The project's members by primary key (a project has hundreds, the directory tens of thousands):
  // as an EXISTS the planner hashes every user.
  if (f.projectId !== undefined) parts.push(sql`u.id = any(array(select pm.user_id from project_members pm where pm.project_id = ${f.projectId}))`);
  if (f.permission) parts.push(sql`u.directory_permission = ${f.permission}`);
  const status = f.status ?? 'active';
  if (status !== 'all') parts.push(sql`u.status = ${status}`);
  return sql.join(parts, sql` and `);
}

type Row = Omit<DirectoryRow, 'manager' | 'openByTool' | 'openItems'> & { managerId: number | null; managerName: string | null };

/**
 * One page of the directory. `after` pages forward from a cursor, `before` backward; neither is the
 * first page.
 */
export async function directoryPage(
  db: DbOrTx,
  filter: DirectoryFilter,
  page: { after?: DirectoryCursor; before?: DirectoryCursor; size?: number } = {},
): Promise<DirectoryPage> {
  const size = Math.min(Math.max(1, page.size ?? DIRECTORY_PAGE_SIZE), 500);
  const where = conditions(filter);
  const backward = page.before !== undefined && page.after === undefined;
  const edge = page.after ?? page.before;
  const keyset = edge === undefined ? sql`true` : backward ? sql`(u.name, u.id) < (${edge.name}, ${edge.id})` : sql`(u.name, u.id) > (${edge.name}, ${edge.id})`;
  const order = backward ? sql`u.name desc, u.id desc` : sql`u.name, u.id`;
  const select = (from: SQL) => db.execute<Row>(sql`
    select u.id, u.name, u.email, u.company, u.job_title as "jobTitle", u.directory_permission::text as permission,
           u.status::text as status, m.id as "managerId", m.name as "managerName",
           (select o.batch_id from offboardings o where o.user_id = u.id and o.ended_at is null) as "offboardingBatchId"
      from ${from} left join users m on m.id = u.manager_id
     where ${where} and ${keyset}
     order by ${order}
     limit ${size + 1}`);
  // A search for something common ("an", "leaver4") matches thousands: the first rows in name order
  // hold a page of them, where the trigram indexes would fetch and sort every match. So a search
  // first walks a bounded stretch of the name order; when that is not enough (a rare name), the
  // trigram indexes answer.
  let fetched: Row[] | undefined;
  if (filter.search?.trim()) {
    const probe = await select(sql`(select * from users u where ${keyset} order by ${order} limit ${SEARCH_PROBE_ROWS}) u`);
    if (probe.length > size) fetched = [...probe];
  }
  fetched ??= [...(await select(sql`users u`))];
  const more = fetched.length > size;
  const rows = fetched.slice(0, size);
  if (backward) rows.reverse();
  const [count] = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from (select 1 from users u where ${where} limit ${DIRECTORY_COUNT_LIMIT + 1}) matching`,
  );
  const counted = count?.n ?? 0;
  const items = await scanOpenItems(db, rows.map((r) => r.id));
  const first = rows[0];
  const last = rows.at(-1);
  const hasPrevious = backward ? more : edge !== undefined;
  const hasNext = backward ? true : more;
  return {
    rows: rows.map(({ managerId, managerName, ...r }) => {
      const openByTool = Object.fromEntries(TOOLS.map((t) => [t, 0])) as Record<Tool, number>;
      let openItems = 0;
      for (const item of items) {
        if (item.userId !== r.id) continue;
        openByTool[item.tool] += 1;
        openItems += 1;
      }
      return { ...r, manager: managerId === null ? null : { id: managerId, name: managerName ?? '' }, openByTool, openItems };
    }),
    total: Math.min(counted, DIRECTORY_COUNT_LIMIT),
    totalOverLimit: counted > DIRECTORY_COUNT_LIMIT,
    next: hasNext && last ? { name: last.name, id: last.id } : null,
    previous: hasPrevious && first ? { name: first.name, id: first.id } : null,
  };
}

/** The companies and projects the filters offer. */
export async function directoryFacets(db: DbOrTx): Promise<{ companies: string[]; projects: { id: number; name: string }[] }> {
  // The distinct companies by skipping through users_company_name_id_idx: one index probe per
  // company, not a scan of every user.
  const companies = await db.execute<{ company: string }>(sql`
    with recursive c as (
      (select company from users order by company limit 1)
      union all
      select (select u.company from users u where u.company > c.company order by u.company limit 1) from c where c.company is not null
    )
    select company from c where company is not null`);
  const projects = await db.execute<{ id: number; name: string }>(sql`select id, name from projects order by name, id`);
  return { companies: companies.map((c) => c.company), projects: [...projects] };
}
