// Importing the tools' work into real PostgreSQL (domain/work-import.ts): created / updated /
// unchanged / refused per record, an idempotent re-import, refused records that change nothing, an
// item held by an inactive person shown in the Assignment Report, and people being offboarded named.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentReport } from '../domain/directory';
import { importWork } from '../domain/work-import';
import { type ImportRecord, importRecordSchema } from '../domain/work-import-records';
import { auditLog, meetingItemAssignees, offboardings, rfiAssignees, rfis, users } from '../db/schema';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures, type DirectoryFixtures } from './helpers/directory-fixtures';
import { expectRefusal } from './helpers/refusals';

let t: TestDatabase;
let fx: DirectoryFixtures;
let admin: number;

beforeAll(async () => {
  t = await createTestDatabase();
  fx = directoryFixtures(t.db);
  admin = await fx.admin({ name: 'Ada Admin', email: 'ada@import.test' });
});
afterAll(async () => {
  await t?.drop();
});

const rec = (x: unknown): ImportRecord => importRecordSchema.parse(x);
const rfi = (externalId: string, extra: Record<string, unknown> = {}) =>
  rec({ kind: 'item', tool: 'rfi', externalId, project: 'IMP-1', number: `R-${externalId}`, title: `RFI ${externalId}`, status: 'open', people: [], ...extra });
const auditRows = async () => (await t.db.select().from(auditLog).where(sql`${auditLog.action} like '%.imported'`)).length;

