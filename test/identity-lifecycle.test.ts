// What SCIM's `active` does, through the operations the endpoint calls, on the run's shared dev server with the real
// activities, PostgreSQL and SMTP: a worker restarted mid-window loses nothing; a rescinded
// termination drops a queued person, removes one from their running batch (never inactivated), or
// reactivates one already inactive; and offboardingStates reads where each stands.
import { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OperationsContext, offboardingStates, requestOffboarding, rescindOffboarding, statusOf as statusOfWorkflow } from '../client/operations';
import { loadSettings } from '../config/settings';
import { auditLog, users } from '../db/schema';
import type { IdentityConnection } from '../domain/connection-policy';
import { batchStatusQuery, batchWorkflowId, intakeStateQuery, intakeWorkflowId, type IntakeState, userWorkflowId } from '../workflows/contract';
import { type DevServerEnvironment, sharedDevServerEnvironment, workflowBundle } from './helpers/temporal';
import { expectRefusal } from './helpers/refusals';
import { waitForValue } from './helpers/wait-until';
import { type Harness, startHarness, startedWorkflows } from './helpers/workflow-harness';
import { WAIT_MS } from './helpers/time-budget';

let env: DevServerEnvironment;
let h: Harness;
const taskQueue = `lifecycle-${process.pid}`;

async function startWorker(): Promise<{ stop: () => Promise<void> }> {
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue, workflowBundle: workflowBundle(), activities: h.activities });
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
  [env, h] = await Promise.all([sharedDevServerEnvironment(), startHarness()]);
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.stop();
  await env?.stop();
  await h?.close();
});

const started = startedWorkflows();
afterEach(() => started.terminateAll());

/** Operations with a collection window of `windowMs`. */
const ops = (windowMs: number): OperationsContext => ({ db: async () => h.t.db, temporal: async () => env.client, taskQueue, intakeWindowMs: windowMs });

let connectionSeq = 0;
/** With successor 'none' the leaver's items wait for the manager (a successor would take them at once). */
async function connection(successor: 'manager' | 'none' = 'none'): Promise<IdentityConnection> {
  const adminUserId = await h.fx.admin({ name: 'Ida Connector' });
  const c: IdentityConnection = { id: 1_000 * process.pid + ++connectionSeq, name: 'Okta', company: 'Acme', adminUserId, policy: { reason: 'Terminated in Okta', successor } };
  started.track(env.client.workflow.getHandle(intakeWorkflowId(c.id)));
  return c;
}

const intakeState = (c: IdentityConnection): Promise<IntakeState> => env.client.workflow.getHandle(intakeWorkflowId(c.id)).query(intakeStateQuery);

/** Someone leaving with one open item (so their offboarding waits for the manager), and their manager. */
async function leaverWithItem() {
  const manager = await h.fx.user({ name: 'Mia Manager' });
  const leaver = await h.fx.user({ name: 'Lee Leaver', managerId: manager });
  const p = await h.fx.project();
  await h.fx.member(p, leaver);
  await h.fx.member(p, manager);
  await h.fx.defect({ projectId: p, assignedToId: leaver });
  return { manager, leaver };
}

type State = { stage: string; batchId: string | null };
async function stateOf(ctx: OperationsContext, userId: number, ready: (s: State | undefined) => boolean): Promise<State> {
  const state = await waitForValue(`the offboarding state of user ${userId}`, async () => (await offboardingStates(ctx, [userId])).get(userId), ready, WAIT_MS, 250);
  if (!state) throw new Error(`user ${userId} has no offboarding state`);
  return state;
}

const statusOf = async (userId: number) => (await h.t.db.select({ status: users.status }).from(users).where(eq(users.id, userId)))[0]?.status;

