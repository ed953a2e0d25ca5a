import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignableUsers, inactiveUsers, listUsers, resolveUserRef, assignmentReport } from '../domain/directory';
import { createDomainActivities } from '../activities/domain';
import { inactivateUser, reactivateUser } from '../domain/user-status';
import { beginOffboarding, completeOffboarding } from '../domain/offboarding-steps';
import type { OpenItem } from '../workflows/contract';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures, type DirectoryFixtures } from './helpers/directory-fixtures';
import { expectRefusal } from './helpers/refusals';

let t: TestDatabase;
let f: DirectoryFixtures;
let p: number;
let admin: number;
const deps = () => ({ db: t.db, clock: () => new Date() });
let seq = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  f = directoryFixtures(t.db);
  p = await f.project('Harbor Tower');
  admin = await f.admin({ name: 'Ada Admin' });
});
afterAll(async () => {
  await t?.drop();
});

const auditCount = async (userId: number, action: string) =>
  (await t.sql`select id from audit_log where subject_user_id = ${userId} and action = ${action}`).length;
const userRow = async (id: number) => (await t.sql`select * from users where id = ${id}`)[0]!;
const inactivate = (userId: number, over: Partial<Parameters<typeof inactivateUser>[1]> = {}) =>
  inactivateUser(deps(), { userId, actorId: admin, reason: 'Left the company', workflowId: `offboarding-user-${userId}`, force: false, ...over });

describe('inactivateUser', () => {
  it('inactivates a user with nothing open, once: a repeat is alreadyDone with one audit row', async () => {
    const u = await f.user();
    const first = await inactivate(u);
    expect(first).toMatchObject({ itemsLeftOpen: [], alreadyDone: false });
    expect(await userRow(u)).toMatchObject({
      status: 'inactive',
      inactivated_by: admin,
      inactivation_reason: 'Left the company',
      inactivation_workflow_id: `offboarding-user-${u}`,
    });
    expect(new Date(String((await userRow(u)).inactivated_at)).toISOString()).toBe(first.inactivatedAt);
    const again = await inactivate(u);
    expect(again).toEqual({ ...first, alreadyDone: true });
    expect(await auditCount(u, 'user.inactivated')).toBe(1);
    // Another workflow finds it done by someone else.
    await expectRefusal(inactivate(u, { workflowId: 'someone-else' }), 'USER_ALREADY_INACTIVE');
    await expectRefusal(inactivate(999999), 'USER_NOT_FOUND');
  });

  it('refuses with OPEN_ITEMS_REMAIN listing the items, and changes nothing', async () => {
    const u = await f.user();
    const d = await f.defect({ projectId: p, assignedToId: u });
    const failure = await expectRefusal(inactivate(u), 'OPEN_ITEMS_REMAIN'); // non-retryable
    expect(failure.message).toContain(`defect:${d}:assigned-to`);
    expect((failure.details[0] as OpenItem[]).map((i) => i.key)).toEqual([`defect:${d}:assigned-to`]);
    expect(await userRow(u)).toMatchObject({ status: 'active', inactivated_at: null });
    expect(await auditCount(u, 'user.inactivated')).toBe(0);
  });

  it('an item assigned after the workflow’s last scan makes the inactivation refuse', async () => {
    const u = await f.user();
    const activities = createDomainActivities(deps());
    expect(await activities.listOpenItems({ userIds: [u] })).toEqual([]);
    // Someone assigns an item in a transaction that commits while the inactivation is waiting.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const assigning = t.sql.begin(async (sql) => {
      await sql`select id from users where id = ${u} for share`;
      await sql`insert into observations (project_id, number, title, assignee_id) values (${p}, 'O-late', 'Late observation', ${u})`;
      locked();
      await held;
    });
    await lockTaken;
    const inactivation = inactivate(u);
    await sleep(100);
    release();
    await assigning;
    await expectRefusal(inactivation, 'OPEN_ITEMS_REMAIN');
    expect((await userRow(u)).status).toBe('active');
  });

  it('force inactivates with open items, leaving them as they are and recording them', async () => {
    const u = await f.user();
    const r = await f.rfi({ projectId: p, managerId: u });
    const res = await inactivate(u, { force: true });
    expect(res.itemsLeftOpen.map((i) => i.key)).toEqual([`rfi:${r}:manager`]);
    const [rfi] = await t.sql`select status, manager_id from rfis where id = ${r}`;
    expect(rfi).toEqual({ status: 'open', manager_id: u });
    const [audit] = await t.sql<{ after: { itemsLeftOpen: OpenItem[] } }[]>`select after from audit_log where subject_user_id = ${u} and action = 'user.inactivated'`;
    expect(audit!.after.itemsLeftOpen.map((i: OpenItem) => i.key)).toEqual([`rfi:${r}:manager`]);
    expect((await inactivate(u, { force: true })).itemsLeftOpen).toEqual(res.itemsLeftOpen);
  });

  it('DELETE on users is still refused', async () => {
    const u = await f.user();
    await expect(t.sql`delete from users where id = ${u}`).rejects.toThrow(/never deleted/);
  });
});

