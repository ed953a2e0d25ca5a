// The Assignment Report as rows to stream: every open item with its responsible user, filtered by
// user, tool and project, read through a cursor a few hundred rows at a time, so 100,000 items go out
// in constant memory (a CSV download); and one page of the same rows, in the same order (the screen).
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import type { DbOrTx } from '../db/transaction';
import type { OpenItem, Tool } from '../workflows/contract';
import { isRootDatabase, openItemsQuery, type ScanRow, toOpenItem } from './open-items';

export type ReportFilter = { userId?: number; tool?: Tool; projectId?: number };

export type ReportRow = OpenItem & { userName: string; userStatus: 'active' | 'inactive' };

const dialect = new PgDialect();
const CURSOR_ROWS = 500;
const SORT_MEMORY = '32MB';

/** With `page`, one page of the rows, each carrying the count of all of them (`total`). */
function reportQuery(filter: ReportFilter, page?: { offset: number; limit: number }): SQL {
  const where: SQL[] = [sql`true`];
  if (filter.userId !== undefined) where.push(sql`s."userId" = ${filter.userId}`);
  if (filter.tool !== undefined) where.push(sql`s.tool = ${filter.tool}`);
  if (filter.projectId !== undefined) where.push(sql`s."projectId" = ${filter.projectId}`);
  // Unsorted: the one sort is this query's (by name), not the scan's (by user ID) as well.
  const scan = openItemsQuery(filter.userId === undefined ? 'all' : [filter.userId], { ordered: false });
  return sql`
    select s.*, u.name as "userName", u.status::text as "userStatus"${page ? sql`, count(*) over ()::int as total` : sql``}
      from (${scan}) s join users u on u.id = s."userId"
     where ${sql.join(where, sql` and `)}
     order by u.name, s."userId", s.tool, s."projectName" nulls last, s."itemId", s.role
     ${page ? sql`limit ${page.limit} offset ${page.offset}` : sql``}`;
}

/** The report's rows in (user name, tool, project, item) order, a few hundred at a time. */
export async function* assignmentReportRows(db: Database, filter: ReportFilter = {}): AsyncGenerator<ReportRow[]> {
  if (!isRootDatabase(db)) throw new Error('the report streams through a cursor of its own, outside any transaction');
  const { sql: text, params } = dialect.sqlToQuery(reportQuery(filter));
  type Row = ScanRow & { userName: string; userStatus: 'active' | 'inactive' };
  // A connection of its own, with room to sort 100,000 rows in memory (the default 4 MB spills
  // them to disk), reset before it goes back to the pool.
  const connection = await db.$client.reserve();
  try {
    await connection.unsafe(`set work_mem = '${SORT_MEMORY}'`);
    for await (const rows of connection.unsafe<Row[]>(text, params as postgres.ParameterOrJSON<never>[]).cursor(CURSOR_ROWS)) {
      yield rows.map((r) => ({ ...toOpenItem(r), userName: r.userName, userStatus: r.userStatus }));
    }
  } finally {
    await connection.unsafe('reset work_mem').catch(() => undefined);
    connection.release();
  }
}

export type ReportPage = { rows: ReportRow[]; /** Rows matching the filter, all pages. */ total: number };

/**
 * One page of the report, the same query and order as the stream. Offset paging: the scan and the
 * sort run whole either way, so the count comes from the same pass (a window), not a second query.
 */
export async function assignmentReportPage(db: DbOrTx, filter: ReportFilter, page: { offset: number; limit: number }): Promise<ReportPage> {
  type Row = ScanRow & { userName: string; userStatus: 'active' | 'inactive'; total: number };
  const rows = await db.execute<Row>(reportQuery(filter, page));
  let total = rows[0]?.total;
  if (total === undefined && page.offset > 0) {
    // Past the last page: the window saw no row, so count on its own.
    const [c] = await db.execute<{ n: number }>(sql`select count(*)::int as n from (${reportQuery(filter)}) r`);
    total = c?.n;
  }
  return { rows: rows.map((r) => ({ ...toOpenItem(r), userName: r.userName, userStatus: r.userStatus })), total: total ?? 0 };
}
