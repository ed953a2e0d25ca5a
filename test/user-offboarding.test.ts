// The per-user workflow on the time-skipping server with the real activities, PostgreSQL and SMTP:
// the timer paths (reminders, escalation, deadline, effective date) and the manager's updates.
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog, notificationOutbox, observations, offboardings, rfis, users } from '../db/schema';
import {
  closeItemUpdate,
  handOverAllUpdate,
  type HandOverAllRequest,
  reassignItemUpdate,
  reassignmentDoneSignal,
  confirmReassignmentDoneUpdate,
  reactivationWorkflowId,
  stopSignal,
  type UserOffboardingInput,
  userStatusQuery,
  userWorkflowId,
  refusalOf,
} from '../workflows/contract';
import { userOffboarding, userReactivation } from '../workflows';
import { recordHistory } from './helpers/histories';
import { localActivitiesRun } from './helpers/history-stats';
import { auditCount, mailsAbout, type Harness, policy, runWorkerInBackground, startHarness, waitForUserStatus } from './helpers/workflow-harness';
import { startTimeSkippingEnvironment } from './helpers/temporal';
import { WAIT_MS } from './helpers/time-budget';

const DAY = 24 * 60 * 60 * 1000;
const WAIT = { timeout: WAIT_MS, interval: 100 };
let env: TestWorkflowEnvironment;
let h: Harness;
let worker: Awaited<ReturnType<typeof runWorkerInBackground>> | undefined;

beforeAll(async () => {
  [env, h] = await Promise.all([startTimeSkippingEnvironment(), startHarness()]);
  // One worker for the file: each case's people, hence workflow IDs, are its own, and a worker costs
  // ~0.7 CPU-s and seconds of wall time to create (it loads the workflow bundle into a new V8 context).
  worker = await runWorkerInBackground(env, h.activities);
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await h?.close();
});

/** Runs `body` with the file's worker polling `taskQueue`. */
const withWorker = <T>(body: (taskQueue: string) => Promise<T>): Promise<T> => body(worker!.taskQueue);

/** A small company: an admin, a manager, the leaver, a colleague, an inactive user, two projects. */
async function company() {
  const { fx } = h;
  const admin = await fx.admin({ name: 'Ada Admin' });
  const manager = await fx.user({ name: 'Max Manager' });
  const leaver = await fx.user({ name: 'Lee Leaver', managerId: manager, isEmployee: false });
  const colleague = await fx.user({ name: 'Col League' });
  const inactive = await fx.user({ name: 'Ina Active' });
  await h.t.db.update(users).set({ status: 'inactive', inactivatedAt: new Date() }).where(eq(users.id, inactive));
  const p1 = await fx.project('Tower A');
  const p2 = await fx.project('Garage B');
  for (const u of [manager, leaver, colleague, inactive]) await fx.member(p1, u);
  await fx.member(p2, leaver);
  return { admin, manager, leaver, colleague, inactive, p1, p2 };
}

function input(c: { admin: number; leaver: number }, extra: Partial<UserOffboardingInput> = {}): UserOffboardingInput {
  return { userId: c.leaver, requestedBy: c.admin, batchId: null, reason: 'left the company', effectiveAt: null, successorId: null, policy: policy(), ...extra };
}

const started: WorkflowHandle[] = [];
async function start(taskQueue: string, i: UserOffboardingInput) {
  const handle = await env.client.workflow.start(userOffboarding, { taskQueue, workflowId: userWorkflowId(i.userId), args: [i] });
  started.push(handle);
  return handle;
}
// A workflow left behind by a failed test would hold pending activities and stop time skipping for
// the tests after it.
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((handle) => handle.terminate('test ended')));
});

/** The user's 'user.inactivated' audit rows. */
const inactivationAudits = async (userId: number): Promise<number> =>
  (await h.t.db.select({ id: auditLog.id }).from(auditLog).where(and(eq(auditLog.subjectUserId, userId), eq(auditLog.action, 'user.inactivated')))).length;

