// The workflows on the time-skipping server with the in-memory activities: timing, ordering and
// message handling, which need no database. Every notification is stamped with the workflow clock
// when it was scheduled, so these cases check *when* things happen (to the minute, after days of
// skipped time), which the PostgreSQL/SMTP tests in user-offboarding.test.ts and
// offboarding-batch.test.ts cannot. What the database decides stays tested there.
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import { userOffboarding } from '../workflows';
import {
  type BatchStatus,
  batchStatusQuery,
  cancelSignal,
  cancelBatchUpdate,
  closeItemUpdate,
  reassignItemUpdate,
  reassignmentDoneSignal,
  confirmReassignmentDoneUpdate,
  refreshPermissionsUpdate,
  removeUserUpdate,
  stopSignal,
  type UserOffboardingInput,
  type UserProgress,
  userProgressSignal,
  userStatusQuery,
  userWorkflowId,
} from '../workflows/contract';
import { RECEIPTS_QUIET_MS } from '../workflows/user-offboarding';
import { BATCH_WINDOW, CONTINUE_AS_NEW_AT_EVENTS } from '../workflows/offboarding-batch';
import {
  BURST_EVENTS_PER_CHILD,
  BURST_EVENTS_PER_CHILD_BY_RESULT,
  MAX_WINDOW,
  maxContinueAsNewAt,
  MIN_CONTINUE_AS_NEW_AT,
  reportByResultFits,
  RUN_EVENT_BUDGET,
  RUN_EVENT_LIMIT,
} from '../workflows/offboarding-batch/run-cap';
import {
  type ActivityName,
  describeNotification,
  InMemoryDirectory,
  inMemoryActivities,
  type SentNotification,
} from './helpers/in-memory-activities';
import { runChainStats } from './helpers/history-stats';
import { startTimeSkippingEnvironment } from './helpers/temporal';
import { expectRefusal } from './helpers/refusals';
import type { OffboardingActivities } from '../activities';
import { policy, runWorkerInBackground, settle, startedWorkflows, waitForUserStatus } from './helpers/workflow-harness';
import { budget, WAIT_MS } from './helpers/time-budget';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/**
 * How late a timed notice may be scheduled: the timer fires on time, then the worker's workflow task
 * takes real time (the server's clock runs on while it does). A bug would be hours or days off.
 */
const SLACK = 10_000;
const WAIT = { timeout: WAIT_MS, interval: 50 };
const P1 = 1;
const P2 = 2;

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runWorkerInBackground>> | undefined;
beforeAll(async () => {
  env = await startTimeSkippingEnvironment();
  // One worker for the file (creating one costs ~0.7 CPU-s and seconds: the workflow bundle loaded into
  // a new V8 context), its activities routed to the directory of the case whose workflow calls them.
  worker = await runWorkerInBackground(env, routedActivities());
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
});

// A workflow left running by a failing case would keep timers (and time skipping) busy for the next.
const started = startedWorkflows();
afterEach(() => started.terminateAll());

// One server for the file: each case's users get their own IDs, hence their own workflow IDs.
let block = 0;
/** User IDs per case: room for the largest case (1,000 people and its company of five). */
const BLOCK_SIZE = 10_000;
/** Each case's in-memory activities, by its block: its user IDs are BLOCK_SIZE × block + n, its batch IDs end in the block. */
const activitiesByBlock = new Map<number, OffboardingActivities>();
const blockOfDirectory = new Map<InMemoryDirectory, number>();
function company() {
  const dir = new InMemoryDirectory({ firstUserId: BLOCK_SIZE * ++block, serverClock: () => env.currentTimeMs() });
  activitiesByBlock.set(block, inMemoryActivities(dir));
  blockOfDirectory.set(dir, block);
  const admin = dir.addUser({ name: 'Ada Admin', admin: true });
  const manager = dir.addUser({ name: 'Max Manager', projectIds: [P1] });
  const leaver = dir.addUser({ name: 'Lee Leaver', managerId: manager, projectIds: [P1, P2] });
  const colleague = dir.addUser({ name: 'Col League', projectIds: [P1] });
  const other = dir.addUser({ name: 'Oth Er', projectIds: [P1] });
  return { dir, admin, manager, leaver, colleague, other };
}
type Company = ReturnType<typeof company>;

function input(c: Company, extra: Partial<UserOffboardingInput> = {}): UserOffboardingInput {
  return { userId: c.leaver, requestedBy: c.admin, batchId: null, reason: 'left', effectiveAt: null, successorId: null, policy: policy(), ...extra };
}

/** The block of the case a workflow belongs to, from its ID (a person's, a reactivation's, or a batch's). */
function blockOf(workflowId: string): number {
  const person = /^(?:offboarding|reactivation)-user-(\d+)/.exec(workflowId);
  if (person) return Math.floor(Number(person[1]) / BLOCK_SIZE);
  const batch = /^offboarding-batch-mem-(?:[a-z]+-)*(\d+)$/.exec(workflowId);
  if (batch) return Number(batch[1]);
  throw new Error(`no case's directory for workflow ${workflowId}`);
}

/** Every activity, calling that of the case whose workflow runs it (cases never share a directory). */
function routedActivities(): OffboardingActivities {
  const names = Object.keys(inMemoryActivities(new InMemoryDirectory({ firstUserId: 1 }))) as (keyof OffboardingActivities)[];
  const route = (name: keyof OffboardingActivities) => (...args: unknown[]): unknown => {
    const workflowId = Context.current().info.workflowExecution?.workflowId ?? '(none)';
    const activities = activitiesByBlock.get(blockOf(workflowId));
    if (!activities) throw new Error(`no case's directory for workflow ${workflowId}`);
    return (activities[name] as (...a: unknown[]) => unknown)(...args);
  };
  return Object.fromEntries(names.map((name) => [name, route(name)])) as unknown as OffboardingActivities;
}

/** Runs `body` with the file's worker, whose activities for this case work on `dir`. */
async function withWorker<T>(dir: InMemoryDirectory, body: (taskQueue: string) => Promise<T>): Promise<T> {
  if (!blockOfDirectory.has(dir)) throw new Error('a directory made outside company(): the worker cannot route to it');
  return body(worker!.taskQueue);
}

