// What HR's pages read from the directory: the directory a page at a time with open items per tool,
// the batches started, the inactive users with their batch, and the Assignment Report streamed as CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../client/csv';
import { offboardings, users } from '../db/schema';
import { assignmentReportRows, type ReportRow } from '../domain/assignment-report';
import { listBatches } from '../domain/batches';
import { inactiveUsers } from '../domain/directory';
import { directoryFacets, directoryPage } from '../domain/directory-page';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures, type DirectoryFixtures } from './helpers/directory-fixtures';
import { eq } from 'drizzle-orm';

let t: TestDatabase;
let f: DirectoryFixtures;
let admin: number;
let tower: number;
let garage: number;
const people: number[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  f = directoryFixtures(t.db);
  admin = await f.admin({ name: 'Ada Admin', company: 'Northwind' });
  tower = await f.project('Tower');
  garage = await f.project('Garage');
  // 23 people, names in an order different from their IDs, a few with % and _ in them.
  const names = ['Zoe Zed', 'Yann Young', 'Xena Xu', 'Wes West', 'Vic Vale', 'Uma Ure', 'Tom Tan', 'Sam Sun', 'Ria Roe', 'Quin Qu',
    'Pia Poe', 'Oli Oak', 'Nia Nye', 'Max Mo', 'Lea Lu', 'Kai Ko', 'Jo Jay', 'Ida Ives', 'Hal Ho', 'Gus Gee', '100% Fine', 'Under_score', 'Eve Evil'];
  for (const [i, name] of names.entries()) {
    const id = await f.user({ name, company: i % 2 ? 'Northwind' : 'Apex Electrical', email: `p${i}@example.com` });
    people.push(id);
    if (i % 3 === 0) await f.member(tower, id);
  }
  await f.observation({ projectId: tower, assigneeId: people[0]! });
  await f.defect({ projectId: tower, assignedToId: people[0]! });
  await f.defect({ projectId: garage, assignedToId: people[0]! });
  await f.rfi({ projectId: tower, managerId: people[3]! });
});
afterAll(async () => {
  await t?.drop();
});

