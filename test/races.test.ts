// Races, on the dev server with the real activities, PostgreSQL and SMTP: two managers reassigning the
// same item at once, an item assigned between the last scan and the inactivation, removeUser racing
// the inactivation, and the same user started in two batches at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import type { OffboardingActivities } from '../activities';
import type { InactivateUserInput } from '../workflows/contract';
import { auditLog, offboardings, users } from '../db/schema';
import {
  batchStatusQuery,
  cancelBatchUpdate,
  closeItemUpdate,
  type OffboardingBatchInput,
  reassignItemUpdate,
  removeUserUpdate,
  userStatusQuery,
  userWorkflowId,
  refusalOf,
} from '../workflows/contract';
import { userOffboarding } from '../workflows';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './helpers/temporal';
import {
  type Harness,
  mailsAbout,
  policy,
  runWorkerInBackground,
  startHarness,
  startedWorkflows,
  waitForUserStatus,
} from './helpers/workflow-harness';
import { budget, WAIT_MS } from './helpers/time-budget';

let env: DevServerEnvironment;
let h: Harness;
let taskQueue: string;
let stopWorker: () => Promise<void>;

/** Users for whom the next inactivation is preceded by a new item assigned to them ("the race"). */
const assignBeforeInactivation = new Map<number, () => Promise<void>>();
/** Users whose inactivation is delayed, to widen the window for a racing removal. */
const delayInactivation = new Map<number, number>();

beforeAll(async () => {
  [env, h] = await Promise.all([sharedDevServerEnvironment(), startHarness()]);
  const real = h.activities;
  // Wrapping a real activity: the race happens in the database, right before the real inactivation.
  const beforeInactivation = async (input: InactivateUserInput): Promise<void> => {
    const assign = assignBeforeInactivation.get(input.userId);
    if (assign) {
      assignBeforeInactivation.delete(input.userId);
      await assign();
    }
    const delay = delayInactivation.get(input.userId);
    if (delay) await sleep(delay);
  };
  // Runs since issue 25 inactivate through completeOffboarding (with the end of the claim): the same race.
  const activities: OffboardingActivities = {
    ...real,
    async inactivateUser(input: InactivateUserInput) {
      await beforeInactivation(input);
      return real.inactivateUser(input);
    },
    async completeOffboarding(input: InactivateUserInput) {
      await beforeInactivation(input);
      return real.completeOffboarding(input);
    },
  };
  ({ taskQueue, stop: stopWorker } = await runWorkerInBackground(env, activities));
});
afterAll(async () => {
  await stopWorker?.();
  await env?.stop();
  await h?.close();
});

const started = startedWorkflows();
afterEach(() => started.terminateAll());

/** The refusal's code, or (for a failure that is no refusal) the error's words, so a failed race says what it met. */
const settle = <T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string | undefined }> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (e: unknown) => ({ ok: false as const, code: refusalOf(e)?.code ?? `not a refusal: ${e instanceof Error ? `${e.message} / ${String(e.cause)}` : String(e)}` }),
  );

async function company() {
  const { fx } = h;
  const admin = await fx.admin({ name: 'Ada Admin' });
  const manager = await fx.user({ name: 'Max Manager' });
  const a = await fx.user({ name: 'Ann Taker' });
  const b = await fx.user({ name: 'Bob Taker' });
  const p = await fx.project('Tower');
  for (const u of [manager, a, b]) await fx.member(p, u);
  const leaver = async () => {
    const u = await fx.user({ managerId: manager });
    await fx.member(p, u);
    return u;
  };
  return { admin, manager, a, b, p, leaver };
}

async function startUser(userId: number, requestedBy: number) {
  const handle = await env.client.workflow.start(userOffboarding, {
    taskQueue,
    workflowId: userWorkflowId(userId),
    args: [{ userId, requestedBy, batchId: null, reason: 'race', effectiveAt: null, successorId: null, policy: policy() }],
  });
  started.track(handle);
  return handle;
}

let batchSeq = 0;
async function startBatch(input: Pick<OffboardingBatchInput, 'userIds' | 'requestedBy'>) {
  const batchId = `race-${process.pid}-${++batchSeq}`;
  const handle = await startBatchWorkflow(env.client, taskQueue, { batchId, reason: 'race', effectiveAt: null, successors: {}, policy: {}, ...input });
  started.track(handle);
  return { handle, batchId };
}