async function startUser(taskQueue: string, i: UserOffboardingInput) {
  return started.track(await env.client.workflow.start(userOffboarding, { taskQueue, workflowId: userWorkflowId(i.userId), args: [i] }));
}

async function startBatch(taskQueue: string, c: Company, userIds: number[]) {
  const handle = await startBatchWorkflow(env.client, taskQueue, {
    batchId: `mem-${block}`,
    userIds,
    requestedBy: c.admin,
    reason: 'restructuring',
    effectiveAt: null,
    successors: {},
    policy: {},
  });
  for (const u of userIds) started.track(env.client.workflow.getHandle(userWorkflowId(u)));
  return started.track(handle);
}

/** Moves the test server's clock to `at` (ms), firing every timer due on the way. */
async function sleepUntil(at: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (at > now) await env.sleep(at - now);
}

const waitingSinceMs = async (userId: number): Promise<number> =>
  Date.parse((await waitForUserStatus(env.client, userId, (s) => s.stage === 'awaiting-reassignment')).waitingSince ?? '');

/** Updates that reached a handler: a validator's refusal leaves no event at all. */
async function acceptedUpdates(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length ?? 0;
}

const calls = (dir: InMemoryDirectory, name: ActivityName): number => dir.calls[name] ?? 0;

/** The Web UI's label of every activity and timer the workflow scheduled, in history order ('' = none). */
async function summariesIn(handle: WorkflowHandle): Promise<{ activities: string[]; timers: string[] }> {
  const history = await handle.fetchHistory();
  const summary = (e: NonNullable<typeof history.events>[number]): string =>
    e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : '';
  const events = history.events ?? [];
  return {
    // Activity tasks and local activities (one marker each) alike.
    activities: events.filter((e) => e.activityTaskScheduledEventAttributes || e.markerRecordedEventAttributes?.markerName === 'core_local_activity').map(summary),
    timers: events.filter((e) => e.timerStartedEventAttributes).map(summary),
  };
}

/**
 * Expected notices, in order, each `[description, due ms after t0]`; a description list is several
 * notices decided in one workflow task (their order among themselves is the worker's).
 */
type Due = [what: string | string[], dueMs: number];
function expectTimeline(sent: SentNotification[], t0: number, expected: Due[]): void {
  const actual = [...sent].sort((a, b) => a.at - b.at);
  const flat = expected.flatMap(([what, due]) => (Array.isArray(what) ? what.map((w): Due => [w, due]) : [[what, due] as Due]));
  expect(actual.length, actual.map((s) => describeNotification(s.notification)).join(' | ')).toBe(flat.length);
  let i = 0;
  for (const [what, due] of expected) {
    const group = actual.slice(i, i + (Array.isArray(what) ? what.length : 1));
    i += group.length;
    expect(group.map((s) => describeNotification(s.notification)).sort()).toEqual((Array.isArray(what) ? what : [what]).slice().sort());
    for (const s of group) {
      const late = s.at - t0 - due;
      expect(late, `${describeNotification(s.notification)} is ${late} ms off its due time`).toBeGreaterThanOrEqual(0);
      expect(late, `${describeNotification(s.notification)} is ${late} ms late`).toBeLessThan(SLACK);
    }
  }
}

describe('the in-memory activities', () => {
  it('refuse as the real ones: a non-retryable failure typed with the code, details as the real ones send', async () => {
    const c = company();
    const acts = inMemoryActivities(c.dir);
    const item = c.dir.addItem({ tool: 'defect', role: 'assigned-to', holderId: c.leaver, projectId: P2 });
    const closed = c.dir.addItem({ tool: 'rfi', role: 'assignee', holderId: c.leaver, projectId: P2 });
    c.dir.item(closed).open = false;
    const inactive = c.dir.addUser({ status: 'inactive', projectIds: [P2] });
    const leaving = c.dir.addUser({ projectIds: [P2] });
    const onP2 = c.dir.addUser({ projectIds: [P2] });
    await acts.claimOffboarding({ userId: leaving, batchId: null, workflowId: userWorkflowId(leaving), requestedBy: c.admin });
    const move = (toUserId: number, actorId = c.manager, itemKey = item) =>
      acts.reassignItem({ requestId: `r-${toUserId}-${actorId}-${itemKey}`, itemKey, fromUserId: c.leaver, toUserId, actorId, workflowId: 'w' });
    const batch = { batchId: 'b-1', workflowId: 'w', userIds: [c.leaver] };

    // [code, call, the failure's details when the workflow reads them]
    const cases: [string, Promise<unknown>, unknown[]?][] = [
      ['BATCH_EMPTY', acts.validateBatch({ ...batch, requestedBy: c.admin, userIds: [] })],
      ['PERMISSION_DENIED', acts.validateBatch({ ...batch, requestedBy: c.manager })],
      ['EFFECTIVE_DATE_IN_PAST', acts.validateBatch({ ...batch, requestedBy: c.admin, effectiveAt: '2001-01-01T00:00:00Z' })],
      ['PERMISSION_DENIED', move(onP2, c.colleague)],
      ['TARGET_NOT_PROJECT_MEMBER', move(c.colleague)],
      ['TARGET_INACTIVE', move(inactive)],
      ['TARGET_BEING_OFFBOARDED', move(leaving)],
      ['TARGET_SAME_USER', move(c.leaver)],
      ['ITEM_NOT_OPEN', move(onP2, c.manager, closed)],
      ['ITEM_NOT_FOUND', move(onP2, c.manager, 'rfi:999999:assignee')],
      ['OPEN_ITEMS_REMAIN', acts.inactivateUser({ userId: c.leaver, actorId: c.admin, reason: null, workflowId: 'w', force: false }), [[expect.objectContaining({ key: item })]]],
      ['PERMISSION_DENIED', acts.authorizeBatchActor({ actorId: c.manager }), [{ adminIds: [c.admin] }]],
      ['USER_NOT_FOUND', acts.loadPermissions({ userId: 999_999 })],
    ];
    for (const [code, call, details] of cases) {
      const err = await settle(call);
      expect(err, code).toBeInstanceOf(ApplicationFailure);
      const failure = err as ApplicationFailure;
      expect([failure.type, failure.nonRetryable], code).toEqual([code, true]);
      if (details) expect(failure.details, code).toEqual(details);
    }
    // Nothing refused was written; a good request then goes through, once per request ID.
    expect(c.dir.item(item).holderId).toBe(c.leaver);
    expect(await move(onP2)).toMatchObject({ action: 'reassigned', toUserId: onP2 });
    expect(await move(onP2)).toEqual(c.dir.resolutions.get(`r-${onP2}-${c.manager}-${item}`));
    // An email is recorded once per idempotency key.
    const notice = { idempotencyKey: 'k-1', workflowId: 'w', notification: { kind: 'reactivated', userId: c.leaver, by: c.admin, reason: null } } as const;
    expect((await acts.sendNotification(notice)).status).toBe('sent');
    expect((await acts.sendNotification(notice)).status).toBe('already-sent');
    expect(c.dir.outbox).toHaveLength(1);
  });
});