describe('identity lifecycle', () => {
  it('refuses what is not a request (README rows 144–145) and starts nothing', async () => {
    const ctx = ops(1_000);
    const c = await connection();
    for (const bad of [{ userId: 0, requestId: 'b-1' }, { userId: 1.5, requestId: 'b-2' }, { userId: 7, requestId: '' }, { userId: 7, requestId: 'x'.repeat(201) }]) {
      await expectRefusal(requestOffboarding(ctx, c, bad), 'INVALID_INPUT');
      await expectRefusal(rescindOffboarding(ctx, c, bad), 'INVALID_INPUT');
    }
    expect(await statusOfWorkflow(env.client.workflow.getHandle(intakeWorkflowId(c.id)))).toBeUndefined();
    for (const value of ['0', 'soon', '3601']) {
      expect(() => loadSettings({ OFFBOARDING_INTAKE_WINDOW_SECONDS: value })).toThrow(/^OFFBOARDING_INTAKE_WINDOW_SECONDS: /);
    }
    expect(loadSettings({ OFFBOARDING_INTAKE_WINDOW_SECONDS: '15' }).web.intakeWindowMs).toBe(15_000);
  });

  it('loses nothing when the worker restarts mid-window', async () => {
    const ctx = ops(8_000);
    const c = await connection();
    const [a, b, d] = [await h.fx.user(), await h.fx.user(), await h.fx.user()];
    await requestOffboarding(ctx, c, { userId: a, requestId: 'w-1' });
    await waitForValue('the first request taken in', () => intakeState(c), (s) => s.queued.length === 1, WAIT_MS);
    await worker?.stop();
    worker = undefined;
    // No worker: the requests wait in Temporal (signals in the intake's history), and the window's timer with them.
    await requestOffboarding(ctx, c, { userId: b, requestId: 'w-2' });
    await requestOffboarding(ctx, c, { userId: d, requestId: 'w-3' });
    worker = await startWorker();
    const state = await waitForValue('the batch', () => intakeState(c), (s) => s.recent.length > 0 && s.starting === null, WAIT_MS, 250);
    expect(state.recent).toHaveLength(1);
    expect(state.recent[0]?.userIds).toEqual([a, b, d]);
    started.track(env.client.workflow.getHandle(batchWorkflowId(state.recent[0]!.batchId)));
  });

  it('drops a person rescinded while queued: no batch, nothing changed, the drop audited', async () => {
    const ctx = ops(60_000);
    const c = await connection();
    const { leaver } = await leaverWithItem();
    // Deprovisioned first, as the SCIM routes do before they request: only then is the intake read for them.
    await h.t.db.update(users).set({ deprovisionedAt: new Date() }).where(eq(users.id, leaver));
    await requestOffboarding(ctx, c, { userId: leaver, requestId: 'd-1' });
    expect(await stateOf(ctx, leaver, (s) => s?.stage === 'queued')).toEqual({ stage: 'queued', batchId: null });
    expect(await rescindOffboarding(ctx, c, { userId: leaver, requestId: 'd-2' })).toBe('dropped');
    expect((await intakeState(c)).queued).toEqual([]);
    expect((await offboardingStates(ctx, [leaver])).get(leaver)).toBeUndefined();
    // Again (a retried request): the same answer, nothing else happens; a new request finds nothing.
    expect(await rescindOffboarding(ctx, c, { userId: leaver, requestId: 'd-2' })).toBe('dropped');
    expect(await rescindOffboarding(ctx, c, { userId: leaver, requestId: 'd-3' })).toBe('none');
    const dropped = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'offboarding.request-dropped'), eq(auditLog.subjectUserId, leaver)));
    expect(dropped.map((r) => [r.actorId, r.entityId])).toEqual([[c.adminUserId, String(c.id)]]);
    expect(await statusOf(leaver)).toBe('active');
  });

  it('removes a person rescinded in a running batch: never inactivated', async () => {
    const ctx = ops(1_000);
    const c = await connection();
    const { leaver } = await leaverWithItem();
    await requestOffboarding(ctx, c, { userId: leaver, requestId: 'r-1' });
    const waiting = await stateOf(ctx, leaver, (s) => s?.stage === 'awaiting-reassignment');
    expect(waiting.batchId).toMatch(/^c\d+-\d{8}-[0-9a-f]{8}$/);
    started.track(env.client.workflow.getHandle(batchWorkflowId(waiting.batchId!)));
    expect(await rescindOffboarding(ctx, c, { userId: leaver, requestId: 'r-2' })).toBe('removed');
    const batch = await env.client.workflow.getHandle(batchWorkflowId(waiting.batchId!)).query(batchStatusQuery);
    expect(batch.users.find((u) => u.userId === leaver)?.stage).toBe('removed');
    expect(await stateOf(ctx, leaver, (s) => s?.stage === 'removed')).toEqual({ stage: 'removed', batchId: waiting.batchId });
    expect(await statusOf(leaver)).toBe('active');
    const result = await env.client.workflow.getHandle(userWorkflowId(leaver)).result();
    expect(result).toMatchObject({ outcome: 'removed' });
  });

  it('reactivates a person rescinded after their inactivation', async () => {
    const ctx = ops(1_000);
    const c = await connection();
    const leaver = await h.fx.user({ name: 'Quinn Quick' }); // nothing open: inactivated at once
    await requestOffboarding(ctx, c, { userId: leaver, requestId: 'i-1' });
    const done = await stateOf(ctx, leaver, (s) => s?.stage === 'inactivated');
    started.track(env.client.workflow.getHandle(batchWorkflowId(done.batchId!)));
    expect(await statusOf(leaver)).toBe('inactive');
    // Deactivated again while inactive (a provider reconciling): nothing to do, nobody queued.
    await requestOffboarding(ctx, c, { userId: leaver, requestId: 'i-2' });
    expect((await intakeState(c)).queued).toEqual([]);
    expect(await rescindOffboarding(ctx, c, { userId: leaver, requestId: 'i-3' })).toBe('reactivated');
    expect(await statusOf(leaver)).toBe('active');
    const reactivated = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'user.reactivated'), eq(auditLog.subjectUserId, leaver)));
    expect(reactivated.map((r) => r.actorId)).toEqual([c.adminUserId]);
    // Someone never offboarded: nothing to rescind.
    expect(await rescindOffboarding(ctx, c, { userId: await h.fx.user(), requestId: 'i-4' })).toBe('none');
  });
});