/** The refusal code of a failed update (validators and activities refuse the same way). */
const refusalCode = (err: unknown): string | undefined => (err instanceof WorkflowUpdateFailedError ? refusalOf(err)?.code : undefined);

describe('userOffboarding', () => {
  it('inactivates a user with nothing open and tells the manager and the requester', async () => {
    const c = await company();
    const handle = await withWorker((taskQueue) => start(taskQueue, input(c)));
    const result = await handle.result();
    expect(result.outcome).toBe('inactivated');
    const [u] = await h.t.db.select().from(users).where(eq(users.id, c.leaver));
    expect(u?.status).toBe('inactive');
    expect(u?.inactivationWorkflowId).toBe(userWorkflowId(c.leaver));
    expect(result.inactivatedAt).toBe(u?.inactivatedAt?.toISOString());
    const msgs = await h.sink.waitFor(1);
    const confirmation = msgs.find((m) => m.parsed.headers.get('x-offboarding-kind') === 'inactivated');
    expect(confirmation).toBeDefined();
    h.sink.clear();
    // 'complete-when-clear' (issue 25): begin found nothing open and inactivated in its own
    // transaction: one local step, the claim ended with the inactivation, one audit row.
    const history = await handle.fetchHistory();
    expect(localActivitiesRun(history)).toBe(1);
    const claims = await h.t.db.select({ outcome: offboardings.outcome, endedAt: offboardings.endedAt }).from(offboardings).where(eq(offboardings.userId, c.leaver));
    expect(claims).toEqual([{ outcome: 'inactivated', endedAt: expect.any(Date) }]);
    expect(await inactivationAudits(c.leaver)).toBe(1);
    await recordHistory(handle, 'user-offboarding-nothing-open');
  });

  it('with nothing open, takes the usual way when begin cannot inactivate: the requester is no admin any more', async () => {
    const c = await company();
    await h.t.db.update(users).set({ directoryPermission: 'standard' }).where(eq(users.id, c.admin));
    const handle = await withWorker((taskQueue) => start(taskQueue, input(c)));
    const result = await handle.result();
    // The begin's refusal wrote nothing and left the claim taken; the completion refused the same, and the claim ended 'failed'.
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^PERMISSION_DENIED: /) });
    const [u] = await h.t.db.select().from(users).where(eq(users.id, c.leaver));
    expect(u?.status).toBe('active');
    const claims = await h.t.db.select({ outcome: offboardings.outcome }).from(offboardings).where(eq(offboardings.userId, c.leaver));
    expect(claims).toEqual([{ outcome: 'failed' }]);
    expect(await inactivationAudits(c.leaver)).toBe(0);
    expect(localActivitiesRun(await handle.fetchHistory())).toBe(3); // begin, complete (refused), the end of the claim
  });

  it('keeps trying an email the SMTP server refuses, shows the failure in the status, and never holds the inactivation', async () => {
    const c = await company();
    h.sink.refuseNext(3); // one whole delivery round of the confirmation fails
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      const failing = await waitForUserStatus(env.client, c.leaver, (s) => s.emailFailures === 1, 60_000);
      expect(failing).toMatchObject({ stage: 'inactivated', emailsPending: 1 });
      const [u] = await h.t.db.select().from(users).where(eq(users.id, c.leaver));
      expect(u?.status).toBe('inactive'); // the inactivation did not wait for the email
      expect((await handle.result()).outcome).toBe('inactivated'); // the next round (10 min later) delivers
      expect(await handle.query(userStatusQuery)).toMatchObject({ emailFailures: 1, emailsPending: 0 });
    });
    expect(mailsAbout(h.sink, c.leaver, 'inactivated')).toHaveLength(1);
    const [row] = await h.t.db
      .select()
      .from(notificationOutbox)
      .where(and(eq(notificationOutbox.kind, 'inactivated'), eq(notificationOutbox.workflowId, userWorkflowId(c.leaver))));
    expect(row?.status).toBe('sent');
    expect(row?.attemptLog.map((a) => a.ok)).toEqual([false, false, false, true]);
    h.sink.clear();
  });

  it('reminds after 2 days, escalates after 7, and inactivates once the manager closes the item', async () => {
    const c = await company();
    const rfi = await h.fx.rfi({ projectId: c.p1, assignees: [c.leaver] });
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      await h.sink.waitFor(1); // the first notice
      await env.sleep(2 * DAY + 60_000);
      let s = await handle.query(userStatusQuery);
      expect(s.remindersSent).toBe(1);
      expect(s.escalated).toBe(false);
      await env.sleep(5 * DAY);
      s = await handle.query(userStatusQuery);
      expect(s.remindersSent).toBe(3);
      expect(s.escalated).toBe(true);
      const kinds = (await h.sink.waitFor(5)).map((m) => m.parsed.headers.get('x-offboarding-kind'));
      expect(kinds.filter((k) => k === 'reminder')).toHaveLength(3);
      expect(kinds).toContain('escalation');

      const left = await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: `rfi:${rfi}:assignee`, by: c.manager, note: 'answered' }] });
      expect(left).toEqual([]);
      const result = await handle.result();
      expect(result.outcome).toBe('inactivated');
      expect(result.resolutions).toMatchObject([{ itemKey: `rfi:${rfi}:assignee`, action: 'closed', byUserId: c.manager }]);
      await recordHistory(handle, 'user-offboarding-reminders-escalation');
    });
    const [r] = await h.t.db.select().from(rfis).where(eq(rfis.id, rfi));
    expect(r?.status).toBe('closed');
    h.sink.clear();
  });

  it('refuses a bad reassignment, stays waiting with the item untouched, then accepts a good one', async () => {
    const c = await company();
    const obs = await h.fx.observation({ projectId: c.p1, assigneeId: c.leaver });
    const key = `observation:${obs}:assignee`;
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      const audits = await auditCount(h.t);
      const settle = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);
      const attempts: [string, Promise<unknown>][] = [
        ['TARGET_INACTIVE', handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: key, toUserId: c.inactive, by: c.manager }] })],
        ['PERMISSION_DENIED', handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: key, toUserId: c.colleague, by: c.colleague }] })],
        ['TARGET_SAME_USER', handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: key, toUserId: c.leaver, by: c.manager }] })],
        ['ITEM_KEY_MALFORMED', handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: "rfi:1;drop table users", toUserId: c.colleague, by: c.manager }] })],
        ['ITEM_NOT_PENDING', handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: 'rfi:999999:assignee', by: c.manager }] })],
        ['NOTE_TOO_LONG', handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: key, by: c.manager, note: 'x'.repeat(5000) }] })],
      ];
      for (const [code, p] of attempts.map(([c, p]) => [c, settle(p)] as const)) {
        const err = await p;
        expect(refusalCode(err), code).toBe(code);
      }
      const s = await handle.query(userStatusQuery);
      expect(s.stage).toBe('awaiting-reassignment');
      expect(s.pendingItems.map((i) => i.key)).toEqual([key]);
      const [o] = await h.t.db.select().from(observations).where(eq(observations.id, obs));
      expect(o?.assigneeId).toBe(c.leaver);
      expect(await auditCount(h.t)).toBe(audits);
      // Validators reject before anything is written: no update events for the refused ones but the inactive target
      const history = await handle.fetchHistory();
      const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
      expect(accepted).toHaveLength(1); // only TARGET_INACTIVE passed validation (the database refused it)

      const left = await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: key, toUserId: c.colleague, by: c.admin }] });
      expect(left).toEqual([]);
      expect((await handle.result()).outcome).toBe('inactivated');
      await recordHistory(handle, 'user-offboarding-refused-then-reassigned');
    });
    const [o] = await h.t.db.select().from(observations).where(eq(observations.id, obs));
    expect(o?.assigneeId).toBe(c.colleague);
    h.sink.clear();
  });

  it('hands everything a person may take over in one update: bad requests are refused before the history, a repeated one moves each item once', async () => {
    const c = await company();
    const obs = await h.fx.observation({ projectId: c.p1, assigneeId: c.leaver });
    const defect = await h.fx.defect({ projectId: c.p1, assignedToId: c.leaver });
    const onP2 = await h.fx.observation({ projectId: c.p2, assigneeId: c.leaver }); // the colleague is not on p2
    const keys = [`observation:${obs}:assignee`, `defect:${defect}:assigned-to`]; // in the scan's order
    const other = `observation:${onP2}:assignee`;
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      const audits = await auditCount(h.t);
      const accepted = async () => ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      const reassigned = async () => (await h.t.db.select().from(auditLog).where(and(eq(auditLog.subjectUserId, c.leaver), eq(auditLog.action, 'item.reassigned')))).length;

      // README row 144: each refused by the validator; nothing reaches the history or the database.
      const bad: [string, HandOverAllRequest][] = [
        ['TARGET_SAME_USER', { toUserId: c.leaver, by: c.manager }],
        ['INVALID_INPUT', { toUserId: 0, by: c.manager }],
        ['PERMISSION_DENIED', { toUserId: c.colleague, by: c.colleague }],
        ['ITEM_KEY_MALFORMED', { toUserId: c.colleague, by: c.manager, itemKeys: ['rfi:1;drop table users'] }],
        ['INVALID_INPUT', { toUserId: c.colleague, by: c.manager, itemKeys: [] }],
      ];
      for (const [code, req] of bad) {
        const err = await handle.executeUpdate(handOverAllUpdate, { args: [req] }).then(() => undefined, (e: unknown) => e);
        expect(refusalCode(err), code).toBe(code);
      }
      expect(await accepted()).toBe(0);
      expect(await auditCount(h.t)).toBe(audits);
      expect((await handle.query(userStatusQuery)).pendingItems.map((i) => i.key).sort()).toEqual([...keys, other].sort());

      // The same request twice at once (a double submit: one update ID), then once more: one hand-over.
      const req: HandOverAllRequest = { toUserId: c.colleague, by: c.manager, itemKeys: [...keys, other] };
      const [a, b] = await Promise.all([1, 2].map(() => handle.executeUpdate(handOverAllUpdate, { args: [req], updateId: 'hand-over-all-once' })));
      expect(b).toEqual(a);
      expect(a!.took.map((r) => [r.itemKey, r.toUserId, r.byUserId])).toEqual(keys.map((k) => [k, c.colleague, c.manager]));
      expect(a!.notTaken).toMatchObject([{ item: { key: other }, code: 'TARGET_NOT_PROJECT_MEMBER' }]);
      expect(a).toMatchObject({ notPending: [], pendingItems: [{ key: other }] });
      expect(await handle.executeUpdate(handOverAllUpdate, { args: [req], updateId: 'hand-over-all-once' })).toEqual(a);
      expect(await reassigned()).toBe(2);
      expect(await accepted()).toBe(1);
      // Another request for the same items finds them gone: nothing moves again.
      const later = await handle.executeUpdate(handOverAllUpdate, { args: [{ ...req, itemKeys: keys }] });
      expect(later).toMatchObject({ took: [], notTaken: [], notPending: keys, pendingItems: [{ key: other }] });
      expect(await reassigned()).toBe(2);
      const [o] = await h.t.db.select().from(observations).where(eq(observations.id, obs));
      expect(o?.assigneeId).toBe(c.colleague);

      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: other, by: c.manager }] });
      expect((await handle.result()).outcome).toBe('inactivated');
      await recordHistory(handle, 'user-offboarding-hand-over-all');
    });
    h.sink.clear();
  });

  it('goes back to waiting when a new item is assigned mid-wait, and tells the manager', async () => {
    const c = await company();
    const first = await h.fx.defect({ projectId: c.p1, assignedToId: c.leaver });
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      const later = await h.fx.defect({ projectId: c.p1, assignedToId: c.leaver });
      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: `defect:${first}:assigned-to`, by: c.manager }] });
      const s = await waitForUserStatus(env.client, c.leaver, (st) => st.pendingItems.some((i) => i.key === `defect:${later}:assigned-to`));
      expect(s.stage).toBe('awaiting-reassignment');
      await vi.waitFor(() => expect(mailsAbout(h.sink, c.leaver, 'items-assigned')).toHaveLength(2), WAIT);
      // The manager handled it in the tool directly, then says "done": the workflow re-checks.
      await h.activities.closeItem({ requestId: 'in-tool-close', itemKey: `defect:${later}:assigned-to`, userId: c.leaver, actorId: c.manager, workflowId: 'tool', note: null });
      await handle.signal(reassignmentDoneSignal, { by: c.manager });
      expect((await handle.result()).outcome).toBe('inactivated');
      await recordHistory(handle, 'user-offboarding-new-items-done-signal');
    });
    h.sink.clear();
  });

  it('answers "done" with what is still open', async () => {
    const c = await company();
    const item = await h.fx.meetingItem({ projectId: c.p1, assignees: [c.leaver] });
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      const still = await handle.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: c.manager }] });
      expect(still.map((i) => i.key)).toEqual([`meeting-item:${item}:assignee`]);
      await h.activities.closeItem({ requestId: 'mi-close', itemKey: `meeting-item:${item}:assignee`, userId: c.leaver, actorId: c.manager, workflowId: 'tool', note: null });
      expect(await handle.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: c.manager }] })).toEqual([]);
      expect((await handle.result()).outcome).toBe('inactivated');
    });
    h.sink.clear();
  });

  it('hands items to the successor where eligible and leaves the rest for the manager', async () => {
    const c = await company();
    const inP1 = await h.fx.observation({ projectId: c.p1, assigneeId: c.leaver });
    const inP2 = await h.fx.observation({ projectId: c.p2, assigneeId: c.leaver }); // colleague is not in p2
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c, { successorId: c.colleague }));
      const s = await waitForUserStatus(env.client, c.leaver, (st) => st.stage === 'awaiting-reassignment');
      expect(s.pendingItems.map((i) => i.key)).toEqual([`observation:${inP2}:assignee`]);
      expect(s.resolutions).toMatchObject([{ itemKey: `observation:${inP1}:assignee`, action: 'reassigned', toUserId: c.colleague }]);
      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: `observation:${inP2}:assignee`, by: c.manager }] });
      expect((await handle.result()).outcome).toBe('inactivated');
      await recordHistory(handle, 'user-offboarding-successor');
    });
    h.sink.clear();
  });

  it('at the deadline hands the items to the manager when the policy says so', async () => {
    const c = await company();
    const rfi = await h.fx.rfi({ projectId: c.p1, managerId: c.leaver });
    const result = await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c, { policy: policy({ deadlineMs: 3 * DAY, deadlineAction: 'reassign-to-manager' }) }));
      const r = await handle.result(); // the time-skipping server jumps to the deadline
      await recordHistory(handle, 'user-offboarding-deadline');
      return r;
    });
    expect(result.outcome).toBe('inactivated');
    expect(result.resolutions).toMatchObject([{ itemKey: `rfi:${rfi}:manager`, action: 'reassigned', toUserId: c.manager }]);
    const [r] = await h.t.db.select().from(rfis).where(eq(rfis.id, rfi));
    expect(r?.managerId).toBe(c.manager);
    h.sink.clear();
  });

  it('waits for an effective date two weeks away, durably, then inactivates', async () => {
    const c = await company();
    const effectiveAt = new Date((await env.currentTimeMs()) + 14 * DAY).toISOString();
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c, { effectiveAt }));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'waiting-effective-date');
      const [before] = await h.t.db.select().from(users).where(eq(users.id, c.leaver));
      expect(before?.status).toBe('active');
      await env.sleep(13 * DAY);
      expect((await handle.query(userStatusQuery)).stage).toBe('waiting-effective-date');
      const result = await handle.result();
      expect(result.outcome).toBe('inactivated');
      expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(Date.parse(effectiveAt));
      await recordHistory(handle, 'user-offboarding-effective-date');
    });
    h.sink.clear();
  });
});

