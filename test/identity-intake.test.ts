// The identity-provider intake on the run's shared dev server with the real activities and
// PostgreSQL: the collection window (a few seconds here, OFFBOARDING_INTAKE_WINDOW_SECONDS in
// production), one batch per window, repeated requests, the 1,000-people cap, and people the batch
// rejects. A worker restarted mid-window, the rescind paths and the states SCIM reads are in
// test/identity-lifecycle.test.ts.
//
// Why not the time-skipping server: a window is seconds, not days, and on the test server every case
// after the first took about 75 s of real time (its clock stays locked while the batch's activities
// run), which made this the slowest file of the suite and, under load, a flaky one.
import { Worker } from '@temporalio/worker';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OperationsContext, requestOffboarding } from '../client/operations';
import { auditLog, offboardings } from '../db/schema';
import type { IdentityConnection } from '../domain/connection-policy';
import { batchStatusQuery, batchWorkflowId, type BatchStatus, intakeStateQuery, intakeWorkflowId, type IntakeState, MAX_INTAKE_BATCH } from '../workflows/contract';
import { type DevServerEnvironment, sharedDevServerEnvironment, workflowBundle } from './helpers/temporal';
import { waitForValue } from './helpers/wait-until';
import { type Harness, startHarness, startedWorkflows } from './helpers/workflow-harness';
import { budget, WAIT_MS } from './helpers/time-budget';

/** Long enough for a test's requests to arrive inside one window on a busy machine. */
const WINDOW_MS = budget(5_000);
let env: DevServerEnvironment;
let h: Harness;
const taskQueue = `intake-${process.pid}`;
/** Operations with a collection window of `windowMs`. */
const ops = (windowMs: number): OperationsContext => ({ db: async () => h.t.db, temporal: async () => env.client, taskQueue, intakeWindowMs: windowMs });
let ctx: OperationsContext;
let worker: { stop: () => Promise<void> } | undefined;

beforeAll(async () => {
  [env, h] = await Promise.all([sharedDevServerEnvironment(), startHarness()]);
  ctx = ops(WINDOW_MS);
  const w = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue, workflowBundle: workflowBundle(), activities: h.activities });
  const running = w.run();
  worker = {
    stop: async () => {
      w.shutdown();
      await running;
    },
  };
});
afterAll(async () => {
  await worker?.stop();
  await env?.stop();
  await h?.close();
});

const started = startedWorkflows();
afterEach(() => started.terminateAll());

let connectionSeq = 0;
async function connection(overrides: Partial<IdentityConnection> = {}): Promise<IdentityConnection> {
  const adminUserId = await h.fx.admin({ name: 'Ida Connector' });
  const c: IdentityConnection = {
    id: 1_000 * process.pid + ++connectionSeq,
    name: 'Okta',
    company: 'Acme',
    adminUserId,
    policy: { reason: 'Terminated in the HR system', successor: 'manager' },
    ...overrides,
  };
  started.track(env.client.workflow.getHandle(intakeWorkflowId(c.id)));
  return c;
}

const intakeState = (c: IdentityConnection): Promise<IntakeState> => env.client.workflow.getHandle(intakeWorkflowId(c.id)).query(intakeStateQuery);

/** Waits until the intake has started `n` batches (it remembers the last few), and returns them. */
async function batchesOf(c: IdentityConnection, n: number) {
  const state = await waitForValue(`${n} batch(es) of connection ${c.id}`, () => intakeState(c), (s) => s.recent.length >= n && s.starting === null, WAIT_MS, 250);
  for (const b of state.recent) started.track(env.client.workflow.getHandle(batchWorkflowId(b.batchId)));
  return state.recent;
}

/** The batch's status once it has validated its users. */
function validatedBatch(batchId: string): Promise<BatchStatus> {
  return waitForValue(`batch ${batchId} validated`, () => env.client.workflow.getHandle(batchWorkflowId(batchId)).query(batchStatusQuery), (s) => s.phase !== 'validating', WAIT_MS, 250);
}