describe('directoryPage', () => {
  it('pages forward and back in name order with the same rows, and counts open items per tool', async () => {
    const all = (await directoryPage(t.db, {}, { size: 500 })).rows.map((r) => r.name);
    expect(all).toEqual([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const p1 = await directoryPage(t.db, {}, { size: 10 });
    expect(p1.total).toBe(24);
    expect(p1.previous).toBeNull();
    const p2 = await directoryPage(t.db, {}, { size: 10, after: p1.next! });
    const p3 = await directoryPage(t.db, {}, { size: 10, after: p2.next! });
    expect(p3.rows).toHaveLength(4);
    expect(p3.next).toBeNull();
    expect([...p1.rows, ...p2.rows, ...p3.rows].map((r) => r.name)).toEqual(all);
    const back = await directoryPage(t.db, {}, { size: 10, before: p3.previous! });
    expect(back.rows.map((r) => r.id)).toEqual(p2.rows.map((r) => r.id));
    const zoe = all.indexOf('Zoe Zed') < 10 ? p1 : all.indexOf('Zoe Zed') < 20 ? p2 : p3;
    const row = zoe.rows.find((r) => r.name === 'Zoe Zed')!;
    expect(row.openByTool).toMatchObject({ observation: 1, defect: 2, rfi: 0, timecard: 0 });
    expect(row.openItems).toBe(3);
  });

  it('filters by search (LIKE characters match themselves), company, project, permission and status', async () => {
    expect((await directoryPage(t.db, { search: '%' })).rows.map((r) => r.name)).toEqual(['100% Fine']);
    expect((await directoryPage(t.db, { search: '_' })).rows.map((r) => r.name)).toEqual(['Under_score']);
    expect((await directoryPage(t.db, { search: 'P3@EXAMPLE' })).rows.map((r) => r.name)).toEqual(['Wes West']);
    expect((await directoryPage(t.db, { company: 'Apex Electrical' })).total).toBe(12);
    expect((await directoryPage(t.db, { projectId: tower })).total).toBe(8);
    expect((await directoryPage(t.db, { permission: 'admin' })).rows.map((r) => r.id)).toEqual([admin]);
    await t.db.update(users).set({ status: 'inactive', inactivatedAt: new Date() }).where(eq(users.id, people[5]!));
    expect((await directoryPage(t.db, { status: 'inactive' })).rows.map((r) => r.name)).toEqual(['Uma Ure']);
    expect((await directoryPage(t.db, {})).total).toBe(23);
    expect((await directoryPage(t.db, { status: 'all' })).total).toBe(24);
    const facets = await directoryFacets(t.db);
    expect(facets.companies).toEqual(['Apex Electrical', 'Northwind']);
    expect(facets.projects.map((p) => p.name)).toEqual(['Garage', 'Tower']);
  });
});

describe('listBatches and the inactive users view', () => {
  it('lists batches newest first with who started them and their counts; the inactive view names the batch', async () => {
    const [a, b, c] = people as [number, number, number];
    await t.db.insert(offboardings).values([
      { userId: a, batchId: 'b-old', workflowId: `offboarding-user-${a}`, requestedBy: admin, startedAt: new Date('2026-01-01T10:00:00Z'), endedAt: new Date('2026-01-02T10:00:00Z'), outcome: 'inactivated' },
      { userId: b, batchId: 'b-old', workflowId: `offboarding-user-${b}`, requestedBy: admin, startedAt: new Date('2026-01-01T10:00:00Z'), endedAt: new Date('2026-01-03T10:00:00Z'), outcome: 'removed' },
      { userId: c, batchId: 'b-new', workflowId: `offboarding-user-${c}`, requestedBy: admin, startedAt: new Date('2026-02-01T10:00:00Z') },
    ]);
    await t.db
      .update(users)
      .set({ status: 'inactive', inactivatedAt: new Date('2026-01-02T10:00:00Z'), inactivatedBy: admin, inactivationReason: 'left', inactivationWorkflowId: `offboarding-user-${a}` })
      .where(eq(users.id, a));
    const batches = await listBatches(t.db);
    expect(batches.map((x) => x.batchId)).toEqual(['b-new', 'b-old']);
    expect(batches[0]).toMatchObject({ users: 1, running: 1, endedAt: null, requestedBy: { id: admin, name: 'Ada Admin' } });
    expect(batches[1]).toMatchObject({ users: 2, running: 0, inactivated: 1, removed: 1, endedAt: '2026-01-03T10:00:00.000Z', startedAt: '2026-01-01T10:00:00.000Z' });
    expect((await listBatches(t.db, { running: true })).map((x) => x.batchId)).toEqual(['b-new']);
    const inactive = await inactiveUsers(t.db);
    expect(inactive.find((u) => u.id === a)).toMatchObject({ batchId: 'b-old', reason: 'left', inactivatedBy: { id: admin } });
    expect(inactive.find((u) => u.id === people[5])).toMatchObject({ batchId: null });
  });
});

describe('the Assignment Report as CSV', () => {
  it('streams every open item in user-name order, filtered by user, tool and project', async () => {
    const all: ReportRow[] = [];
    for await (const rows of assignmentReportRows(t.db)) all.push(...rows);
    expect(all.map((r) => `${r.userName}:${r.key}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Wes West:rfi:\d+:manager$/), expect.stringMatching(/^Zoe Zed:observation:\d+:assignee$/)]),
    );
    expect(all.map((r) => r.userName)).toEqual([...all.map((r) => r.userName)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const collect = async (filter: Parameters<typeof assignmentReportRows>[1]) => {
      const out: ReportRow[] = [];
      for await (const rows of assignmentReportRows(t.db, filter)) out.push(...rows);
      return out;
    };
    expect((await collect({ tool: 'defect' })).map((r) => r.tool)).toEqual(['defect', 'defect']);
    expect((await collect({ projectId: garage })).map((r) => r.projectName)).toEqual(['Garage']);
    expect((await collect({ userId: people[3]! })).map((r) => r.tool)).toEqual(['rfi']);
  });

  it('writes RFC 4180 cells and neutralises what a spreadsheet would execute', () => {
    expect(csvRow(['a', 1, null, 'b,c', 'say "hi"', 'two\nlines'])).toBe('a,1,,"b,c","say ""hi""","two\nlines"\r\n');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe(`'+1`);
    expect(csvCell('-cmd')).toBe(`'-cmd`);
    expect(csvCell('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(csvCell('\tTAB')).toBe(`'\tTAB`);
    expect(csvCell(-5)).toBe('-5');
  });

  it('neutralises a formula behind leading spaces or line breaks (` =HYPERLINK(…)`, issue 21)', () => {
    // Spreadsheets skip leading whitespace before deciding a cell is a formula.
    expect(csvCell(' =HYPERLINK("http://x","y")')).toBe(`"' =HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('\n=1+1')).toBe(`"'\n=1+1"`);
    expect(csvCell('\r\n@SUM(A1)')).toBe(`"'\r\n@SUM(A1)"`);
    expect(csvCell('  \t+1')).toBe(`'  \t+1`);
    expect(csvCell('\u00a0-cmd')).toBe(`'\u00a0-cmd`);
    expect(csvCell('\u3000＝1+1')).toBe(`'\u3000＝1+1`);
    // Text that merely holds such a character later, or is only spaces, stays as it is.
    expect(csvCell(' a=b')).toBe(' a=b');
    expect(csvCell('   ')).toBe('   ');
    expect(csvCell('Jane Doe - site lead')).toBe('Jane Doe - site lead');
  });
});