// Issue 16, items 15–17: whoever receives items is told, the manager hears what the successor took,
// and a manager asked to act hears when that is no longer needed.
describe('telling the people concerned', () => {
  const emailOf = async (id: number) => (await h.t.db.select().from(users).where(eq(users.id, id)))[0]?.email;
  const to = (m: { envelope: { to: string[] } }) => m.envelope.to;

  it('tells the successor once what they took, and the manager what they took and could not take, and why', async () => {
    const c = await company();
    await h.t.db.update(users).set({ isEmployee: true }).where(eq(users.id, c.leaver));
    await h.fx.timecard({ projectId: c.p1, userId: c.leaver, workDate: '2026-11-02' });
    const inP1 = await h.fx.observation({ projectId: c.p1, assigneeId: c.leaver });
    const defectP1 = await h.fx.defect({ projectId: c.p1, assignedToId: c.leaver });
    const inP2 = await h.fx.observation({ projectId: c.p2, assigneeId: c.leaver }); // the colleague is not in Garage B
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c, { successorId: c.colleague }));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      const received = await vi.waitFor(() => {
        const m = mailsAbout(h.sink, c.leaver, 'items-received');
        expect(m).toHaveLength(1);
        return m[0]!;
      }, WAIT);
      expect(to(received)).toEqual([await emailOf(c.colleague)]);
      expect(received.parsed.subject).toBe('You now own 2 items from Lee Leaver, who is leaving');
      // In words, without item keys (issue 21, item 11).
      expect(received.parsed.text).toContain('  - Observation: Observation ');
      expect(received.parsed.text).toContain('  - Punch item: Defect ');
      for (const key of [`observation:${inP1}:assignee`, `defect:${defectP1}:assigned-to`]) expect(received.parsed.text).not.toContain(key);
      expect(received.parsed.text).toContain('(Tower A) — handed over by Ada Admin on ');

      const [notice] = await vi.waitFor(() => {
        const m = mailsAbout(h.sink, c.leaver, 'items-assigned');
        expect(m).toHaveLength(1);
        return m;
      }, WAIT);
      const text = notice!.parsed.text ?? '';
      expect(text).toContain('Col League, the successor, already took over 2 items:');
      expect(text).toContain('Col League could not take 2 items, listed below with the rest:');
      expect(text).toMatch(/ {2}- O-\d+ Observation \d+: Col League is not a member of Garage B\n/);
      expect(text).toContain('  - The final timecard entry: a final timecard entry is recorded, not handed over');
      expect(text).not.toContain(`observation:${inP2}:assignee`);
      expect(notice!.parsed.html).toContain('Col League is not a member of Garage B');

      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: `observation:${inP2}:assignee`, by: c.manager }] });
      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: `timecard:${c.leaver}:employee`, by: c.manager }] });
      expect((await handle.result()).outcome).toBe('inactivated');
      await recordHistory(handle, 'user-offboarding-successor-told');
    });
    expect(mailsAbout(h.sink, c.leaver, 'items-received')).toHaveLength(1);
    h.sink.clear();
  });

  it('groups a manager’s hand-overs to one person into one message, sent once they pause', async () => {
    const c = await company();
    const d1 = await h.fx.defect({ projectId: c.p1, assignedToId: c.leaver });
    const d2 = await h.fx.defect({ projectId: c.p1, assignedToId: c.leaver });
    const d3 = await h.fx.defect({ projectId: c.p1, assignedToId: c.leaver });
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      for (const d of [d1, d2]) {
        await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: `defect:${d}:assigned-to`, toUserId: c.colleague, by: c.manager }] });
        await env.sleep(5 * 60_000);
      }
      expect(mailsAbout(h.sink, c.leaver, 'items-received')).toHaveLength(0); // still within a quarter of an hour
      await env.sleep(16 * 60_000);
      const [first] = await vi.waitFor(() => {
        const m = mailsAbout(h.sink, c.leaver, 'items-received');
        expect(m).toHaveLength(1);
        return m;
      }, WAIT);
      expect(to(first!)).toEqual([await emailOf(c.colleague)]);
      expect(first!.parsed.subject).toBe('You now own 2 items from Lee Leaver, who is leaving');
      expect(first!.parsed.text?.match(/ {2}- Punch item: Defect \d+ /g)).toHaveLength(2);
      expect(first!.parsed.text).toContain('handed over by Max Manager');
      // The last one goes out with the end of the offboarding, without waiting.
      await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: `defect:${d3}:assigned-to`, toUserId: c.colleague, by: c.manager }] });
      expect((await handle.result()).outcome).toBe('inactivated');
      await recordHistory(handle, 'user-offboarding-receipts-grouped');
    });
    await vi.waitFor(() => expect(mailsAbout(h.sink, c.leaver, 'items-received')).toHaveLength(2), WAIT);
    expect(mailsAbout(h.sink, c.leaver, 'items-received')[1]!.parsed.subject).toBe('You now own 1 item from Lee Leaver, who is leaving');
    h.sink.clear();
  });

  it('tells the manager once, when asked to act, that the offboarding was stopped; nobody when they were never asked', async () => {
    const c = await company();
    const obs = await h.fx.observation({ projectId: c.p1, assigneeId: c.leaver });
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c, { batchId: 'b-stop' }));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      await handle.signal(stopSignal, { kind: 'removed', by: c.admin });
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'removed', itemsLeftOpen: [{ key: `observation:${obs}:assignee` }] });
      await recordHistory(handle, 'user-offboarding-stopped-told');
    });
    const stopped = await vi.waitFor(() => {
      const m = mailsAbout(h.sink, c.leaver, 'offboarding-stopped');
      expect(m).toHaveLength(1);
      return m[0]!;
    }, WAIT);
    expect(to(stopped)).toEqual([await emailOf(c.manager)]);
    expect(stopped.parsed.subject).toBe('No longer needed: the offboarding of Lee Leaver was taken out of its batch');
    expect(stopped.parsed.text).toContain('by Ada Admin');
    expect(stopped.parsed.text).toContain('Lee Leaver stays active, and nothing more is needed from you for it.');
    expect(stopped.parsed.text).toContain('The 1 item still open when it stopped stays with Lee Leaver, as they are.');
    const [u] = await h.t.db.select().from(users).where(eq(users.id, c.leaver));
    expect(u?.status).toBe('active');

    // Waiting only for an effective date, the manager was never asked: no message.
    const quiet = await company();
    const effectiveAt = new Date((await env.currentTimeMs()) + 3 * DAY).toISOString();
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(quiet, { effectiveAt }));
      await waitForUserStatus(env.client, quiet.leaver, (s) => s.stage === 'waiting-effective-date');
      await handle.signal(stopSignal, { kind: 'cancelled', by: quiet.admin });
      expect((await handle.result()).outcome).toBe('cancelled');
    });
    await sleep(500);
    expect(mailsAbout(h.sink, quiet.leaver, 'offboarding-stopped')).toHaveLength(0);
    h.sink.clear();
  });
});