describe('timers of one offboarding', () => {
  it('reminds every 2 days from the notice, escalates once at 7 days, and not a minute earlier', async () => {
    const c = company();
    const item = c.dir.addItem({ tool: 'rfi', role: 'assignee', holderId: c.leaver, projectId: P1 });
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c));
      const t0 = await waitingSinceMs(c.leaver);

      await sleepUntil(t0 + 2 * DAY - MINUTE);
      expect((await handle.query(userStatusQuery)).remindersSent).toBe(0);
      await sleepUntil(t0 + 7 * DAY - MINUTE);
      expect(await handle.query(userStatusQuery)).toMatchObject({ remindersSent: 3, escalated: false });
      await sleepUntil(t0 + 8 * DAY + MINUTE);
      await waitForUserStatus(env.client, c.leaver, (s) => s.remindersSent === 4 && s.escalated);
      await vi.waitFor(() => expect(c.dir.sentAbout(c.leaver)).toHaveLength(6), WAIT);
      expectTimeline(c.dir.sentAbout(c.leaver), t0, [
        ['items-assigned', 0],
        ['reminder #1', 2 * DAY],
        ['reminder #2', 4 * DAY],
        ['reminder #3', 6 * DAY],
        ['escalation (escalate-after)', 7 * DAY],
        ['reminder #4', 8 * DAY],
      ]);
      // Every reminder lists what is open and since when.
      const since = new Date(t0).toISOString();
      for (const s of c.dir.sentAbout(c.leaver, 'reminder', 'escalation')) expect(s.notification).toMatchObject({ items: [{ key: item }], waitingSince: since });

      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: item, by: c.manager }] });
      expect(await handle.result()).toMatchObject({ outcome: 'inactivated', resolutions: [{ itemKey: item, action: 'closed', byUserId: c.manager }] });

      // The Web UI names each wake-up and each activity, instead of "1 (2d)" and a bare type name.
      const named = await summariesIn(handle);
      expect(named.timers).toEqual(['reminder 1', 'reminder 2', 'reminder 3', 'escalation after 7 d', 'reminder 4', 'reminder 5']);
      expect(named.activities).toEqual([
        // With nothing to wait for once the scan is clear, begin would have inactivated too (issue 25).
        `load the manager and the admins, claim user ${c.leaver} for an offboarding without a batch, scan the open items, inactivate user ${c.leaver} at once if nothing is open`,
        'email: 1 item to reassign, to the manager',
        'email: reminder 1 to the manager',
        'email: reminder 2 to the manager',
        'email: reminder 3 to the manager',
        'email: escalation to the requester and the admins',
        'email: reminder 4 to the manager',
        `close ${item} (by user ${c.manager})`,
        // The inactivation re-scans in its own transaction and ends the claim with it (issue 25).
        `inactivate user ${c.leaver} and record the outcome in one transaction`,
        `email: user ${c.leaver} inactivated, to the manager and the requester`,
      ]);
    });
    expect(c.dir.sentAbout(c.leaver).at(-1)?.notification.kind).toBe('inactivated');
    expect(c.dir.item(item).open).toBe(false);
    expect(c.dir.user(c.leaver).status).toBe('inactive');
    expect(c.dir.claims.map((cl) => [cl.userId, cl.outcome])).toEqual([[c.leaver, 'inactivated']]);
  });

  it('escalates at a deadline that only escalates, and not again at the escalation time', async () => {
    const c = company();
    const item = c.dir.addItem({ tool: 'submittal', role: 'approver', holderId: c.leaver, projectId: P1 });
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c, { policy: policy({ deadlineMs: 3 * DAY, deadlineAction: 'escalate-only' }) }));
      const t0 = await waitingSinceMs(c.leaver);
      await sleepUntil(t0 + 3 * DAY - MINUTE);
      expect((await handle.query(userStatusQuery)).escalated).toBe(false);
      await sleepUntil(t0 + 7 * DAY + MINUTE);
      await vi.waitFor(() => expect(c.dir.sentAbout(c.leaver)).toHaveLength(5), WAIT);
      expectTimeline(c.dir.sentAbout(c.leaver), t0, [
        ['items-assigned', 0],
        ['reminder #1', 2 * DAY],
        ['escalation (deadline)', 3 * DAY],
        ['reminder #2', 4 * DAY],
        ['reminder #3', 6 * DAY],
      ]);
      // Nothing was handed over: the item waits with the leaver, the wait goes on.
      expect(await handle.query(userStatusQuery)).toMatchObject({ stage: 'awaiting-reassignment', escalated: true, resolutions: [], pendingItems: [{ key: item }] });
    });
    expect(c.dir.item(item).holderId).toBe(c.leaver);
    expect(calls(c.dir, 'reassignItem')).toBe(0);
  });

  it('at a reassign-to-manager deadline hands the manager what they may take, escalates the rest, and tells them 15 minutes later', async () => {
    const c = company();
    const inP1 = c.dir.addItem({ tool: 'defect', role: 'assigned-to', holderId: c.leaver, projectId: P1 });
    const inP2 = c.dir.addItem({ tool: 'observation', role: 'assignee', holderId: c.leaver, projectId: P2 }); // the manager is not on P2
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c, { policy: policy({ deadlineMs: DAY, deadlineAction: 'reassign-to-manager' }) }));
      const t0 = await waitingSinceMs(c.leaver);
      await sleepUntil(t0 + 2 * DAY + MINUTE);
      await vi.waitFor(() => expect(c.dir.sentAbout(c.leaver)).toHaveLength(4), WAIT);
      expectTimeline(c.dir.sentAbout(c.leaver), t0, [
        ['items-assigned', 0],
        ['escalation (deadline)', DAY],
        [`items-received by ${c.manager}: ${inP1}`, DAY + RECEIPTS_QUIET_MS],
        ['reminder #1', 2 * DAY],
      ]);
      expect(c.dir.sentAbout(c.leaver, 'escalation')[0]?.notification).toMatchObject({ items: [{ key: inP2 }] });
      const s = await handle.query(userStatusQuery);
      expect(s).toMatchObject({
        escalated: true,
        pendingItems: [{ key: inP2 }],
        resolutions: [{ itemKey: inP1, action: 'reassigned', toUserId: c.manager, byUserId: c.admin }],
      });

      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: inP2, by: c.manager }] });
      expect((await handle.result()).outcome).toBe('inactivated');
    });
    expect(c.dir.item(inP1).holderId).toBe(c.manager);
    expect(c.dir.item(inP2).open).toBe(false);
  });

  it('waits for the effective date, and inactivates at that moment, not before', async () => {
    const c = company();
    const effectiveMs = Math.ceil(((await env.currentTimeMs()) + 14 * DAY) / 1000) * 1000;
    const effectiveAt = new Date(effectiveMs).toISOString();
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c, { effectiveAt }));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'waiting-effective-date');
      await sleepUntil(effectiveMs - MINUTE);
      expect((await handle.query(userStatusQuery)).stage).toBe('waiting-effective-date');
      expect(c.dir.user(c.leaver).status).toBe('active');
      expect(calls(c.dir, 'inactivateUser')).toBe(0);

      const result = await handle.result();
      expect(result.outcome).toBe('inactivated');
      const late = Date.parse(result.inactivatedAt ?? '') - effectiveMs;
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(SLACK);
    });
    // Nobody was asked to act, so the only notice is the confirmation.
    expectTimeline(c.dir.sentAbout(c.leaver), effectiveMs, [['inactivated', 0]]);
    expect(calls(c.dir, 'inactivateUser')).toBe(1);
  });
});