describe('beginOffboarding with completeIfClear (issue 25)', () => {
  const claimOf = (userId: number) => ({ userId, batchId: null, workflowId: `offboarding-user-${userId}`, requestedBy: admin });
  const completion = (userId: number) => ({ userId, actorId: admin, reason: 'Left the company', workflowId: `offboarding-user-${userId}`, force: false });
  const claims = async (userId: number) => t.sql`select outcome, ended_at is not null as ended from offboardings where user_id = ${userId}`;

  it('nothing open: claims, inactivates and ends the claim in one transaction; a retry finds the user inactive', async () => {
    const u = await f.user();
    const begun = await beginOffboarding(deps(), { ...claimOf(u), completeIfClear: completion(u) });
    expect(begun).toMatchObject({ items: [], permissions: { status: 'active' }, completed: { itemsLeftOpen: [], alreadyDone: false } });
    expect(await userRow(u)).toMatchObject({ status: 'inactive', inactivation_workflow_id: `offboarding-user-${u}` });
    expect([...(await claims(u))]).toEqual([{ outcome: 'inactivated', ended: true }]);
    expect(await auditCount(u, 'user.inactivated')).toBe(1);
    // The retry of a step whose commit was not recorded: no claim, no scan; completeOffboarding says alreadyDone.
    const again = await beginOffboarding(deps(), { ...claimOf(u), completeIfClear: completion(u) });
    expect(again).toEqual({ permissions: expect.objectContaining({ status: 'inactive' }), items: [] });
    expect(await completeOffboarding(deps(), completion(u))).toMatchObject({ alreadyDone: true });
    expect(await auditCount(u, 'user.inactivated')).toBe(1);
  });

  it('something open: claims and returns the items, inactivates nothing, even when the completion asked for force', async () => {
    const u = await f.user();
    const d = await f.defect({ projectId: p, assignedToId: u });
    const begun = await beginOffboarding(deps(), { ...claimOf(u), completeIfClear: { ...completion(u), force: true } });
    expect(begun.completed).toBeUndefined();
    expect(begun.items.map((i) => i.key)).toEqual([`defect:${d}:assigned-to`]);
    expect(await userRow(u)).toMatchObject({ status: 'active', inactivated_at: null });
    expect([...(await claims(u))]).toEqual([{ outcome: null, ended: false }]);
    expect(await auditCount(u, 'user.inactivated')).toBe(0);
  });

  it('a completion that refuses (the requester is no admin now) leaves the claim taken and the user active', async () => {
    const u = await f.user();
    const formerAdmin = await f.user({ name: 'Former Admin' });
    const begun = await beginOffboarding(deps(), { ...claimOf(u), requestedBy: formerAdmin, completeIfClear: { ...completion(u), actorId: formerAdmin } });
    expect(begun).toMatchObject({ items: [], permissions: { status: 'active' } });
    expect(begun.completed).toBeUndefined();
    expect(await userRow(u)).toMatchObject({ status: 'active' });
    expect([...(await claims(u))]).toEqual([{ outcome: null, ended: false }]);
    // The workflow's own completion then gives the refusal.
    await expectRefusal(completeOffboarding(deps(), { ...completion(u), actorId: formerAdmin }), 'PERMISSION_DENIED');
  });

  it('refuses a completion for another user or workflow with INVALID_INPUT, and writes nothing', async () => {
    const u = await f.user();
    const other = await f.user();
    await expectRefusal(beginOffboarding(deps(), { ...claimOf(u), completeIfClear: completion(other) }), 'INVALID_INPUT');
    await expectRefusal(beginOffboarding(deps(), { ...claimOf(u), completeIfClear: { ...completion(u), workflowId: 'another-run' } }), 'INVALID_INPUT');
    expect([...(await claims(u))]).toEqual([]);
    expect(await userRow(u)).toMatchObject({ status: 'active' });
  });
});