// Issue 17: what the Web UI shows as a user's current details, read through the API (the SDK's
// metadata query, which the Web UI calls too); test/web-ui.test.ts looks at the same in a browser.
describe('current details', () => {
  const currentDetails = async (handle: WorkflowHandle): Promise<string> =>
    (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';

  it('say what is open, what comes next and who may act, and follow each change', async () => {
    const c = await company();
    const keys = [
      `rfi:${await h.fx.rfi({ projectId: c.p1, managerId: c.leaver })}:manager`,
      `observation:${await h.fx.observation({ projectId: c.p1, assigneeId: c.leaver })}:assignee`,
      `defect:${await h.fx.defect({ projectId: c.p2, assignedToId: c.leaver })}:assigned-to`,
    ];
    await withWorker(async (taskQueue) => {
      const handle = await start(taskQueue, input(c));
      const s = await waitForUserStatus(env.client, c.leaver, (st) => st.stage === 'awaiting-reassignment');
      let md = await currentDetails(handle);
      expect(md.split('\n')[0]).toBe('### Awaiting reassignment: 3 open items');
      for (const key of keys) expect(md).toContain(`| \`${key}\` |`);
      const since = Date.parse(s.waitingSince ?? '');
      const at = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      expect(md).toContain(`**Next:** reminder 1 on ${at(since + 2 * DAY)} · escalation after 7 d on ${at(since + 7 * DAY)}`);
      expect(md).toContain(`**Who may act:** the manager, user ${c.manager}, and the directory admins.`);
      expect(md).toContain('**Resolved:** nothing yet.');
      // User IDs only: none of the names or emails the directory holds.
      for (const secret of ['Lee Leaver', 'Max Manager', 'Ada Admin', '@']) expect(md).not.toContain(secret);

      await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: keys[1]!, toUserId: c.colleague, by: c.manager }] });
      md = await currentDetails(handle);
      expect(md.split('\n')[0]).toBe('### Awaiting reassignment: 2 open items');
      expect(md).not.toContain(keys[1]);
      expect(md).toContain(`**Resolved: 1** — 1 reassigned (to user ${c.colleague}: 1).`);

      await env.sleep(2 * DAY + 60_000);
      md = await currentDetails(handle);
      expect(md).toContain(`**Next:** reminder 2 on ${at(since + 4 * DAY)}`);
      expect(md).toContain('· 1 reminder sent · not escalated');

      for (const key of [keys[0]!, keys[2]!]) await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: key, by: c.manager }] });
      const result = await handle.result();
      md = await currentDetails(handle);
      expect(md.split('\n')[0]).toBe(`### Inactivated on ${at(Date.parse(result.inactivatedAt ?? ''))}`);
      expect(md).toContain('**Resolved: 3** — 1 reassigned, 2 closed');
    });
    h.sink.clear();
  });
});