describe('messages to whoever receives items', () => {
  it('tells each person once per pause: hand-overs within 15 minutes make one notice, a later one another', async () => {
    const c = company();
    const [d1, d2, d3, d4, d5] = [1, 2, 3, 4, 5].map(() => c.dir.addItem({ tool: 'defect', role: 'assigned-to', holderId: c.leaver, projectId: P1 })) as [string, string, string, string, string];
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c));
      const t0 = await waitingSinceMs(c.leaver);
      const reassign = (itemKey: string, toUserId: number) => handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId, by: c.manager }] });
      const handedAt = async (itemKey: string) =>
        Date.parse((await handle.query(userStatusQuery)).resolutions.find((r) => r.itemKey === itemKey)?.at ?? '');

      await reassign(d1, c.colleague);
      await sleepUntil((await handedAt(d1)) + 10 * MINUTE);
      await reassign(d2, c.colleague);
      await reassign(d3, c.other);
      const lastOfFirst = await handedAt(d3);
      await sleepUntil(lastOfFirst + RECEIPTS_QUIET_MS - MINUTE);
      expect(c.dir.sentAbout(c.leaver, 'items-received')).toEqual([]); // d1 is 24 minutes old, but the hand-overs did not pause
      await sleepUntil(lastOfFirst + RECEIPTS_QUIET_MS + MINUTE);
      await vi.waitFor(() => expect(c.dir.sentAbout(c.leaver, 'items-received')).toHaveLength(2), WAIT);

      await reassign(d4, c.colleague);
      const second = await handedAt(d4);
      await sleepUntil(second + RECEIPTS_QUIET_MS + MINUTE);
      await vi.waitFor(() => expect(c.dir.sentAbout(c.leaver, 'items-received')).toHaveLength(3), WAIT);

      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: d5, by: c.manager }] });
      const closed = await handedAt(d5);
      expect((await handle.result()).outcome).toBe('inactivated');
      expectTimeline(c.dir.sentAbout(c.leaver), t0, [
        ['items-assigned', 0],
        [[`items-received by ${c.colleague}: ${d1}, ${d2}`, `items-received by ${c.other}: ${d3}`], lastOfFirst - t0 + RECEIPTS_QUIET_MS],
        [`items-received by ${c.colleague}: ${d4}`, second - t0 + RECEIPTS_QUIET_MS],
        ['inactivated', closed - t0],
      ]);
    });
    expect([d1, d2, d4].map((d) => c.dir.item(d).holderId)).toEqual([c.colleague, c.colleague, c.colleague]);
  });
});

