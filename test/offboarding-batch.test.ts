// The batch workflow on the dev server with the real activities, PostgreSQL and SMTP: validation,
// children, removeUser, cancel, the same user in two batches, and continue-as-new with a small window.
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reactivateUser, recheck, removeFromBatch } from '../client/operations';
import { startBatchWorkflow } from '../client/start-batch';
import { auditLog, offboardings, users } from '../db/schema';
import {
  batchStatusQuery,
  cancelSignal,
  cancelBatchUpdate,
  closeItemUpdate,
  type OffboardingBatchInput,
  confirmReassignmentDoneUpdate,
  refreshPermissionsUpdate,
  reactivationWorkflowId,
  removeUserUpdate,
  userStatusQuery,
  userWorkflowId,
} from '../workflows/contract';
import { recordHistory } from './helpers/histories';
import { runChainStats } from './helpers/history-stats';
import { waitUntil } from './helpers/wait-until';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './helpers/temporal';
import {
  type Harness,
  mailsAbout,
  runWorkerInBackground,
  startHarness,
  startedWorkflows,
  waitForUserStatus,
} from './helpers/workflow-harness';
import { expectRefusal } from './helpers/refusals';
import { WAIT_MS } from './helpers/time-budget';

const WAIT = { timeout: WAIT_MS, interval: 100 };
let env: DevServerEnvironment;
let h: Harness;
let taskQueue: string;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  [env, h] = await Promise.all([sharedDevServerEnvironment(), startHarness()]);
  ({ taskQueue, stop: stopWorker } = await runWorkerInBackground(env, h.activities));
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
    await expectRefusal(handle.executeUpdate(removeUserUpdate, { args: [{ userId: busy, by: c.manager }] }), 'PERMISSION_DENIED');
    await expectRefusal(handle.executeUpdate(removeUserUpdate, { args: [{ userId: quiet, by: c.admin }] }), 'USER_ALREADY_INACTIVATED');
    await expectRefusal(handle.executeUpdate(removeUserUpdate, { args: [{ userId: 424_242, by: c.admin }] }), 'USER_NOT_IN_BATCH');
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
    expect(mailsAbout(h.sink, quiet, 'inactivated-digest')).toHaveLength(1);
  });

  it('refuses a requester who is not an admin, and offboards nobody', async () => {
    const c = await company();
    const { handle } = await startBatch({ userIds: [c.leavers[0]!], requestedBy: c.manager });
    await expectRefusal(handle.result(), 'PERMISSION_DENIED');
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

  // Issue 25, 'report-by-result': a child returns its final report in its result, which reaches only
  // the run that started it. A run about to continue as new asks its running children to signal.
  it('hears its people’s ends in their results, and the end of one that outlives a continue-as-new by signal', async () => {
    const c = await company();
    const waiting = c.leavers.slice(0, 2);
    for (const u of waiting) await h.fx.defect({ projectId: c.p, assignedToId: u });
    const through: number[] = [];
    for (let i = 0; i < 40; i++) through.push(await h.fx.user({ managerId: c.manager }));
    const { handle } = await startBatch({ userIds: [...waiting, ...through], requestedBy: c.admin, tuning: { window: 5, continueAsNewAtEvents: 200 } });
    // Everyone else goes through, in runs that continue as new while the two still wait.
    await waitUntil('the 40 to be inactivated', async () => (await h.t.db.select().from(users).where(and(inArray(users.id, through), eq(users.status, 'inactive')))).length === through.length, WAIT_MS, 200);
    const runs = await runChainStats(env.client, handle.workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThan(1);
    // The runs heard the two report that they wait, and the others' ends in their results; by signal
    // only the ends of those asked to signal before a continue-as-new (at most a window per run).
    let asked = 0;
    for (const r of runs.slice(0, -1)) {
      const history = await env.client.workflow.getHandle(handle.workflowId, r.runId).fetchHistory();
      asked += (history.events ?? []).filter((e) => e.externalWorkflowExecutionSignaledEventAttributes).length;
    }
    expect(asked).toBeGreaterThanOrEqual(waiting.length);
    expect(asked).toBeLessThanOrEqual(5 * (runs.length - 1));
    expect(runs.reduce((n, r) => n + r.signals, 0)).toBeLessThanOrEqual(waiting.length + asked);

    // Started by the first run, the two end after it: their reports reach the latest run by signal.
    for (const u of waiting) {
      const [item] = (await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment')).pendingItems;
      await env.client.workflow.getHandle(userWorkflowId(u)).executeUpdate(closeItemUpdate, { args: [{ itemKey: item!.key, by: c.manager }] });
    }
    const summary = await handle.result();
    expect([...summary.inactivated].sort((a, b) => a - b)).toEqual([...waiting, ...through].sort((a, b) => a - b));
    expect(summary.failed).toEqual([]);
    const open = await h.t.db.select().from(offboardings).where(and(inArray(offboardings.userId, [...waiting, ...through]), isNull(offboardings.endedAt)));
    expect(open).toEqual([]);
    await recordHistory(env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId), 'batch-report-by-result-first-run');
    await recordHistory(env.client.workflow.getHandle(userWorkflowId(waiting[0]!)), 'user-offboarding-report-by-signal');
  });
});

// Issue 16, item 1: an admin inactivated (or demoted) after starting a batch kept removing users from
// it and cancelling it, and the batch went on inactivating people in their name.
describe('permissions are checked against the database at the moment of each request', () => {
  /** Helen starts a batch of two waiting users (one open item each), then loses her rights. */
  async function helensBatch(loseRights: 'inactivated' | 'demoted') {
    const c = await company();
    const helen = await h.fx.admin({ name: 'Helen Park' });
    const [a, b] = c.leavers as [number, number];
    const items = [await h.fx.defect({ projectId: c.p, assignedToId: a }), await h.fx.defect({ projectId: c.p, assignedToId: b })];
    const batch = await startBatch({ userIds: [a, b], requestedBy: helen });
    for (const u of [a, b]) await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment');
    // The batch hears of its children's progress by signal: wait until its own rows say so too, or a
    // snapshot taken now could still show "validating".
    await waitUntil('the batch to see both users waiting', async () => (await batch.handle.query(batchStatusQuery)).users.every((u) => u.stage === 'awaiting-reassignment'), 20_000, 100);
    await h.t.db
      .update(users)
      .set(loseRights === 'inactivated' ? { status: 'inactive', inactivatedAt: new Date() } : { directoryPermission: 'standard' })
      .where(eq(users.id, helen));
    return { ...c, helen, a, b, items, ...batch };
  }

  /** What a refused request must leave as it was: the batch's rows, the claims, the audit log. */
  async function snapshot(handle: Awaited<ReturnType<typeof startBatch>>['handle'], userIds: number[]) {
    const s = await handle.query(batchStatusQuery);
    return {
      users: s.users.map((u) => [u.userId, u.stage]),
      claims: (await h.t.db.select().from(offboardings).where(isNull(offboardings.endedAt))).filter((o) => userIds.includes(o.userId)).length,
      audit: (await h.t.db.select().from(auditLog)).filter((r) => r.entityType !== 'notification' && userIds.includes(r.subjectUserId ?? 0)).length,
    };
  }

  it('refuses remove, cancel and "done" from an admin inactivated since the batch started, and changes nothing', async () => {
    const w = await helensBatch('inactivated');
    const before = await snapshot(w.handle, [w.a, w.b]);
    await expectRefusal(w.handle.executeUpdate(removeUserUpdate, { args: [{ userId: w.a, by: w.helen }] }), 'PERMISSION_DENIED');
    await expectRefusal(w.handle.executeUpdate(cancelBatchUpdate, { args: [{ by: w.helen }] }), 'PERMISSION_DENIED');
    const user = env.client.workflow.getHandle(userWorkflowId(w.a));
    await expectRefusal(user.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: w.helen }] }), 'PERMISSION_DENIED');
    // A cancel signal cannot be refused, but it is not honoured either.
    await w.handle.signal(cancelSignal, { by: w.helen });
    await sleep(1_000);
    expect(await snapshot(w.handle, [w.a, w.b])).toEqual(before);
    expect((await user.query(userStatusQuery)).stage).toBe('awaiting-reassignment');
    // The validator now knows from the database: later tries are refused before they touch history.
    await expectRefusal(w.handle.executeUpdate(cancelBatchUpdate, { args: [{ by: w.helen }] }), 'PERMISSION_DENIED');
    const accepted = (await w.handle.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(accepted).toHaveLength(1); // only the first request reached a handler; the database answered, the cache learnt
    // Another admin still can.
    await w.handle.executeUpdate(cancelBatchUpdate, { args: [{ by: w.admin }] });
    expect(await w.handle.result()).toMatchObject({ cancelled: [w.a, w.b].sort((x, y) => x - y) });
  });

  it('does not inactivate anyone in the name of a requester who is no longer an admin: the user stays active', async () => {
    const w = await helensBatch('demoted');
    // The manager hands over both items; the demoted requester may not inactivate anyone now.
    for (const [u, item] of [[w.a, w.items[0]], [w.b, w.items[1]]] as const) {
      await env.client.workflow.getHandle(userWorkflowId(u)).executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: w.manager }] });
      await h.t.db.execute(sql`update defect_items set status = 'closed' where id = ${item}`);
      await env.client.workflow.getHandle(userWorkflowId(u)).executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: w.manager }] });
    }
    const summary = await w.handle.result();
    expect(summary.inactivated).toEqual([]);
    expect(summary.failed.map((f) => f.userId).sort((x, y) => x - y)).toEqual([w.a, w.b].sort((x, y) => x - y));
    expect(summary.failed[0]?.reason).toMatch(/^PERMISSION_DENIED: Helen Park \(user \d+\), who requested this offboarding, is no longer a company directory admin/);
    const rows = await h.t.db.select().from(users).where(eq(users.managerId, w.manager));
    expect(rows.filter((r) => [w.a, w.b].includes(r.id)).map((r) => r.status)).toEqual(['active', 'active']);
    const open = await h.t.db.select().from(offboardings).where(isNull(offboardings.endedAt));
    expect(open.filter((o) => [w.a, w.b].includes(o.userId))).toEqual([]);
    // The summary goes to the admins (the requester can no longer act on it).
    await vi.waitFor(
      () => expect(h.sink.messages.some((m) => m.parsed.headers.get('x-offboarding-batch-id') === w.batchId && m.parsed.headers.get('x-offboarding-kind') === 'batch-summary')).toBe(true),
      WAIT,
    );
  });

  it('an admin appointed after the batch started is refused by the stale validator until the batch reloads its admins', async () => {
    const w = await helensBatch('inactivated');
    const newcomer = await h.fx.user({ name: 'Nia Newcomer' });
    await h.t.db.update(users).set({ directoryPermission: 'admin' }).where(eq(users.id, newcomer));
    await expectRefusal(w.handle.executeUpdate(removeUserUpdate, { args: [{ userId: w.a, by: newcomer }] }), 'PERMISSION_DENIED');
    await w.handle.executeUpdate(refreshPermissionsUpdate);
    const composition = await w.handle.executeUpdate(removeUserUpdate, { args: [{ userId: w.a, by: newcomer }] });
    expect(composition.removed).toEqual([w.a]);
    // The same for a user's new manager.
    const user = env.client.workflow.getHandle(userWorkflowId(w.b));
    const newManager = await h.fx.user({ name: 'Nick New-Manager' });
    await h.t.db.update(users).set({ managerId: newManager }).where(eq(users.id, w.b));
    await expectRefusal(user.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: newManager }] }), 'PERMISSION_DENIED');
    await user.executeUpdate(refreshPermissionsUpdate);
    expect(await user.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: newManager }] })).toHaveLength(1);
  });

  it('the shared operations ask the workflow to reload permissions when the database says yes', async () => {
    const w = await helensBatch('inactivated');
    const ops = { db: async () => h.t.db, temporal: async () => env.client, taskQueue };
    const newcomer = await h.fx.user({ name: 'Nia Newcomer' });
    await h.t.db.update(users).set({ directoryPermission: 'admin' }).where(eq(users.id, newcomer));
    const composition = await removeFromBatch(ops, newcomer, w.batchId, { id: w.a, name: 'A' });
    expect(composition.removed).toEqual([w.a]);
    const newManager = await h.fx.user({ name: 'Nick New-Manager' });
    await h.t.db.update(users).set({ managerId: newManager }).where(eq(users.id, w.b));
    expect(await recheck(ops, newManager, { id: w.b, name: 'B' })).toHaveLength(1);
    // Someone the database does not allow either is still refused, and nothing changes.
    await expectRefusal(removeFromBatch(ops, w.helen, w.batchId, { id: w.b, name: 'B' }), 'PERMISSION_DENIED');
    expect((await w.handle.query(batchStatusQuery)).users.find((u) => u.userId === w.b)?.stage).toBe('awaiting-reassignment');
  });
});

