import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimOffboarding, finishOffboarding, validateBatch } from '../domain/batch-validation';
import { loadPermissions } from '../domain/permissions';
import type { RefusalCode } from '../workflows/contract';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures, type DirectoryFixtures } from './helpers/directory-fixtures';
import { expectRefusal } from './helpers/refusals';

let t: TestDatabase;
let f: DirectoryFixtures;
let admin: number;
const deps = () => ({ db: t.db });

beforeAll(async () => {
  t = await createTestDatabase();
  f = directoryFixtures(t.db);
  admin = await f.admin();
});
afterAll(async () => {
  await t?.drop();
});

const openClaims = async (userId: number) => t.sql`select batch_id, workflow_id, requested_by from offboardings where user_id = ${userId} and ended_at is null`;

describe('validateBatch', () => {
  it('accepts and claims valid users; reports every other ID in input order; idempotent per batch', async () => {
    const a = await f.user();
    const b = await f.user();
    const gone = await f.user({ status: 'inactive', inactivatedAt: new Date() });
    const busy = await f.user();
    await claimOffboarding(deps(), { userId: busy, batchId: null, workflowId: `offboarding-user-${busy}`, requestedBy: admin });
    const input = { batchId: 'b-1', workflowId: 'offboarding-batch-b-1', requestedBy: admin, userIds: [a, -3, 1.5, 999999, a, admin, gone, busy, b] };
    const res = await validateBatch(deps(), input);
    expect(res.accepted).toEqual([a, b]);
    expect(res.rejected.map((r) => [r.userId, r.code])).toEqual([
      [-3, 'INVALID_INPUT'],
      [1.5, 'INVALID_INPUT'],
      [999999, 'USER_NOT_FOUND'],
      [a, 'DUPLICATE_USER'],
      [admin, 'REQUESTER_IN_BATCH'],
      [gone, 'USER_ALREADY_INACTIVE'],
      [busy, 'ALREADY_IN_OFFBOARDING'],
    ]);
    expect(res.rejected.every((r) => r.message.length > 10)).toBe(true);
    expect(res.adminIds).toEqual([admin]);
    expect(await openClaims(a)).toEqual([{ batch_id: 'b-1', workflow_id: `offboarding-user-${a}`, requested_by: admin }]);
    // Re-running the same batch: the same answer, no second claim.
    expect(await validateBatch(deps(), input)).toEqual(res);
    expect(await t.sql`select id from offboardings where user_id = ${a}`).toHaveLength(1);
    // Another batch cannot take them.
    const other = await validateBatch(deps(), { ...input, batchId: 'b-2', userIds: [a] });
    expect(other).toMatchObject({ accepted: [], rejected: [{ userId: a, code: 'ALREADY_IN_OFFBOARDING' }] });
  });

  it('refuses a requester who is unknown, inactive or not a company admin, claiming nothing', async () => {
    const u = await f.user();
    const formerAdmin = await f.admin({ status: 'inactive', inactivatedAt: new Date() });
    const standard = await f.user();
    const base = { batchId: 'b-x', workflowId: 'offboarding-batch-b-x', userIds: [u] };
    await expectRefusal(validateBatch(deps(), { ...base, requestedBy: 999999 }), 'USER_NOT_FOUND');
    await expectRefusal(validateBatch(deps(), { ...base, requestedBy: formerAdmin }), 'REQUESTER_INACTIVE');
    await expectRefusal(validateBatch(deps(), { ...base, requestedBy: standard }), 'PERMISSION_DENIED');
    await expectRefusal(validateBatch(deps(), { ...base, requestedBy: admin, userIds: [] }), 'BATCH_EMPTY');
    expect(await openClaims(u)).toEqual([]);
  });
});

describe('successors', () => {
  it('refuses a successor who is being offboarded, inactive, unknown or in the batch, claiming nothing; a retry answers as the first run', async () => {
    const u = await f.user();
    const leaving = await f.user();
    await claimOffboarding(deps(), { userId: leaving, batchId: null, workflowId: `offboarding-user-${leaving}`, requestedBy: admin });
    const gone = await f.user({ status: 'inactive', inactivatedAt: new Date() });
    const other = await f.user();
    const base = { batchId: 'b-succ', workflowId: 'offboarding-batch-b-succ', requestedBy: admin };
    const cases: [Record<string, number>, number[], RefusalCode][] = [
      [{ [u]: leaving }, [u], 'TARGET_BEING_OFFBOARDED'],
      [{ [u]: gone }, [u], 'TARGET_INACTIVE'],
      [{ [u]: 999999 }, [u], 'TARGET_NOT_FOUND'],
      [{ [u]: other }, [u, other], 'TARGET_BEING_OFFBOARDED'],
    ];
    for (const [successors, userIds, code] of cases) {
      await expectRefusal(validateBatch(deps(), { ...base, userIds, successors }), code);
    }
    expect(await openClaims(u)).toEqual([]);
    expect(await openClaims(other)).toEqual([]);
    // Accepted with a staying successor; a retry after the successor started leaving answers the same.
    const staying = await f.user();
    const first = await validateBatch(deps(), { ...base, userIds: [u], successors: { [u]: staying } });
    expect(first.accepted).toEqual([u]);
    await claimOffboarding(deps(), { userId: staying, batchId: null, workflowId: `offboarding-user-${staying}`, requestedBy: admin });
    expect(await validateBatch(deps(), { ...base, userIds: [u], successors: { [u]: staying } })).toEqual(first);
  });
});

describe('claimOffboarding / finishOffboarding', () => {
  it('claims once per workflow, refuses a different workflow, and finishes idempotently', async () => {
    const u = await f.user();
    const claim = { userId: u, batchId: null, workflowId: `offboarding-user-${u}`, requestedBy: admin };
    expect(await claimOffboarding(deps(), claim)).toEqual({ alreadyClaimed: false });
    expect(await claimOffboarding(deps(), claim)).toEqual({ alreadyClaimed: true });
    await expectRefusal(claimOffboarding(deps(), { ...claim, workflowId: 'other' }), 'ALREADY_IN_OFFBOARDING');
    expect(await finishOffboarding(deps(), { userId: u, workflowId: claim.workflowId, outcome: 'removed' })).toEqual({ ended: true });
    expect(await finishOffboarding(deps(), { userId: u, workflowId: claim.workflowId, outcome: 'removed' })).toEqual({ ended: false });
    const [row] = await t.sql`select outcome, ended_at from offboardings where user_id = ${u}`;
    expect(row!.outcome).toBe('removed');
    expect(row!.ended_at).not.toBeNull();
    // Ended: the user can be offboarded again.
    expect(await claimOffboarding(deps(), { ...claim, workflowId: 'again' })).toEqual({ alreadyClaimed: false });
    await expectRefusal(claimOffboarding(deps(), { ...claim, userId: 999999 }), 'USER_NOT_FOUND');
  });
});

describe('loadPermissions', () => {
  it('returns status, manager and active admins; USER_NOT_FOUND otherwise', async () => {
    const boss = await f.user();
    const u = await f.user({ managerId: boss });
    await f.admin({ status: 'inactive', inactivatedAt: new Date() });
    expect(await loadPermissions(t.db, { userId: u })).toEqual({ userId: u, status: 'active', managerId: boss, adminIds: [admin] });
    await expectRefusal(loadPermissions(t.db, { userId: 999999 }), 'USER_NOT_FOUND');
  });
});
