// The Assignment Report as rows to stream: every open item with its responsible user, filtered by
// user, tool and project, read through a cursor a few hundred rows at a time, so 100,000 items go out
// in constant memory (a CSV download, a page of the report).
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Database } from '../db/client';
import type { OpenItem, Tool } from '../workflows/contract';
import { isRootDatabase, openItemsQuery, type ScanRow, toOpenItem } from './open-items';

export type ReportFilter = { userId?: number; tool?: Tool; projectId?: number };

export type ReportRow = OpenItem & { userName: string; userStatus: 'active' | 'inactive' };

const dialect = new PgDialect();
const CURSOR_ROWS = 500;

function reportQuery(filter: ReportFilter): SQL {
  const where: SQL[] = [sql`true`];
  if (filter.userId !== undefined) where.push(sql`s."userId" = ${filter.userId}`);
  if (filter.tool !== undefined) where.push(sql`s.tool = ${filter.tool}`);
  if (filter.projectId !== undefined) where.push(sql`s."projectId" = ${filter.projectId}`);
  const scan = openItemsQuery(filter.userId === undefined ? 'all' : [filter.userId]);
  return sql`
    select s.*, u.name as "userName", u.status::text as "userStatus"
      from (${scan}) s join users u on u.id = s."userId"
     where ${sql.join(where, sql` and `)}
     order by u.name, s."userId", s.tool, s."projectName" nulls last, s."itemId", s.role`;
}

/** The report's rows in (user name, tool, project, item) order, a few hundred at a time. */
export async function* assignmentReportRows(db: Database, filter: ReportFilter = {}): AsyncGenerator<ReportRow[]> {
  if (!isRootDatabase(db)) throw new Error('the report streams through a cursor of its own, outside any transaction');
  const { sql: text, params } = dialect.sqlToQuery(reportQuery(filter));
  type Row = ScanRow & { userName: string; userStatus: 'active' | 'inactive' };
  for await (const rows of db.$client.unsafe<Row[]>(text, params as postgres.ParameterOrJSON<never>[]).cursor(CURSOR_ROWS)) {
    yield rows.map((r) => ({ ...toOpenItem(r), userName: r.userName, userStatus: r.userStatus }));
  }
}