describe('userReactivation', () => {
  it('lets an admin reactivate an inactivated user, and refuses anyone else', async () => {
    const c = await company();
    await withWorker(async (taskQueue) => {
      await (await start(taskQueue, input(c))).result();
      const refused = env.client.workflow.execute(userReactivation, {
        taskQueue,
        workflowId: reactivationWorkflowId(c.leaver, 'by-manager'),
        args: [{ userId: c.leaver, by: c.manager, reason: 'back', requestId: 'by-manager' }],
      });
      const err = await refused.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause?.cause;
      expect(cause instanceof ApplicationFailure ? cause.type : undefined).toBe('PERMISSION_DENIED');
      const [still] = await h.t.db.select().from(users).where(eq(users.id, c.leaver));
      expect(still?.status).toBe('inactive');

      const handle = await env.client.workflow.start(userReactivation, {
        taskQueue,
        workflowId: reactivationWorkflowId(c.leaver, 'by-admin'),
        args: [{ userId: c.leaver, by: c.admin, reason: 'rehired', requestId: 'by-admin' }],
      });
      const result = await handle.result();
      expect(result.userId).toBe(c.leaver);
      await recordHistory(handle, 'reactivation');
    });
    const [u] = await h.t.db.select().from(users).where(eq(users.id, c.leaver));
    expect(u?.status).toBe('active');
    await vi.waitFor(() => expect(mailsAbout(h.sink, c.leaver, 'reactivated')).toHaveLength(1), WAIT);
    h.sink.clear();
  });
});