describe('the stop signal', () => {
  it('after the manager was asked to act: they hear it stopped, and whoever received items still hears it', async () => {
    const c = company();
    const handed = c.dir.addItem({ tool: 'defect', role: 'assigned-to', holderId: c.leaver, projectId: P1 });
    const left = c.dir.addItem({ tool: 'observation', role: 'assignee', holderId: c.leaver, projectId: P1 });
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c));
      const t0 = await waitingSinceMs(c.leaver);
      await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: handed, toUserId: c.colleague, by: c.manager }] });
      // Within the quiet quarter of an hour: the receipt is still held back when the stop arrives.
      await handle.signal(stopSignal, { kind: 'cancelled', by: c.admin });
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'cancelled', reason: `cancelled by user ${c.admin}`, itemsLeftOpen: [{ key: left }], resolutions: [{ itemKey: handed }] });
      const sent = c.dir.sentAbout(c.leaver);
      // Both are decided in the stop's workflow task; the server may stamp their schedules a millisecond apart.
      const stopAt = Math.min(...sent.filter((s) => s.notification.kind !== 'items-assigned').map((s) => s.at)) - t0;
      expectTimeline(sent, t0, [
        ['items-assigned', 0],
        [[`items-received by ${c.colleague}: ${handed}`, `offboarding-stopped (cancelled by ${c.admin})`], stopAt],
      ]);
      expect(stopAt).toBeLessThan(RECEIPTS_QUIET_MS); // sent with the stop, not after the quiet time
      expect(c.dir.sentAbout(c.leaver, 'offboarding-stopped')[0]?.notification).toMatchObject({ itemsLeft: [{ key: left }] });
    });
    expect(c.dir.user(c.leaver).status).toBe('active');
    expect(c.dir.item(left)).toMatchObject({ holderId: c.leaver, open: true });
    expect(c.dir.claims.map((cl) => cl.outcome)).toEqual(['cancelled']);
    expect(calls(c.dir, 'inactivateUser')).toBe(0);
  });

  it('before anyone was asked to act: it stops quietly, the items stay as they are', async () => {
    const c = company();
    const item = c.dir.addItem({ tool: 'inspection', role: 'point-of-contact', holderId: c.leaver, projectId: P1 });
    await withWorker(c.dir, async (taskQueue) => {
      const handle = started.track(
        await env.client.workflow.signalWithStart(userOffboarding, {
          taskQueue,
          workflowId: userWorkflowId(c.leaver),
          args: [input(c)],
          signal: stopSignal,
          signalArgs: [{ kind: 'removed', by: c.admin }],
        }),
      );
      expect(await handle.result()).toMatchObject({ outcome: 'removed', reason: `removed by user ${c.admin}`, itemsLeftOpen: [{ key: item }], resolutions: [] });
    });
    expect(c.dir.sentAbout(c.leaver)).toEqual([]);
    expect(c.dir.item(item)).toMatchObject({ holderId: c.leaver, open: true });
    expect(c.dir.claims.map((cl) => cl.outcome)).toEqual(['removed']);
    expect(c.dir.user(c.leaver).status).toBe('active');
  });
});

describe('the local steps (issue 25)', () => {
  // Begin, hand over and complete run as local activities in one workflow task: a worker killed after
  // the completion committed, before that task completed, leaves no marker, and the next worker runs
  // begin again. test/faults/worker-kill.test.ts kills real workers; these cases set the state it leaves.
  it('resume after a worker died with this run’s completion committed: inactivated once, not failed', async () => {
    const c = company();
    const leaver = c.dir.user(c.leaver);
    Object.assign(leaver, {
      status: 'inactive',
      inactivatedAt: new Date(await env.currentTimeMs()).toISOString(),
      inactivationWorkflowId: userWorkflowId(c.leaver),
      itemsLeftOpen: [],
    });
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c));
      expect(await handle.result()).toMatchObject({ outcome: 'inactivated', inactivatedAt: leaver.inactivatedAt, reason: null, itemsLeftOpen: [] });
    });
    // The completion answered alreadyDone: nothing written twice, no new claim, one confirmation.
    expect(calls(c.dir, 'completeOffboarding')).toBe(1);
    expect(calls(c.dir, 'claimOffboarding')).toBe(0);
    expect(c.dir.claims).toEqual([]);
    expect(c.dir.sentAbout(c.leaver).map((s) => s.notification.kind)).toEqual(['inactivated']);
  });

  it('a user someone else inactivated before begin: failed as before, nothing written, nobody told', async () => {
    const c = company();
    Object.assign(c.dir.user(c.leaver), {
      status: 'inactive',
      inactivatedAt: new Date(await env.currentTimeMs()).toISOString(),
      inactivationWorkflowId: 'offboarding-user-someone-else',
      itemsLeftOpen: [],
    });
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c));
      expect(await handle.result()).toMatchObject({ outcome: 'failed', reason: 'USER_ALREADY_INACTIVE: the user was already inactive' });
    });
    expect(c.dir.user(c.leaver).inactivationWorkflowId).toBe('offboarding-user-someone-else');
    expect(c.dir.claims).toEqual([]);
    expect(c.dir.sentAbout(c.leaver)).toEqual([]);
  });
});

describe('update validators', () => {
  it('refuse bad requests before they reach the history or any activity', async () => {
    const c = company();
    const item = c.dir.addItem({ tool: 'rfi', role: 'manager', holderId: c.leaver, projectId: P1 });
    // A second leaver waits only for an effective date: nothing is waiting for reassignment there.
    const later = c.dir.addUser({ name: 'Ed Effective', managerId: c.manager, projectIds: [P1] });
    const effectiveAt = new Date((await env.currentTimeMs()) + 30 * DAY).toISOString();
    await withWorker(c.dir, async (taskQueue) => {
      const handle = await startUser(taskQueue, input(c));
      const waitingForDate = await startUser(taskQueue, input(c, { userId: later, effectiveAt }));
      await waitForUserStatus(env.client, c.leaver, (s) => s.stage === 'awaiting-reassignment');
      await waitForUserStatus(env.client, later, (s) => s.stage === 'waiting-effective-date');
      const before = { ...c.dir.calls };
      const statusBefore = await handle.query(userStatusQuery);

      const reassign = (itemKey: string, toUserId: number, by: number) => handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId, by }] });
      await expectRefusal(reassign(item, c.colleague, c.colleague), 'PERMISSION_DENIED'); // neither manager nor admin
      await expectRefusal(reassign(item, c.colleague, -1), 'INVALID_INPUT');
      await expectRefusal(reassign('rfi:1;drop table users', c.colleague, c.manager), 'ITEM_KEY_MALFORMED');
      await expectRefusal(reassign('rfi:999999:assignee', c.colleague, c.manager), 'ITEM_NOT_PENDING');
      await expectRefusal(reassign(item, 0, c.manager), 'INVALID_INPUT');
      await expectRefusal(reassign(item, c.leaver, c.manager), 'TARGET_SAME_USER');
      await expectRefusal(handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: item, by: c.manager, note: 'x'.repeat(2_001) }] }), 'NOTE_TOO_LONG');
      await expectRefusal(handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: item, by: c.manager, note: 'gpj.\u202Eexe' }] }), 'INVALID_INPUT');
      await expectRefusal(handle.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: c.colleague }] }), 'PERMISSION_DENIED');
      // Not waiting for reassignment: even the manager is refused, early.
      await expectRefusal(waitingForDate.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: c.manager }] }), 'OFFBOARDING_NOT_WAITING');
      await expectRefusal(waitingForDate.executeUpdate(closeItemUpdate, { args: [{ itemKey: item, by: c.manager }] }), 'OFFBOARDING_NOT_WAITING');

      expect(await acceptedUpdates(handle)).toBe(0);
      expect(await acceptedUpdates(waitingForDate)).toBe(0);
      expect(c.dir.calls).toEqual(before);
      expect(await handle.query(userStatusQuery)).toEqual(statusBefore);

      // A signal cannot be refused: the colleague's "done" is ignored (no re-scan), the manager's update answers.
      await handle.signal(reassignmentDoneSignal, { by: c.colleague });
      expect(await handle.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: c.manager }] })).toMatchObject([{ key: item }]);
      expect(calls(c.dir, 'listOpenItems') - (before.listOpenItems ?? 0)).toBe(1);
      expect(calls(c.dir, 'authorizeItemsActor') - (before.authorizeItemsActor ?? 0)).toBe(1);
      expect(await acceptedUpdates(handle)).toBe(1);
    });
    expect(c.dir.item(item)).toMatchObject({ holderId: c.leaver, open: true });
  });
});

