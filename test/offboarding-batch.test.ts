// The batch workflow on the dev server with the real activities, PostgreSQL and SMTP: validation,
// children, removeUser, cancel, the same user in two batches, and continue-as-new with a small window.
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import { offboardings, users } from '../db/schema';
import {
  batchStatusQuery,
  cancelBatchUpdate,
  type OffboardingBatchInput,
  removeUserUpdate,
  userWorkflowId,
} from '../workflows/definitions';
import { recordHistory } from './helpers/histories';
import { type DevServerEnvironment, startDevServerEnvironment } from './helpers/temporal';
import {
  type Harness,
  mailsAbout,
  refusalCodeOf,
  runWorkerInBackground,
  settle,
  startHarness,
  startedWorkflows,
  waitForUserStatus,
} from './helpers/workflow-harness';

const WAIT = { timeout: 20_000, interval: 100 };
let env: DevServerEnvironment;
let h: Harness;
let taskQueue: string;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  [env, h] = await Promise.all([startDevServerEnvironment(), startHarness()]);
  ({ taskQueue, stop: stopWorker } = await runWorkerInBackground(env.nativeConnection, h.activities));
});
afterAll(async () => {
  await stopWorker?.();
  await env?.stop();
  await h?.close();
});

const started = startedWorkflows();
afterEach(() => started.terminateAll());

let batchSeq = 0;
async function startBatch(input: Partial<OffboardingBatchInput> & { userIds: number[]; requestedBy: number }) {
  const batchId = `t${process.pid}-${++batchSeq}`;
  const handle = started.track(
    await startBatchWorkflow(env.client, taskQueue, { batchId, reason: 'restructuring', effectiveAt: null, successors: {}, policy: {}, ...input }),
  );
  return { handle, batchId };
}

async function company() {
  const { fx } = h;
  const admin = await fx.admin({ name: 'Ada Admin' });
  const manager = await fx.user({ name: 'Max Manager' });
  const p = await fx.project('Tower');
  const leavers: number[] = [];
  for (let i = 0; i < 3; i++) {
    const u = await fx.user({ managerId: manager });
    await fx.member(p, u);
    leavers.push(u);
  }
  await fx.member(p, manager);
  return { admin, manager, p, leavers };
}

const codeOf = refusalCodeOf;

