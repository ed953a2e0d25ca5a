// The identity-provider intake on the time-skipping server with the real activities and PostgreSQL:
// the collection window (60 s, skipped), one batch per window, repeated requests,
// the 1,000-people cap, and people the batch rejects. A worker restarted mid-window, the rescind paths
// and the states SCIM reads run on the dev server (test/identity-lifecycle.test.ts): the test server's
// locked clock never lets a dead worker's sticky queue time out.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OperationsContext, requestOffboarding } from '../client/operations';
import { auditLog, offboardings } from '../db/schema';
import type { IdentityConnection } from '../domain/connection-policy';
import { batchStatusQuery, batchWorkflowId, type BatchStatus, intakeStateQuery, intakeWorkflowId, type IntakeState, MAX_INTAKE_BATCH } from '../workflows/contract';
import { startTimeSkippingEnvironment, workflowBundle } from './helpers/temporal';
import { waitForValue } from './helpers/wait-until';
import { type Harness, startHarness, startedWorkflows } from './helpers/workflow-harness';
import { budget, WAIT_MS } from './helpers/time-budget';

const WINDOW_MS = 60_000;
let env: TestWorkflowEnvironment;
let h: Harness;
const taskQueue = `intake-${process.pid}`;
let ctx: OperationsContext;

/** A worker on the file's task queue; a restart is stop() then startWorker() again. */
async function startWorker(): Promise<{ stop: () => Promise<void> }> {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: workflowBundle(), activities: h.activities });
  const running = worker.run();
  return {
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}
let worker: { stop: () => Promise<void> } | undefined;

beforeAll(async () => {
  [env, h] = await Promise.all([startTimeSkippingEnvironment(), startHarness()]);
  ctx = { db: async () => h.t.db, temporal: async () => env.client, taskQueue, intakeWindowMs: WINDOW_MS };
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
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

const intake = (c: IdentityConnection) => env.client.workflow.getHandle(intakeWorkflowId(c.id));
const intakeState = (c: IdentityConnection): Promise<IntakeState> => intake(c).query(intakeStateQuery);
/** Who waits in the window once the intake has taken the requests in (signals are handled asynchronously). */
const queuedOf = (c: IdentityConnection, expected: number[]) =>
  waitForValue(`connection ${c.id} queueing ${expected.join(', ')}`, () => intakeState(c), (s) => JSON.stringify(s.queued) === JSON.stringify(expected), WAIT_MS, 200);

/** Waits until the intake has started `n` batches (it remembers the last few), and returns them. */
async function batchesOf(c: IdentityConnection, n: number) {
  // Time moves on while waiting: a window opened after the test's last sleep (a new run's, say) closes too.
  const state = await waitForValue(
    `${n} batch(es) of connection ${c.id}`,
    async () => {
      const s = await intakeState(c);
      if (s.recent.length < n) await env.sleep(WINDOW_MS / 4);
      return s;
    },
    (s) => s.recent.length >= n && s.starting === null,
    WAIT_MS,
    250,
  );
  for (const b of state.recent) started.track(env.client.workflow.getHandle(batchWorkflowId(b.batchId)));
  return state.recent;
}

/** The batch's status once it has validated its users. */
function validatedBatch(batchId: string): Promise<BatchStatus> {
  return waitForValue(`batch ${batchId} validated`, () => env.client.workflow.getHandle(batchWorkflowId(batchId)).query(batchStatusQuery), (s) => s.phase !== 'validating', WAIT_MS, 250);
}

describe('identityIntake', () => {
  it('gathers two deactivations 10 s apart into one batch, in the admin’s name, managers as successors', async () => {
    const c = await connection();
    const manager = await h.fx.user({ name: 'Mia Manager' });
    const [a, b] = [await h.fx.user({ managerId: manager }), await h.fx.user({ managerId: manager })];
    await requestOffboarding(ctx, c, { userId: a, requestId: 'okta-1' });
    await env.sleep(10_000);
    await requestOffboarding(ctx, c, { userId: b, requestId: 'okta-2' });
    await queuedOf(c, [a, b]);
    await env.sleep(WINDOW_MS);

    const [batch, more] = await batchesOf(c, 1);
    expect(more).toBeUndefined();
    expect(batch?.userIds).toEqual([a, b]);
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
    await queuedOf(c, [a, b]);
    await env.sleep(WINDOW_MS);
    const [batch] = await batchesOf(c, 1);
    expect((await validatedBatch(batch!.batchId)).rejected).toEqual([]);

    // In a running batch now: asked again, by a new request, they are not queued.
    await requestOffboarding(ctx, c, { userId: a, requestId: 'r-4' });
    await queuedOf(c, []);
  }, budget(180_000));

  it(`starts a full batch at once (${MAX_INTAKE_BATCH} people) and the rest in the next window`, async () => {
    const c = await connection({ policy: { reason: 'Terminated', successor: 'none' } });
    // People the directory does not know: the batch rejects each, so no 1,000 offboardings run here.
    const ids = Array.from({ length: MAX_INTAKE_BATCH + 1 }, (_, i) => 1_900_000 + i);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((userId) => requestOffboarding(ctx, c, { userId, requestId: `bulk-${userId}` })));
    }
    const [first] = await batchesOf(c, 1);
    expect(first?.userIds).toHaveLength(MAX_INTAKE_BATCH);
    await env.sleep(WINDOW_MS);
    const [, second] = await batchesOf(c, 2);
    expect(second?.userIds).toHaveLength(1);
    expect(new Set([...first!.userIds, ...second!.userIds])).toEqual(new Set(ids));
    const status = await validatedBatch(first!.batchId);
    expect(status.rejected).toHaveLength(MAX_INTAKE_BATCH);
  }, budget(300_000));

  it('leaves unknown people and another company’s to the batch, which rejects them on its page', async () => {
    const c = await connection({ policy: { reason: 'Terminated', successor: 'none' } });
    const ours = await h.fx.user();
    const theirs = await h.fx.user({ company: 'Globex' });
    await requestOffboarding(ctx, c, { userId: ours, requestId: 'x-1' });
    await requestOffboarding(ctx, c, { userId: theirs, requestId: 'x-2' });
    await requestOffboarding(ctx, c, { userId: 1_999_999, requestId: 'x-3' });
    await env.sleep(WINDOW_MS);
    const [batch] = await batchesOf(c, 1);
    const status = await validatedBatch(batch!.batchId);
    expect(status.users.map((u) => u.userId)).toEqual([ours]);
    expect(status.rejected.map((r) => [r.userId, r.code])).toEqual([
      [theirs, 'USER_NOT_FOUND'],
      [1_999_999, 'USER_NOT_FOUND'],
    ]);
    expect(status.rejected[0]?.message).toContain("not one of Acme's people");
    expect(await h.t.db.select().from(offboardings).where(eq(offboardings.userId, theirs))).toEqual([]);
  }, budget(180_000));
});