describe('batches', () => {
  const row = (s: BatchStatus, userId: number) => s.users.find((u) => u.userId === userId);
  const batchStatus = (handle: WorkflowHandle) => handle.query(batchStatusQuery);

  /** A batch of two waiting users with one item each, and the batch seeing both waiting. */
  async function waitingBatch(c: Company, taskQueue: string) {
    const a = c.dir.addUser({ managerId: c.manager, projectIds: [P1] });
    const b = c.dir.addUser({ managerId: c.manager, projectIds: [P1] });
    const items = [a, b].map((holderId) => c.dir.addItem({ tool: 'defect', role: 'assigned-to', holderId, projectId: P1 })) as [string, string];
    const handle = await startBatch(taskQueue, c, [a, b]);
    await vi.waitFor(async () => {
      const s = await batchStatus(handle);
      expect([row(s, a)?.stage, row(s, b)?.stage]).toEqual(['awaiting-reassignment', 'awaiting-reassignment']);
    }, WAIT);
    return { handle, a, b, items };
  }

  it('drops a stale progress report and any report after a user’s final one', async () => {
    const c = company();
    const { a, b } = await withWorker(c.dir, async (taskQueue) => {
      const w = await waitingBatch(c, taskQueue);
      const { handle, a, b, items } = w;
      const report = (p: Omit<UserProgress, 'waitingSince' | 'remindersSent' | 'result'>) =>
        handle.signal(userProgressSignal, { waitingSince: null, remindersSent: 0, result: null, ...p });
      // An update after a signal runs after it: when it returns, the signal has been handled.
      const handled = () => handle.executeUpdate(refreshPermissionsUpdate);

      // `a` has reported at least once (its row says waiting), so seq 1 can only be old news.
      await report({ seq: 1, userId: a, stage: 'validating', openItems: 0 });
      await handled();
      expect(row(await batchStatus(handle), a)).toMatchObject({ stage: 'awaiting-reassignment', openItems: 1 });

      await env.client.workflow.getHandle(userWorkflowId(a)).executeUpdate(closeItemUpdate, { args: [{ itemKey: items[0], by: c.manager }] });
      await vi.waitFor(async () => expect(row(await batchStatus(handle), a)?.stage).toBe('inactivated'), WAIT);
      await report({ seq: 1_000, userId: a, stage: 'awaiting-reassignment', openItems: 5 });
      await handled();
      expect(row(await batchStatus(handle), a)).toMatchObject({ stage: 'inactivated', openItems: 0 });

      // Fresh reports keep arriving in order: b's first reminder shows in the batch.
      const t0 = await waitingSinceMs(b);
      await sleepUntil(t0 + 2 * DAY + MINUTE);
      await vi.waitFor(async () => expect(row(await batchStatus(handle), b)).toMatchObject({ stage: 'awaiting-reassignment', remindersSent: 1 }), WAIT);

      await handle.executeUpdate(cancelBatchUpdate, { args: [{ by: c.admin }] });
      expect(await handle.result()).toMatchObject({ inactivated: [a], cancelled: [b], removed: [], failed: [] });
      return w;
    });
    // One summary, with the final rows. (Not necessarily the last email: b's manager is told of the stop
    // by b's own workflow, whose email can go out at the same moment.)
    const summaries = c.dir.outbox.filter((s) => s.notification.kind === 'batch-summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.notification).toMatchObject({ kind: 'batch-summary', summary: { inactivated: [a], cancelled: [b] } });
    expect(c.dir.claims.map((cl) => [cl.userId, cl.outcome])).toEqual([[a, 'inactivated'], [b, 'cancelled']]);
  });

  it('refuses remove and cancel from a non-admin early, and from an admin demoted since the start after asking the directory', async () => {
    const c = company();
    const helen = c.dir.addUser({ name: 'Helen Park', admin: true });
    await withWorker(c.dir, async (taskQueue) => {
      const { handle, a, b } = await waitingBatch(c, taskQueue);
      const remove = (userId: number, by: number) => handle.executeUpdate(removeUserUpdate, { args: [{ userId, by }] });
      const cancel = (by: number) => handle.executeUpdate(cancelBatchUpdate, { args: [{ by }] });

      // The validators answer from the admins loaded at the start: no history, no activity.
      await expectRefusal(remove(a, c.manager), 'PERMISSION_DENIED');
      await expectRefusal(cancel(c.manager), 'PERMISSION_DENIED');
      await expectRefusal(remove(-5, c.admin), 'INVALID_INPUT');
      await expectRefusal(remove(424_242, c.admin), 'USER_NOT_IN_BATCH');
      expect(await acceptedUpdates(handle)).toBe(0);
      expect(calls(c.dir, 'authorizeBatchActor')).toBe(0);

      // Helen was an admin when the batch started: her request passes the validator, the directory refuses it.
      c.dir.user(helen).admin = false;
      await expectRefusal(remove(a, helen), 'PERMISSION_DENIED');
      expect(calls(c.dir, 'authorizeBatchActor')).toBe(1);
      expect(await acceptedUpdates(handle)).toBe(1);
      // The refusal refreshed the batch's admins: her next request is refused early.
      await expectRefusal(cancel(helen), 'PERMISSION_DENIED');
      await handle.signal(cancelSignal, { by: helen }); // cannot be refused; ignored
      await handle.executeUpdate(refreshPermissionsUpdate); // handled after the signal
      expect(calls(c.dir, 'authorizeBatchActor')).toBe(1);
      expect(await acceptedUpdates(handle)).toBe(2); // her remove, and the refresh

      const s = await batchStatus(handle);
      expect([row(s, a)?.stage, row(s, b)?.stage, s.phase]).toEqual(['awaiting-reassignment', 'awaiting-reassignment', 'running']);
      expect([...c.dir.openClaims.keys()].sort((x, y) => x - y)).toEqual([a, b].sort((x, y) => x - y));
      expect(c.dir.outbox.filter((n) => n.notification.kind === 'offboarding-stopped')).toEqual([]);

      // An admin still can.
      await cancel(c.admin);
      expect(await handle.result()).toMatchObject({ cancelled: [a, b].sort((x, y) => x - y), removed: [], inactivated: [] });
    });
    const stopped = c.dir.outbox.filter((n) => n.notification.kind === 'offboarding-stopped').map((n) => describeNotification(n.notification));
    expect(stopped).toEqual([`offboarding-stopped (cancelled by ${c.admin})`, `offboarding-stopped (cancelled by ${c.admin})`]);
    expect(c.dir.openClaims.size).toBe(0);
  });

  it('refreshPermissions lets an admin or manager appointed since the start act', async () => {
    const c = company();
    const nia = c.dir.addUser({ name: 'Nia Newcomer' });
    const nick = c.dir.addUser({ name: 'Nick New-Manager', projectIds: [P1] });
    const { a, b, items } = await withWorker(c.dir, async (taskQueue) => {
      const w = await waitingBatch(c, taskQueue);
      const { handle, a, b, items } = w;
      const user = env.client.workflow.getHandle(userWorkflowId(b));

      c.dir.user(nia).admin = true;
      await expectRefusal(handle.executeUpdate(removeUserUpdate, { args: [{ userId: a, by: nia }] }), 'PERMISSION_DENIED');
      expect(await acceptedUpdates(handle)).toBe(0);
      await handle.executeUpdate(refreshPermissionsUpdate);
      expect(calls(c.dir, 'loadAdmins')).toBe(1);
      expect(await handle.executeUpdate(removeUserUpdate, { args: [{ userId: a, by: nia }] })).toMatchObject({ userIds: [b], removed: [a] });

      c.dir.user(b).managerId = nick;
      const reassign = () => user.executeUpdate(reassignItemUpdate, { args: [{ itemKey: items[1], toUserId: c.colleague, by: nick }] });
      await expectRefusal(reassign(), 'PERMISSION_DENIED');
      expect(await acceptedUpdates(user)).toBe(0);
      const loads = calls(c.dir, 'loadPermissions');
      await user.executeUpdate(refreshPermissionsUpdate);
      expect(calls(c.dir, 'loadPermissions')).toBe(loads + 1);
      expect(await reassign()).toEqual([]);

      expect(await handle.result()).toMatchObject({ removed: [a], inactivated: [b], cancelled: [], failed: [] });
      expect(await user.query(userStatusQuery)).toMatchObject({ resolutions: [{ itemKey: items[1], toUserId: c.colleague, byUserId: nick }] });
      return w;
    });
    // The batch asks the managers, and tells them and the new owners, in digests ('batch-digests'): a
    // person's own workflow sends only the stop notice.
    expect(c.dir.sentAbout(a).map((n) => describeNotification(n.notification))).toEqual([`offboarding-stopped (removed by ${nia})`]);
    expect(c.dir.sentAbout(b)).toEqual([]);
    expect(calls(c.dir, 'sendClosingDigests')).toBe(1);
    expect(c.dir.item(items[0])).toMatchObject({ holderId: a, open: true });
    expect(c.dir.item(items[1]).holderId).toBe(c.colleague);
  });

  // Issue 17: the batch's page in the Web UI says where its users are without running a query.
  const currentDetails = async (handle: WorkflowHandle): Promise<string> =>
    (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';
  const utc = (d: Date | number) => `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

  it('shows the counts by stage, the window, the oldest wait and who started it as current details', async () => {
    const c = company();
    const [a, b, q] = [1, 2, 3].map(() => c.dir.addUser({ managerId: c.manager, projectIds: [P1] })) as [number, number, number];
    const items = [a, b, q].map((holderId) => c.dir.addItem({ tool: 'defect', role: 'assigned-to', holderId, projectId: P1 }));
    await withWorker(c.dir, async (taskQueue) => {
      const handle = started.track(
        await startBatchWorkflow(env.client, taskQueue, {
          batchId: `mem-details-${block}`,
          userIds: [a, b, q],
          requestedBy: c.admin,
          reason: 'restructuring',
          effectiveAt: null,
          successors: {},
          policy: {},
          tuning: { window: 2 },
        }),
      );
      for (const u of [a, b, q]) started.track(env.client.workflow.getHandle(userWorkflowId(u)));
      const startedAt = utc((await handle.describe()).startTime);
      const md = await vi.waitFor(async () => {
        const text = await currentDetails(handle);
        expect(text).toContain('| awaiting reassignment | 2 |');
        return text;
      }, WAIT);
      expect(md.split('\n')[0]).toBe('### Running: 3 users');
      expect(md).toContain('| queued | 1 |');
      expect(md).toContain('**Window:** 2 running (at most 2 at once), 1 queued.');
      const sinceA = Date.parse((await waitForUserStatus(env.client, a, (s) => s.waitingSince !== null)).waitingSince ?? '');
      const sinceB = Date.parse((await waitForUserStatus(env.client, b, (s) => s.waitingSince !== null)).waitingSince ?? '');
      // Equal waits go to the lower user ID (a), as the workflow breaks ties.
      const [first, firstSince] = sinceA <= sinceB ? [a, sinceA] : [b, sinceB];
      const [second, secondSince] = first === a ? [b, sinceB] : [a, sinceA];
      expect(md).toContain(`**Oldest wait:** user ${first}, awaiting reassignment since ${utc(firstSince)}.`);
      expect(md).toContain(`_Batch mem-details-${block} · started by user ${c.admin} on ${startedAt} · run 1_`);

      // The one waiting longest is done: the next oldest shows, and the queued user takes the free slot.
      await env.client.workflow.getHandle(userWorkflowId(first)).executeUpdate(closeItemUpdate, { args: [{ itemKey: items[first === a ? 0 : 1]!, by: c.manager }] });
      await vi.waitFor(async () => {
        const text = await currentDetails(handle);
        expect(text).toContain('| inactivated | 1 |');
        expect(text).toContain('| awaiting reassignment | 2 |');
        expect(text).toContain('**Window:** 2 running (at most 2 at once), 0 queued.');
        expect(text).toContain(`**Oldest wait:** user ${second}, awaiting reassignment since ${utc(secondSince)}.`);
      }, WAIT);

      await handle.executeUpdate(cancelBatchUpdate, { args: [{ by: c.admin }] });
      await handle.result();
      const end = await currentDetails(handle);
      expect(end.split('\n')[0]).toBe('### Finished: 3 users');
      expect(end).toContain(`**Cancelled** by user ${c.admin}`);
      expect(end).toContain('| cancelled | 2 |');
      expect(end).toContain('**Oldest wait:** nobody is waiting for reassignment.');
    });
  });

  it('counts its runs in the details, and keeps when the first one started', async () => {
    const c = company();
    // 50: a user who goes straight through costs the batch two messages (issue 25), so 30 no longer
    // fill a 200-event run.
    const many = Array.from({ length: 50 }, () => c.dir.addUser({ managerId: c.manager }));
    await withWorker(c.dir, async (taskQueue) => {
      const handle = started.track(
        await startBatchWorkflow(env.client, taskQueue, {
          batchId: `mem-runs-${block}`,
          userIds: many,
          requestedBy: c.admin,
          reason: null,
          effectiveAt: null,
          successors: {},
          policy: {},
          tuning: { window: 5, continueAsNewAtEvents: 200 },
        }),
      );
      for (const u of many) started.track(env.client.workflow.getHandle(userWorkflowId(u)));
      const startedAt = utc((await handle.describe()).startTime);
      expect((await handle.result()).inactivated).toHaveLength(50);
      const last = env.client.workflow.getHandle(handle.workflowId);
      const { run } = await last.query(batchStatusQuery);
      expect(run).toBeGreaterThan(1);
      const md = await currentDetails(last);
      expect(md).toContain('| inactivated | 50 |');
      expect(md).toContain(`_Batch mem-runs-${block} · started by user ${c.admin} on ${startedAt} · run ${run} (continued as new ${run - 1} time${run > 2 ? 's' : ''})_`);
    });
  });

  // Last in the file: its 1,000 people are the most the time-skipping server holds at once, and
  // nothing after it should wait behind what they leave to clean up.
  // Issue 25: a run must stay under half the 10,240-event warning at any window tuning allows. Tuned
  // to the largest window and threshold, a run used to hold 8,000 events before it even looked at
  // the burst its 1,000 running children bring; now the threshold leaves the burst room.
  it('continues as new sooner at the largest window, so the threshold and the burst stay under half the warning', async () => {
    // The derivation: at every window, the threshold plus what the running children may still bring
    // stays within the budget, the default is untouched, and the largest window still holds a run.
    for (const w of [1, BATCH_WINDOW, MAX_WINDOW]) expect(maxContinueAsNewAt(w) + BURST_EVENTS_PER_CHILD * w).toBeLessThanOrEqual(RUN_EVENT_BUDGET);
    expect(RUN_EVENT_BUDGET).toBeLessThan(RUN_EVENT_LIMIT);
    expect(maxContinueAsNewAt(BATCH_WINDOW)).toBe(CONTINUE_AS_NEW_AT_EVENTS);
    expect(maxContinueAsNewAt(MAX_WINDOW)).toBeGreaterThan(MIN_CONTINUE_AS_NEW_AT);
    // Children that report by result ('report-by-result') may bring more after the check (the run asks
    // them to signal): the windows that allow it still leave a run its minimum, the larger keep signals.
    const byResult = (w: number) => maxContinueAsNewAt(w, BURST_EVENTS_PER_CHILD_BY_RESULT);
    for (const w of [1, BATCH_WINDOW, 880]) {
      expect(reportByResultFits(w)).toBe(true);
      expect(byResult(w) + BURST_EVENTS_PER_CHILD_BY_RESULT * w).toBeLessThanOrEqual(RUN_EVENT_BUDGET);
      expect(byResult(w)).toBeGreaterThanOrEqual(MIN_CONTINUE_AS_NEW_AT);
    }
    expect(reportByResultFits(881)).toBe(false);
    expect(reportByResultFits(MAX_WINDOW)).toBe(false);

    const c = company();
    // People straight through (4 events each): starting 1,000 passes the largest window's threshold
    // while the batch is still busy (500 were measured to finish in the burst that crossed it, and a
    // run that has nothing left to do ends instead of continuing), and stays under 8,000 in one run.
    const many = Array.from({ length: 1_000 }, () => c.dir.addUser({ managerId: c.manager }));
    await withWorker(c.dir, async (taskQueue) => {
      const handle = started.track(
        await startBatchWorkflow(env.client, taskQueue, {
          batchId: `mem-cap-${block}`,
          userIds: many,
          requestedBy: c.admin,
          reason: null,
          effectiveAt: null,
          successors: {},
          policy: {},
          tuning: { window: 5_000, continueAsNewAtEvents: 50_000 },
        }),
      );
      for (const u of many) started.track(env.client.workflow.getHandle(userWorkflowId(u)));
      expect((await handle.result()).inactivated).toHaveLength(many.length);
      const runs = await runChainStats(env.client, handle.workflowId, handle.firstExecutionRunId);
      const cap = maxContinueAsNewAt(MAX_WINDOW);
      // The clamped window and its threshold: the first run went on past neither by more than the burst.
      expect(runs.length, runs.map((r) => r.events).join(', ')).toBeGreaterThan(1);
      for (const r of runs) expect(r.events).toBeLessThanOrEqual(cap + BURST_EVENTS_PER_CHILD * MAX_WINDOW);
    });
  }, budget(600_000));
});