describe('offboardingBatch', () => {
  it('reports bad IDs, offboards the rest, lets an admin remove a waiting user, and ends with a summary', async () => {
    const c = await company();
    const [quiet, busy, third] = c.leavers as [number, number, number];
    await h.fx.defect({ projectId: c.p, assignedToId: busy });
    await h.fx.defect({ projectId: c.p, assignedToId: third });
    const inactive = await h.fx.user();
    await h.t.db.update(users).set({ status: 'inactive', inactivatedAt: new Date() }).where(eq(users.id, inactive));

    const { handle, batchId } = await startBatch({
      userIds: [quiet, busy, third, 999_999, quiet, inactive, c.admin],
      requestedBy: c.admin,
    });
    await waitForUserStatus(env.client, busy, (s) => s.stage === 'awaiting-reassignment');
    await waitForUserStatus(env.client, third, (s) => s.stage === 'awaiting-reassignment');

    const status = await vi.waitFor(async () => {
      const s = await handle.query(batchStatusQuery);
      expect(s.users.find((u) => u.userId === quiet)?.stage).toBe('inactivated');
      return s;
    }, WAIT);
    expect(status.rejected.map((r) => [r.userId, r.code])).toEqual([
      [999_999, 'USER_NOT_FOUND'],
      [quiet, 'DUPLICATE_USER'],
      [inactive, 'USER_ALREADY_INACTIVE'],
      [c.admin, 'REQUESTER_IN_BATCH'],
    ]);
    expect(status.users.find((u) => u.userId === busy)).toMatchObject({ stage: 'awaiting-reassignment', openItems: 1 });

    // Only admins; not after inactivation; a waiting user can be removed.
    expect(codeOf(await settle(handle.executeUpdate(removeUserUpdate, { args: [{ userId: busy, by: c.manager }] })))).toBe('PERMISSION_DENIED');
    expect(codeOf(await settle(handle.executeUpdate(removeUserUpdate, { args: [{ userId: quiet, by: c.admin }] })))).toBe('USER_ALREADY_INACTIVATED');
    expect(codeOf(await settle(handle.executeUpdate(removeUserUpdate, { args: [{ userId: 424_242, by: c.admin }] })))).toBe('USER_NOT_IN_BATCH');
    const composition = await handle.executeUpdate(removeUserUpdate, { args: [{ userId: busy, by: c.admin }] });
    expect(composition.removed).toEqual([busy]);
    expect(composition.userIds.sort()).toEqual([quiet, third].sort());

    // The remaining waiting user is cancelled with the batch.
    await handle.executeUpdate(cancelBatchUpdate, { args: [{ by: c.admin }] });
    const summary = await handle.result();
    expect(summary).toMatchObject({ batchId, inactivated: [quiet], removed: [busy], cancelled: [third], failed: [] });
    await recordHistory(handle, 'batch-remove-cancel');
    await recordHistory(env.client.workflow.getHandle(userWorkflowId(busy)), 'user-offboarding-removed-from-batch');

    const [b] = await h.t.db.select().from(users).where(eq(users.id, busy));
    expect(b?.status).toBe('active');
    const open = await h.t.db.select().from(offboardings).where(isNull(offboardings.endedAt));
    expect(open.filter((o) => [quiet, busy, third].includes(o.userId))).toEqual([]);
    const rows = await h.t.db.select().from(offboardings).where(and(eq(offboardings.userId, busy)));
    expect(rows.map((r) => r.outcome)).toEqual(['removed']);
    await vi.waitFor(() => expect(h.sink.messages.some((m) => m.parsed.headers.get('x-offboarding-kind') === 'batch-summary' && m.parsed.headers.get('x-offboarding-batch-id') === batchId)).toBe(true), WAIT);
    expect(mailsAbout(h.sink, quiet, 'inactivated')).toHaveLength(1);
  });

  it('refuses a requester who is not an admin, and offboards nobody', async () => {
    const c = await company();
    const { handle } = await startBatch({ userIds: [c.leavers[0]!], requestedBy: c.manager });
    expect(codeOf(await settle(handle.result()))).toBe('PERMISSION_DENIED');
    const open = await h.t.db.select().from(offboardings).where(eq(offboardings.userId, c.leavers[0]!));
    expect(open).toEqual([]);
  });

  it('never offboards one user in two batches at once', async () => {
    const c = await company();
    const [u] = c.leavers as [number];
    await h.fx.observation({ projectId: c.p, assigneeId: u });
    const first = await startBatch({ userIds: [u], requestedBy: c.admin });
    await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment');
    const second = await startBatch({ userIds: [u], requestedBy: c.admin });
    const summary = await second.handle.result();
    expect(summary.rejected).toMatchObject([{ userId: u, code: 'ALREADY_IN_OFFBOARDING' }]);
    expect(summary.inactivated).toEqual([]);
    expect((await first.handle.query(batchStatusQuery)).users[0]?.stage).toBe('awaiting-reassignment');
  });

  it('counts a user whose workflow was terminated by hand as failed, and releases the claim', async () => {
    const c = await company();
    const [u] = c.leavers as [number];
    await h.fx.rfi({ projectId: c.p, assignees: [u] });
    const { handle } = await startBatch({ userIds: [u], requestedBy: c.admin });
    await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment');
    await env.client.workflow.getHandle(userWorkflowId(u)).terminate('ops stopped it by hand');
    const summary = await handle.result();
    expect(summary.failed).toMatchObject([{ userId: u }]);
    const open = await h.t.db.select().from(offboardings).where(and(eq(offboardings.userId, u), isNull(offboardings.endedAt)));
    expect(open).toEqual([]);
  });

  it('runs a batch larger than its window through continue-as-new and collects every result', async () => {
    const c = await company();
    const many: number[] = [];
    for (let i = 0; i < 40; i++) many.push(await h.fx.user({ managerId: c.manager }));
    const { handle } = await startBatch({
      userIds: many,
      requestedBy: c.admin,
      tuning: { window: 7, continueAsNewAtEvents: 200 },
    });
    const summary = await handle.result();
    expect(summary.inactivated.sort((a, b) => a - b)).toEqual(many);
    await recordHistory(env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId), 'batch-continue-as-new-first-run');
    const runs = await handle.query(batchStatusQuery).catch(() => undefined); // closed: query may still answer
    if (runs) expect(runs.run).toBeGreaterThan(1);
    // The last run still has the batch's longer workflow task timeout (continue-as-new carries it).
    const last = await handle.describe();
    expect(last.runId).not.toBe(handle.firstExecutionRunId);
    expect(Number(last.raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds)).toBe(60);
    const rows = await h.t.db.select().from(users).where(eq(users.managerId, c.manager));
    expect(rows.filter((r) => many.includes(r.id)).every((r) => r.status === 'inactive')).toBe(true);
  });
});