describe('importWork', () => {
  let ana: number;
  let ben: number;
  beforeAll(async () => {
    ana = await fx.user({ name: 'Ana', email: 'ana@import.test' });
    ben = await fx.user({ name: 'Ben', email: 'ben@import.test' });
    await t.db.update(users).set({ externalId: 'okta-ben' }).where(eq(users.id, ben));
  });

  it('creates projects, members and items of every tool, then answers unchanged for the same call', async () => {
    const records = [
      rec({ kind: 'project', number: 'IMP-1', name: 'Import Tower' }),
      rec({ kind: 'member', project: 'IMP-1', person: { email: 'ANA@import.test' } }),
      rec({ kind: 'member', project: 'IMP-1', person: { externalId: 'okta-ben' }, permission: 'admin' }),
      rfi('r1', { people: [{ role: 'manager', email: 'ana@import.test' }, { role: 'assignee', externalId: 'okta-ben' }] }),
      rec({ kind: 'item', tool: 'submittal', externalId: 's1', project: 'IMP-1', number: 'S-1', title: 'Steel', status: 'open', people: [{ role: 'approver', email: 'ben@import.test' }] }),
      rec({ kind: 'item', tool: 'observation', externalId: 'o1', project: 'IMP-1', number: 'O-1', title: 'Crack', status: 'initiated', people: [{ role: 'assignee', email: 'ana@import.test' }] }),
      rec({
        kind: 'item',
        tool: 'meeting-item',
        externalId: 'm1',
        project: 'IMP-1',
        number: 'M-1',
        title: 'Order glass',
        status: 'open',
        meeting: { externalId: 'meet-1', title: 'Weekly', date: '2026-12-01' },
        people: [{ role: 'assignee', email: 'ana@import.test' }, { role: 'assignee', email: 'ben@import.test' }],
      }),
      rec({ kind: 'item', tool: 'inspection', externalId: 'i1', project: 'IMP-1', number: 'I-1', title: 'Rebar', status: 'in_progress', responsibleContractor: 'Acme', people: [{ role: 'point-of-contact', email: 'ben@import.test' }] }),
      rec({ kind: 'item', tool: 'defect', externalId: 'd1', project: 'IMP-1', number: 'D-1', title: 'Paint', status: 'work_required', people: [{ role: 'assigned-to', email: 'ana@import.test' }] }),
      rec({ kind: 'item', tool: 'timecard', externalId: 't1', project: 'IMP-1', status: 'entry', workDate: '2026-12-01', hours: 8, people: [{ role: 'employee', email: 'ben@import.test' }] }),
    ];
    const first = await importWork(t.db, records, { actorId: admin });
    expect(first.results.map((r) => r.outcome)).toEqual(records.map(() => 'created'));
    expect(first.counts).toEqual({ created: 10, updated: 0, unchanged: 0, refused: 0 });
    expect(await auditRows()).toBe(10);
    const report = await assignmentReport(t.db, [ana, ben]);
    const keys = report.flatMap((r) => r.items.map((i) => `${r.userId}:${i.tool}:${i.role}`)).sort();
    expect(keys).toEqual(
      [
        `${ana}:rfi:manager`,
        `${ben}:rfi:assignee`,
        `${ben}:submittal:approver`,
        `${ana}:observation:assignee`,
        `${ana}:meeting-item:assignee`,
        `${ben}:meeting-item:assignee`,
        `${ben}:inspection:point-of-contact`,
        `${ana}:defect:assigned-to`,
      ].sort(),
    );

    const again = await importWork(t.db, records, { actorId: admin });
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 10, refused: 0 });
    expect(await auditRows()).toBe(10);
  });

  it('answers updated for a changed field or a changed assignee, unchanged for the rest', async () => {
    const [before] = await t.db.select().from(rfis).where(eq(rfis.externalId, 'r1'));
    const r = await importWork(
      t.db,
      [
        rfi('r1', { title: 'RFI r1 (renamed)', people: [{ role: 'manager', email: 'ana@import.test' }, { role: 'assignee', externalId: 'okta-ben' }] }),
        rec({
          kind: 'item',
          tool: 'meeting-item',
          externalId: 'm1',
          project: 'IMP-1',
          number: 'M-1',
          title: 'Order glass',
          status: 'open',
          meeting: { externalId: 'meet-1', title: 'Weekly', date: '2026-12-01' },
          people: [{ role: 'assignee', email: 'ana@import.test' }],
        }),
        rec({ kind: 'item', tool: 'defect', externalId: 'd1', project: 'IMP-1', number: 'D-1', title: 'Paint', status: 'work_required', people: [{ role: 'assigned-to', email: 'ana@import.test' }] }),
      ],
      { actorId: admin },
    );
    expect(r.results.map((x) => x.outcome)).toEqual(['updated', 'updated', 'unchanged']);
    const [after] = await t.db.select().from(rfis).where(eq(rfis.externalId, 'r1'));
    expect(after?.id).toBe(before?.id);
    expect(after?.subject).toBe('RFI r1 (renamed)');
    const mAssignees = await t.db.select().from(meetingItemAssignees).where(sql`${meetingItemAssignees.meetingItemId} = (select id from meeting_items where external_id = 'm1')`);
    expect(mAssignees.map((a) => a.userId)).toEqual([ana]);
  });

  it('refuses an unknown person, an unknown project, a role the tool does not have and a repeated item, and imports the rest', async () => {
    const audits = await auditRows();
    const r = await importWork(
      t.db,
      [
        rfi('bad-person', { people: [{ role: 'manager', email: 'nobody@import.test' }] }),
        rfi('bad-project', { project: 'NOPE-9' }),
        rfi('bad-role', { people: [{ role: 'approver', email: 'ana@import.test' }] }),
        rfi('good-1', { people: [{ role: 'assignee', email: 'ana@import.test' }] }),
        rfi('good-1'),
        rfi('two-managers', { people: [{ role: 'manager', email: 'ana@import.test' }, { role: 'manager', email: 'ben@import.test' }] }),
        rec({ kind: 'member', project: 'NOPE-9', person: { email: 'ana@import.test' } }),
      ],
      { actorId: admin },
    );
    expect(r.results.map((x) => [x.outcome, x.code ?? null])).toEqual([
      ['refused', 'USER_NOT_FOUND'],
      ['refused', 'PROJECT_NOT_FOUND'],
      ['refused', 'ROLE_NOT_IN_TOOL'],
      ['created', null],
      ['refused', 'INVALID_INPUT'],
      ['refused', 'INVALID_INPUT'],
      ['refused', 'PROJECT_NOT_FOUND'],
    ]);
    const stored = await t.db.select({ externalId: rfis.externalId }).from(rfis).where(sql`${rfis.externalId} in ('bad-person', 'bad-project', 'bad-role', 'two-managers')`);
    expect(stored).toEqual([]);
    expect(await auditRows()).toBe(audits + 1);
    const [good] = await t.db.select().from(rfis).where(eq(rfis.externalId, 'good-1'));
    expect(await t.db.select().from(rfiAssignees).where(eq(rfiAssignees.rfiId, good?.id ?? 0))).toHaveLength(1);
  });

  it('refuses a whole call of 1,001 records, or by someone who is not an admin, and changes nothing', async () => {
    const audits = await auditRows();
    const many = Array.from({ length: 1001 }, (_, i) => rfi(`many-${i}`));
    await expectRefusal(importWork(t.db, many, { actorId: admin }), 'INVALID_INPUT');
    await expectRefusal(importWork(t.db, [rfi('by-ana')], { actorId: ana }), 'PERMISSION_DENIED');
    expect(await t.db.select().from(rfis).where(sql`${rfis.externalId} like 'many-%' or ${rfis.externalId} = 'by-ana'`)).toEqual([]);
    expect(await auditRows()).toBe(audits);
  });

  it('accepts an item held by an inactive person, says so, and the Assignment Report shows it held by an inactive user', async () => {
    const gone = await fx.user({ name: 'Gone Person', email: 'gone@import.test' });
    await t.db.update(users).set({ status: 'inactive', inactivatedAt: new Date() }).where(eq(users.id, gone));
    const r = await importWork(t.db, [rfi('held-by-gone', { people: [{ role: 'assignee', email: 'gone@import.test' }] }), rfi('closed-gone', { status: 'closed', people: [{ role: 'assignee', email: 'gone@import.test' }] })], { actorId: admin });
    expect(r.counts.created).toBe(2);
    expect(r.heldByInactiveUser).toEqual([expect.objectContaining({ index: 0, tool: 'rfi', externalId: 'held-by-gone', role: 'assignee', userId: gone })]);
    const [row] = await assignmentReport(t.db, [gone]);
    expect(row?.status).toBe('inactive');
    expect(row?.items.map((i) => i.title)).toEqual(['RFI held-by-gone']);
  });

  it('names the people being offboarded whose offboarding must re-check', async () => {
    const leaver = await fx.user({ name: 'Lea Ving', email: 'lea@import.test' });
    await t.db.insert(offboardings).values({ userId: leaver, workflowId: `offboarding-user-${leaver}`, requestedBy: admin });
    const r = await importWork(t.db, [rfi('for-lea', { people: [{ role: 'manager', email: 'lea@import.test' }] })], { actorId: admin });
    expect(r.offboardingsToRecheck).toEqual([{ userId: leaver, workflowId: `offboarding-user-${leaver}`, items: ['rfi for-lea'] }]);
  });

  it('refuses a second final timecard entry for an employee', async () => {
    const emp = await fx.user({ name: 'Emp Loyee', email: 'emp@import.test', isEmployee: true });
    const tc = (externalId: string) =>
      rec({ kind: 'item', tool: 'timecard', externalId, project: 'IMP-1', status: 'final', workDate: '2026-12-02', hours: 4, people: [{ role: 'employee', email: 'emp@import.test' }] });
    const r = await importWork(t.db, [tc('tc-final-1'), tc('tc-final-2')], { actorId: admin });
    expect(r.results.map((x) => [x.outcome, x.code ?? null])).toEqual([
      ['created', null],
      ['refused', 'INVALID_INPUT'],
    ]);
    expect((await importWork(t.db, [tc('tc-final-1')], { actorId: admin })).counts.unchanged).toBe(1);
    expect(emp).toBeGreaterThan(0);
  });
});