describe('reactivateUser', () => {
  const reactivate = (userId: number, actorId: number, requestId = `react-${++seq}`) =>
    reactivateUser(deps(), { userId, actorId, reason: 'Rehired', workflowId: `reactivation-user-${userId}-${requestId}`, requestId });

  it('a company admin reactivates, idempotently by request ID', async () => {
    const u = await f.user();
    await inactivate(u);
    const requestId = `react-${++seq}`;
    const res = await reactivate(u, admin, requestId);
    expect(res.alreadyDone).toBe(false);
    expect(await userRow(u)).toMatchObject({ status: 'active', inactivated_at: null, inactivated_by: null, inactivation_reason: null, inactivation_workflow_id: null });
    expect(await reactivate(u, admin, requestId)).toEqual({ ...res, alreadyDone: true });
    expect(await auditCount(u, 'user.reactivated')).toBe(1);
    await expectRefusal(reactivate(u, admin), 'USER_ALREADY_ACTIVE');
    await expectRefusal(reactivate(999999, admin), 'USER_NOT_FOUND');
  });

  it('a project-level directory admin of a project the user belongs to may reactivate; others may not', async () => {
    const u = await f.user();
    await f.member(p, u);
    const projectAdmin = await f.user();
    await f.member(p, projectAdmin, 'admin');
    const otherProject = await f.project();
    const elsewhereAdmin = await f.user();
    await f.member(otherProject, elsewhereAdmin, 'admin');
    const colleague = await f.user();
    await f.member(p, colleague, 'standard');
    await inactivate(u);
    for (const actor of [elsewhereAdmin, colleague]) {
      await expectRefusal(reactivate(u, actor), 'PERMISSION_DENIED');
      expect((await userRow(u)).status).toBe('inactive');
    }
    expect(await auditCount(u, 'user.reactivated')).toBe(0);
    await expect(reactivate(u, projectAdmin)).resolves.toMatchObject({ alreadyDone: false });
    expect((await userRow(u)).status).toBe('active');
  });
});

describe('directory reads', () => {
  it('inactive users never appear as assignable; they are in the inactive-users view', async () => {
    const q = await f.project('Quay');
    const stays = await f.user({ name: 'Stella Stays' });
    const leaves = await f.user({ name: 'Lee Leaves', email: 'Lee@Example.com' });
    const leaving = await f.user({ name: 'Otto Offboarding' });
    for (const u of [stays, leaves, leaving]) await f.member(q, u);
    await inactivate(leaves);
    await t.sql`insert into offboardings (user_id, workflow_id, requested_by) values (${leaving}, ${`offboarding-user-${leaving}`}, ${admin})`;
    expect(await assignableUsers(t.db, q)).toEqual([
      expect.objectContaining({ id: leaving, beingOffboarded: true }),
      expect.objectContaining({ id: stays, beingOffboarded: false }),
    ]);
    expect((await listUsers(t.db, { projectId: q })).map((u) => u.id)).toEqual([leaving, stays]);
    const view = await inactiveUsers(t.db, { projectId: q });
    expect(view).toEqual([
      expect.objectContaining({ id: leaves, inactivatedBy: { id: admin, name: 'Ada Admin' }, reason: 'Left the company', workflowId: `offboarding-user-${leaves}` }),
    ]);
    expect((await resolveUserRef(t.db, 'lee@EXAMPLE.com')).id).toBe(leaves);
    expect((await resolveUserRef(t.db, String(stays))).id).toBe(stays);
    await expectRefusal(resolveUserRef(t.db, 'nobody@example.com'), 'USER_NOT_FOUND');
  });

  it('the assignment report groups open items by user, for given users or for everyone', async () => {
    const a = await f.user({ name: 'Report A' });
    const b = await f.user({ name: 'Report B' });
    const d = await f.defect({ projectId: p, assignedToId: a });
    const report = await assignmentReport(t.db, [a, b]);
    expect(report).toEqual([
      { userId: a, userName: 'Report A', status: 'active', items: [expect.objectContaining({ key: `defect:${d}:assigned-to` })] },
      { userId: b, userName: 'Report B', status: 'active', items: [] },
    ]);
    const everyone = await assignmentReport(t.db);
    expect(everyone.find((r) => r.userId === a)?.items).toHaveLength(1);
    expect(everyone.find((r) => r.userId === b)).toBeUndefined();
    expect(everyone.every((r) => r.items.length > 0)).toBe(true);
  });
});
