import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openItemsQuery, scanOpenItems } from '../domain/open-items';
import { createDomainActivities } from '../activities/domain';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures, type DirectoryFixtures } from './helpers/directory-fixtures';

let t: TestDatabase;
let f: DirectoryFixtures;
beforeAll(async () => {
  t = await createTestDatabase();
  f = directoryFixtures(t.db);
});
afterAll(async () => {
  await t?.drop();
});

const keysOf = async (userId: number) => (await scanOpenItems(t.db, [userId])).map((i) => i.key).sort();

describe('scanOpenItems', () => {
  it('returns [] for a user with nothing open, and for no users', async () => {
    const u = await f.user();
    expect(await scanOpenItems(t.db, [u])).toEqual([]);
    expect(await scanOpenItems(t.db, [])).toEqual([]);
  });

  it('RFIs: manager and assignee while draft or open, never when closed', async () => {
    const p = await f.project();
    const u = await f.user();
    const draft = await f.rfi({ projectId: p, managerId: u, status: 'draft' });
    const open = await f.rfi({ projectId: p, assignees: [u], status: 'open' });
    await f.rfi({ projectId: p, managerId: u, assignees: [u], status: 'closed' });
    expect(await keysOf(u)).toEqual([`rfi:${draft}:manager`, `rfi:${open}:assignee`].sort());
  });

  it('submittals: manager while not closed; approver only while pending on a not-closed submittal', async () => {
    const p = await f.project();
    const u = await f.user();
    const draft = await f.submittal({ projectId: p, managerId: u, status: 'draft' });
    const pending = await f.submittal({ projectId: p, approvers: [{ userId: u }] });
    await f.submittal({ projectId: p, approvers: [{ userId: u, response: 'approved' }] });
    await f.submittal({ projectId: p, approvers: [{ userId: u, response: 'revise_and_resubmit' }] });
    await f.submittal({ projectId: p, managerId: u, approvers: [{ userId: u }], status: 'closed' });
    expect(await keysOf(u)).toEqual([`submittal:${draft}:manager`, `submittal:${pending}:approver`].sort());
  });

  it('observations, inspections and defects: the responsible user while not closed', async () => {
    const p = await f.project();
    const u = await f.user();
    const o1 = await f.observation({ projectId: p, assigneeId: u, status: 'initiated' });
    const o2 = await f.observation({ projectId: p, assigneeId: u, status: 'not_accepted' });
    await f.observation({ projectId: p, assigneeId: u, status: 'closed' });
    const i1 = await f.inspection({ projectId: p, pocId: u, status: 'in_review' });
    await f.inspection({ projectId: p, pocId: u, status: 'closed' });
    const d1 = await f.defect({ projectId: p, assignedToId: u, status: 'ready_for_review' });
    await f.defect({ projectId: p, assignedToId: u, status: 'closed' });
    expect(await keysOf(u)).toEqual(
      [`observation:${o1}:assignee`, `observation:${o2}:assignee`, `inspection:${i1}:point-of-contact`, `defect:${d1}:assigned-to`].sort(),
    );
  });

  it('meeting items: each assignee while the item is open', async () => {
    const p = await f.project();
    const u = await f.user();
    const other = await f.user();
    const open = await f.meetingItem({ projectId: p, assignees: [u, other] });
    await f.meetingItem({ projectId: p, assignees: [u], status: 'closed' });
    expect(await keysOf(u)).toEqual([`meeting-item:${open}:assignee`]);
    expect(await keysOf(other)).toEqual([`meeting-item:${open}:assignee`]);
  });

  it('timecards: an active employee without a final entry who has recorded time or is on a project; never a non-employee', async () => {
    const p1 = await f.project('Alpha');
    const p2 = await f.project('Beta');
    const employee = await f.user({ isEmployee: true });
    const finished = await f.user({ isEmployee: true });
    const contractor = await f.user({ isEmployee: false });
    const member = await f.user({ isEmployee: true });
    const loner = await f.user({ isEmployee: true });
    await f.timecard({ projectId: p1, userId: employee, workDate: '2026-01-01' });
    await f.timecard({ projectId: p2, userId: employee, workDate: '2026-02-01' });
    await f.timecard({ projectId: p1, userId: finished, isFinal: true });
    await f.timecard({ projectId: p1, userId: contractor });
    await f.member(p2, member);
    const items = await scanOpenItems(t.db, [employee, finished, contractor, member, loner]);
    // The loner (no entries, no project) owes nothing: there is no project to record an entry on.
    expect(items.map((i) => i.key)).toEqual([`timecard:${employee}:employee`, `timecard:${member}:employee`]);
    const [latest, byMembership] = items;
    expect(latest).toMatchObject({ tool: 'timecard', role: 'employee', itemId: employee, userId: employee, projectId: p2, projectName: 'Beta', title: 'Final timecard entry' });
    expect(byMembership).toMatchObject({ projectId: p2, projectName: 'Beta' });
  });

  it('returns full items in (userId, tool, project name, item) order for a batch, in one query', async () => {
    const pa = await f.project('Aardvark');
    const pz = await f.project('Zebra');
    const u1 = await f.user();
    const u2 = await f.user();
    const dz = await f.defect({ projectId: pz, assignedToId: u1 });
    const da = await f.defect({ projectId: pa, assignedToId: u1 });
    const r = await f.rfi({ projectId: pz, managerId: u2, assignees: [u1] });
    const items = await scanOpenItems(t.db, [u2, u1, u1]);
    expect(items.map((i) => [i.userId, i.key])).toEqual([
      [u1, `rfi:${r}:assignee`],
      [u1, `defect:${da}:assigned-to`],
      [u1, `defect:${dz}:assigned-to`],
      [u2, `rfi:${r}:manager`],
    ]);
    expect(items[0]).toEqual({
      key: `rfi:${r}:assignee`,
      tool: 'rfi',
      role: 'assignee',
      itemId: r,
      projectId: pz,
      projectName: 'Zebra',
      number: expect.stringMatching(/^RFI-/),
      title: expect.stringMatching(/^RFI subject/),
      status: 'open',
      userId: u1,
    });
    // The activity gives the same answer, and works outside an activity context (no heartbeat).
    const activities = createDomainActivities({ db: t.db, clock: () => new Date() });
    expect(await activities.listOpenItems({ userIds: [u1, u2] })).toEqual(items);
  });

  it('uses the partial indexes for the responsibility columns', async () => {
    // With tiny tables the planner prefers seq scans; forbid them to prove the predicates match the indexes.
    const plan = await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const rows = await tx.execute<{ 'QUERY PLAN': string }>(sql`explain ${openItemsQuery([1, 2])}`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    for (const index of [
      'rfis_open_manager_idx',
      'rfi_assignees_user_idx',
      'submittals_open_manager_idx',
      'submittal_approvers_pending_user_idx',
      'observations_open_assignee_idx',
      'meeting_item_assignees_user_idx',
      'inspections_open_poc_idx',
      'defect_items_open_assigned_idx',
      'timecard_entries_one_final_per_user',
    ]) {
      expect(plan, index).toContain(index);
    }
  });
});