describe('reactivation through the shared operation', () => {
  it('answers once the user is active again, while the notice waits for a mail server that is down', async () => {
    // Failure test: every email attempt fails, as when the SMTP server is down for hours.
    const mailDown = await runWorkerInBackground(env, {
      ...h.activities,
      sendNotification: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:25 (mail server down)')),
    });
    const admin = await h.fx.admin({ name: 'Ada Admin' });
    const gone = { status: 'inactive' as const, inactivatedAt: new Date() };
    const back = await h.fx.user({ name: 'Bo Back', ...gone });
    const nobody = await h.fx.user({ name: 'Nia Nobody' });
    const ops = { db: async () => h.t.db, temporal: async () => env.client, taskQueue: mailDown.taskQueue };
    const subject = { id: back, name: 'Bo Back', status: 'inactive' as const };
    const handle = env.client.workflow.getHandle(reactivationWorkflowId(back, 'mail-down'));
    try {
      const startedAt = Date.now();
      const first = await reactivateUser(ops, admin, subject, 'rehired', { requestId: 'mail-down' });
      expect(first.userId).toBe(back);
      expect(Date.now() - startedAt).toBeLessThan(15_000);
      expect((await h.t.db.select().from(users).where(eq(users.id, back)))[0]?.status).toBe('active');
      // The workflow is still trying to send the notice; the person who clicked did not wait for it.
      expect((await handle.describe()).status.name).toBe('RUNNING');
      // The same request again (a double submit) joins the running one: one reactivation, one answer.
      expect(await reactivateUser(ops, admin, subject, 'rehired', { requestId: 'mail-down' })).toEqual(first);
      const audits = await h.t.db.select().from(auditLog).where(and(eq(auditLog.action, 'user.reactivated'), eq(auditLog.subjectUserId, back)));
      expect(audits).toHaveLength(1);

      // Someone who may not reactivate is refused as promptly, and nothing changes.
      await h.t.db.update(users).set(gone).where(eq(users.id, back));
      await expectRefusal(reactivateUser(ops, nobody, subject, 'let me back', { requestId: 'by-nobody' }), 'PERMISSION_DENIED');
      expect((await h.t.db.select().from(users).where(eq(users.id, back)))[0]?.status).toBe('inactive');
    } finally {
      await handle.terminate('test done').catch(() => undefined);
      await mailDown.stop();
    }
  });
});