/** When the batch's workflow started, by Temporal's clock. */
const batchStartedAt = async (batchId: string): Promise<number> => (await env.client.workflow.getHandle(batchWorkflowId(batchId)).describe()).startTime.getTime();
describe('identityIntake', () => {
  it('gathers two deactivations a second apart into one batch when the window closes, in the admin’s name, managers as successors', async () => {
    const c = await connection();
    const manager = await h.fx.user({ name: 'Mia Manager' });
    const [a, b] = [await h.fx.user({ managerId: manager }), await h.fx.user({ managerId: manager })];
    const firstAsked = Date.now();
    await requestOffboarding(ctx, c, { userId: a, requestId: 'okta-1' });
    await new Promise((r) => setTimeout(r, 1_000));
    await requestOffboarding(ctx, c, { userId: b, requestId: 'okta-2' });

    const [batch, more] = await batchesOf(c, 1);
    expect(more).toBeUndefined();
    expect(batch?.userIds).toEqual([a, b]);
    // The window opened with the first request and stayed open its whole length.
    expect(await batchStartedAt(batch!.batchId)).toBeGreaterThanOrEqual(firstAsked + WINDOW_MS);
    const status = await validatedBatch(batch!.batchId);
    expect(status).toMatchObject({ requestedBy: c.adminUserId, total: 2, rejected: [] });
    const claims = await h.t.db.select().from(offboardings).where(inArray(offboardings.userId, [a, b]));
    expect(claims.map((r) => [r.userId, r.batchId, r.requestedBy])).toEqual(
      expect.arrayContaining([
        [a, batch!.batchId, c.adminUserId],
        [b, batch!.batchId, c.adminUserId],
      ]),
    );
    // Who asked, and who takes the items over: one audit row per request, in the admin's name.
    const audit = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'offboarding.requested'), inArray(auditLog.subjectUserId, [a, b])));
    expect(audit.map((r) => [r.actorId, r.entityId, (r.after as { successorId: number }).successorId])).toEqual([
      [c.adminUserId, String(c.id), manager],
      [c.adminUserId, String(c.id), manager],
    ]);
  });

  it('adds nobody twice: a repeated request ID, the same person again, or someone already in a running batch', async () => {
    const c = await connection({ policy: { reason: 'Terminated', successor: 'none' } });
    const [a, b] = [await h.fx.user(), await h.fx.user()];
    await requestOffboarding(ctx, c, { userId: a, requestId: 'r-1' });
    await requestOffboarding(ctx, c, { userId: a, requestId: 'r-1' });
    await requestOffboarding(ctx, c, { userId: a, requestId: 'r-2' });
    await requestOffboarding(ctx, c, { userId: b, requestId: 'r-3' });
    // The same request ID for someone else is the same request again: it adds nobody.
    await requestOffboarding(ctx, c, { userId: await h.fx.user(), requestId: 'r-3' });
    const [batch] = await batchesOf(c, 1);
    expect(batch?.userIds).toEqual([a, b]);
    expect((await validatedBatch(batch!.batchId)).rejected).toEqual([]);

    // In a running batch now: asked again, by a new request, they are not queued, and no second
    // batch follows once a whole window has passed.
    await requestOffboarding(ctx, c, { userId: a, requestId: 'r-4' });
    expect((await intakeState(c)).queued).toEqual([]);
    await new Promise((r) => setTimeout(r, WINDOW_MS + 1_000));
    const after = await intakeState(c);
    expect(after.queued).toEqual([]);
    expect(after.recent.map((r) => r.batchId)).toEqual([batch!.batchId]);
  });

  it(`starts a full batch at once (${MAX_INTAKE_BATCH} people) and the rest in the next window`, async () => {
    // A window long enough for a thousand requests to arrive in it on a busy machine (at a load of 15,
    // 664 of them took 20 s): the first batch starts when full, the last person waits it out.
    const windowMs = budget(45_000);
    const wide = ops(windowMs);
    const c = await connection({ policy: { reason: 'Terminated', successor: 'none' } });
    // People the directory does not know: the batch rejects each, so no 1,000 offboardings run here.
    const ids = Array.from({ length: MAX_INTAKE_BATCH + 1 }, (_, i) => 1_900_000 + i);
    const firstAsked = Date.now();
    // The last request brings the usual window: the intake keeps the latest request's settings, so the
    // one person left over waits WINDOW_MS for the next batch, not another 45 s of idle test time.
    const last = ids.at(-1)!;
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((userId) => requestOffboarding(userId === last ? ctx : wide, c, { userId, requestId: `bulk-${userId}` })));
    }
    const [first] = await batchesOf(c, 1);
    expect(first?.userIds).toHaveLength(MAX_INTAKE_BATCH);
    // Full before its time: the first batch did not wait for the window to close.
    expect(await batchStartedAt(first!.batchId)).toBeLessThan(firstAsked + windowMs);
    const [, second] = await batchesOf(c, 2);
    expect(second?.userIds).toHaveLength(1);
    expect(new Set([...first!.userIds, ...second!.userIds])).toEqual(new Set(ids));
    const status = await validatedBatch(first!.batchId);
    expect(status.rejected).toHaveLength(MAX_INTAKE_BATCH);
  });

  it('leaves unknown people and another company’s to the batch, which rejects them on its page', async () => {
    const c = await connection({ policy: { reason: 'Terminated', successor: 'none' } });
    const ours = await h.fx.user();
    const theirs = await h.fx.user({ company: 'Globex' });
    await requestOffboarding(ctx, c, { userId: ours, requestId: 'x-1' });
    await requestOffboarding(ctx, c, { userId: theirs, requestId: 'x-2' });
    await requestOffboarding(ctx, c, { userId: 1_999_999, requestId: 'x-3' });
    const [batch] = await batchesOf(c, 1);
    const status = await validatedBatch(batch!.batchId);
    expect(status.users.map((u) => u.userId)).toEqual([ours]);
    expect(status.rejected.map((r) => [r.userId, r.code])).toEqual([
      [theirs, 'USER_NOT_FOUND'],
      [1_999_999, 'USER_NOT_FOUND'],
    ]);
    expect(status.rejected[0]?.message).toContain("not one of Acme's people");
    expect(await h.t.db.select().from(offboardings).where(eq(offboardings.userId, theirs))).toEqual([]);
  });
});