const auditRows = async (entityType: string, entityId: number, action: string) =>
  (
    await h.t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, String(entityId)), eq(auditLog.action, action)))
  ).length;

describe('races', () => {
  it('two managers reassign the same item at the same moment: one wins, one audit row (5 races)', async () => {
    const c = await company();
    const leaver = await c.leaver();
    const rfiIds: number[] = [];
    for (let i = 0; i < 5; i++) rfiIds.push(await h.fx.rfi({ projectId: c.p, managerId: leaver }));
    const handle = await startUser(leaver, c.admin);
    await waitForUserStatus(env.client, leaver, (s) => s.stage === 'awaiting-reassignment' && s.pendingItems.length === 5);

    for (const id of rfiIds) {
      const itemKey = `rfi:${id}:manager`;
      const [byManager, byAdmin] = await Promise.all([
        settle(handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId: c.a, by: c.manager }] })),
        settle(handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId: c.b, by: c.admin }] })),
      ]);
      const outcomes = [byManager, byAdmin];
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      const loser = outcomes.find((o) => !o.ok);
      expect(loser && !loser.ok ? loser.code : undefined).toMatch(/^(ITEM_NOT_HELD_BY_USER|ITEM_NOT_PENDING)$/);
      expect(await auditRows('rfi', id, 'item.reassigned')).toBe(1);
      const [row] = await h.t.db.execute<{ manager_id: number }>(sql`select manager_id from rfis where id = ${id}`);
      expect(row?.manager_id).toBe(byManager.ok ? c.a : c.b);
    }
    const result = await handle.result();
    expect(result.outcome).toBe('inactivated');
    expect(result.resolutions).toHaveLength(5);
  });

  it('an item assigned between the last scan and the inactivation: not inactivated, back to waiting, manager told', async () => {
    const c = await company();
    const leaver = await c.leaver();
    // Someone with nothing open is inactivated by begin itself, in the transaction of its scan: no
    // moment between the two. The race is after a wait: the manager closes the last item, and a new
    // one arrives before the inactivation.
    const first = await h.fx.defect({ projectId: c.p, assignedToId: leaver });
    const handle = await startUser(leaver, c.admin);
    await waitForUserStatus(env.client, leaver, (s) => s.stage === 'awaiting-reassignment');
    await vi.waitFor(() => expect(mailsAbout(h.sink, leaver, 'items-assigned')).toHaveLength(1), { timeout: budget(20_000) });
    let lateItem = 0;
    assignBeforeInactivation.set(leaver, async () => {
      lateItem = await h.fx.defect({ projectId: c.p, assignedToId: leaver });
    });
    await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: `defect:${first}:assigned-to`, by: c.manager }] });
    const waiting = await waitForUserStatus(env.client, leaver, (s) => s.stage === 'awaiting-reassignment' && s.pendingItems.some((i) => i.itemId === lateItem));
    expect(lateItem).toBeGreaterThan(0);
    expect(waiting.pendingItems.map((i) => i.key)).toEqual([`defect:${lateItem}:assigned-to`]);
    const [u] = await h.t.db.select().from(users).where(eq(users.id, leaver));
    expect(u?.status).toBe('active');
    expect(await auditRows('user', leaver, 'user.inactivated')).toBe(0);
    await vi.waitFor(() => expect(mailsAbout(h.sink, leaver, 'items-assigned')).toHaveLength(2), { timeout: budget(20_000) });

    // The manager handles it; now the inactivation goes through, once.
    await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: `defect:${lateItem}:assigned-to`, toUserId: c.a, by: c.manager }] });
    expect((await handle.result()).outcome).toBe('inactivated');
    expect(await auditRows('user', leaver, 'user.inactivated')).toBe(1);
  });

  it('removeUser racing the inactivation: exactly one wins and the batch status says which (6 races)', async () => {
    const c = await company();
    const leavers: number[] = [];
    const items = new Map<number, number>();
    for (let i = 0; i < 6; i++) {
      const u = await c.leaver();
      leavers.push(u);
      items.set(u, await h.fx.observation({ projectId: c.p, assigneeId: u }));
      // Half of them take a while to inactivate, so the removal lands at different points.
      if (i % 2 === 1) delayInactivation.set(u, 300 * i);
    }
    const { handle } = await startBatch({ userIds: leavers, requestedBy: c.admin });
    for (const u of leavers) await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment');

    const outcomes = await Promise.all(
      leavers.map(async (u, i) => {
        const userHandle = env.client.workflow.getHandle(userWorkflowId(u));
        const close = () => settle(userHandle.executeUpdate(closeItemUpdate, { args: [{ itemKey: `observation:${items.get(u)}:assignee`, by: c.manager }] }));
        const remove = () => settle(handle.executeUpdate(removeUserUpdate, { args: [{ userId: u, by: c.admin }] }));
        // Alternate who fires first; both are in flight at the same moment.
        if (i % 3 === 0) {
          const [closed, removed] = await Promise.all([close(), remove()]);
          return { u, closed, removed };
        }
        const [removed, closed] = await Promise.all([remove(), close()]);
        return { u, closed, removed };
      }),
    );
    const status = await handle.query(batchStatusQuery);
    for (const { u, removed } of outcomes) {
      const row = status.users.find((r) => r.userId === u);
      const [dbUser] = await h.t.db.select().from(users).where(eq(users.id, u));
      const inactivations = await auditRows('user', u, 'user.inactivated');
      if (removed.ok) {
        expect(row?.stage).toBe('removed');
        expect(dbUser?.status).toBe('active');
        expect(inactivations).toBe(0);
      } else {
        expect(removed.code).toBe('USER_ALREADY_INACTIVATED');
        // The batch hears of the inactivation from its child: under load, well after vitest's 1 s default.
        await vi.waitFor(async () => expect((await handle.query(batchStatusQuery)).users.find((r) => r.userId === u)?.stage).toBe('inactivated'), {
          timeout: WAIT_MS,
          interval: 100,
        });
        expect(dbUser?.status).toBe('inactive');
        expect(inactivations).toBe(1);
      }
      const claims = await h.t.db.select().from(offboardings).where(eq(offboardings.userId, u));
      expect(claims).toHaveLength(1);
      expect(claims[0]?.outcome).toBe(removed.ok ? 'removed' : 'inactivated');
    }
    const summary = await handle.result();
    expect(summary.inactivated.length + summary.removed.length).toBe(leavers.length);
  });

  it('the same users started in two batches at once: each is offboarded once (3 users, 2 batches)', async () => {
    const c = await company();
    const leavers = [await c.leaver(), await c.leaver(), await c.leaver()];
    for (const u of leavers) await h.fx.observation({ projectId: c.p, assigneeId: u });
    const [one, two] = await Promise.all([
      startBatch({ userIds: leavers, requestedBy: c.admin }),
      startBatch({ userIds: [...leavers].reverse(), requestedBy: c.admin }),
    ]);
    const statuses = await vi.waitFor(
      async () => {
        const s = await Promise.all([one.handle.query(batchStatusQuery), two.handle.query(batchStatusQuery)]);
        expect(s.every((x) => x.phase !== 'validating')).toBe(true);
        return s;
      },
      { timeout: budget(30_000), interval: 200 },
    );
    for (const u of leavers) {
      const owners = statuses.filter((s) => s.users.some((r) => r.userId === u));
      const refusals = statuses.flatMap((s) => s.rejected.filter((r) => r.userId === u));
      expect(owners).toHaveLength(1);
      expect(refusals.map((r) => r.code)).toEqual(['ALREADY_IN_OFFBOARDING']);
      const open = await h.t.db.select().from(offboardings).where(and(eq(offboardings.userId, u), isNull(offboardings.endedAt)));
      expect(open).toHaveLength(1);
      expect(open[0]?.batchId).toBe(owners[0]?.batchId);
      await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment' && s.batchId === owners[0]?.batchId);
    }
    // Only one per-user workflow per user exists: its ID is the user's.
    for (const u of leavers) expect((await env.client.workflow.getHandle(userWorkflowId(u)).query(userStatusQuery)).userId).toBe(u);
    for (const b of [one, two]) {
      if ((await b.handle.query(batchStatusQuery)).phase === 'running') await b.handle.executeUpdate(cancelBatchUpdate, { args: [{ by: c.admin }] });
    }
    const summaries = await Promise.all([one.handle.result(), two.handle.result()]);
    expect(summaries.flatMap((s) => s.cancelled).sort()).toEqual([...leavers].sort());
  });
});
