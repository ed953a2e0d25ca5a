// Bad input: a table of malformed or hostile inputs across the batch workflow's input, the per-user
// and batch updates, the activities called directly, and the `offboard` CLI. Every row asserts the
// refusal code AND that nothing changed: the relevant database rows, the audit-log count and the
// workflows' state (by query) are snapshotted before and after. The table in docs/bad-input.md lists
// the same rows.
import { type WorkflowHandle } from '@temporalio/client';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import { auditLog, users } from '../db/schema';
import {
  batchStatusQuery,
  batchWorkflowId,
  closeItemUpdate,
  MAX_BATCH_SIZE,
  MAX_NOTE_LENGTH,
  MAX_REASON_LENGTH,
  type OffboardingBatchInput,
  cancelBatchUpdate,
  reassignItemUpdate,
  confirmReassignmentDoneUpdate,
  removeUserUpdate,
  userStatusQuery,
  userWorkflowId,
  refusalOf,
} from '../workflows/contract';
import { offboardingBatch } from '../workflows';
import { type RefusalCode } from '../workflows/contract';
import { runCli } from './helpers/cli';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './helpers/temporal';
import { auditCount, type Harness, runWorkerInBackground, startHarness, waitForUserStatus } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';

let env: DevServerEnvironment;
let h: Harness;
let taskQueue: string;
let stopWorker: () => Promise<void>;
const started: WorkflowHandle[] = [];

/** The people and items every row refers to (filled in beforeAll). */
type World = {
  admin: number;
  nonAdmin: number;
  inactiveAdmin: number;
  /** An admin when the main batch started, inactivated since (issue 16, item 1). */
  formerAdmin: number;
  manager: number;
  leaver: number;
  mate: number;
  colleague: number;
  outsider: number;
  inactiveMember: number;
  other: number;
  rfi: number;
  observation: number;
  otherObservation: number;
  closedDefect: number;
  mainBatch: string;
};
let w: World;

beforeAll(async () => {
  [env, h] = await Promise.all([sharedDevServerEnvironment(), startHarness()]);
  ({ taskQueue, stop: stopWorker } = await runWorkerInBackground(env, h.activities));

  const { fx } = h;
  const admin = await fx.admin({ name: 'Ada Admin' });
  const nonAdmin = await fx.user({ name: 'Stan Standard' });
  const inactiveAdmin = await fx.admin({ name: 'Ina Admin', status: 'inactive', inactivatedAt: new Date() });
  const formerAdmin = await fx.admin({ name: 'Helen Park' });
  const manager = await fx.user({ name: 'Max Manager' });
  const leaver = await fx.user({ name: 'Lee Leaver', managerId: manager });
  const mate = await fx.user({ name: 'Bat Mate', managerId: manager });
  const colleague = await fx.user({ name: 'Col League' });
  const outsider = await fx.user({ name: 'Out Sider' });
  const inactiveMember = await fx.user({ name: 'Gone Member', status: 'inactive', inactivatedAt: new Date() });
  const other = await fx.user({ name: 'Oth Er', managerId: manager });
  const p = await fx.project('Tower');
  for (const u of [manager, leaver, mate, colleague, inactiveMember, other]) await fx.member(p, u);
  const rfi = await fx.rfi({ projectId: p, managerId: leaver });
  const observation = await fx.observation({ projectId: p, assigneeId: leaver });
  await fx.defect({ projectId: p, assignedToId: mate });
  const otherObservation = await fx.observation({ projectId: p, assigneeId: other });
  const closedDefect = await fx.defect({ projectId: p, assignedToId: leaver, status: 'closed' });

  const mainBatch = `bad-main-${process.pid}`;
  started.push(
    await startBatchWorkflow(env.client, taskQueue, { batchId: mainBatch, userIds: [leaver, mate], requestedBy: admin, reason: 'restructuring', effectiveAt: null, successors: {}, policy: {} }),
  );
  await waitForUserStatus(env.client, leaver, (s) => s.stage === 'awaiting-reassignment' && s.pendingItems.length === 2, 60_000);
  await waitForUserStatus(env.client, mate, (s) => s.stage === 'awaiting-reassignment', 60_000);
  await h.t.db.update(users).set({ status: 'inactive', inactivatedAt: new Date() }).where(eq(users.id, formerAdmin));
  w = { admin, nonAdmin, inactiveAdmin, formerAdmin, manager, leaver, mate, colleague, outsider, inactiveMember, other, rfi, observation, otherObservation, closedDefect, mainBatch };
});

afterAll(async () => {
  await Promise.allSettled(started.splice(0).map((handle) => handle.terminate('test ended')));
  await stopWorker?.();
  await env?.stop();
  await h?.close();
});

// ---- observing "nothing changed" --------------------------------------------------------------

const TABLES = [
  'users',
  'offboardings',
  'rfis',
  'rfi_assignees',
  'observations',
  'defect_items',
  'submittal_approvers',
  'meeting_item_assignees',
  'timecard_entries',
  'project_members',
] as const;

async function snapshot(): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown> = {};
  for (const table of TABLES) {
    rows[table] = await h.t.db.execute(sql`select * from ${sql.raw(table)} order by 1, 2`);
  }
  const leaver = await env.client.workflow.getHandle(userWorkflowId(w.leaver)).query(userStatusQuery);
  const batch = await env.client.workflow.getHandle(batchWorkflowId(w.mainBatch)).query(batchStatusQuery);
  return {
    rows,
    audit: await auditCount(h.t),
    leaver: { stage: leaver.stage, pending: leaver.pendingItems.map((i) => i.key), resolutions: leaver.resolutions.length },
    batch: { phase: batch.phase, users: batch.users.map((u) => [u.userId, u.stage, u.openItems]), rejected: batch.rejected },
  };
}

/** The refusal code anywhere in an error's cause chain, or what the error was. */
function codeIn(err: unknown): string | undefined {
  return refusalOf(err)?.code ?? (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

const codeOf = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => 'no refusal',
    (e: unknown) => codeIn(e),
  );

// ---- surfaces ---------------------------------------------------------------------------------

let batchSeq = 0;
/**
 * Starts a batch with the given input and waits for it to end. A batch-level refusal fails the
 * workflow (its code is returned); otherwise the code of the last per-user rejection is returned and
 * the batch must have offboarded nobody.
 */
async function startBatch(input: Partial<OffboardingBatchInput>): Promise<string | undefined> {
  const batchId = input.batchId ?? `bad-${process.pid}-${++batchSeq}`;
  const handle = await env.client.workflow.start(offboardingBatch, {
    taskQueue,
    workflowId: batchWorkflowId(batchId),
    args: [{ batchId, userIds: [w.colleague], requestedBy: w.admin, reason: null, effectiveAt: null, successors: {}, policy: {}, ...input }],
  });
  started.push(handle);
  try {
    const summary = await handle.result();
    expect(summary.inactivated).toEqual([]);
    expect(summary.failed).toEqual([]);
    return summary.rejected.at(-1)?.code ?? 'no refusal';
  } catch (e) {
    return codeIn(e);
  }
}

const leaverHandle = () => env.client.workflow.getHandle(userWorkflowId(w.leaver));
const reassign = (itemKey: string, toUserId: unknown, by: unknown = w.manager) =>
  codeOf(leaverHandle().executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId: toUserId as number, by: by as number }] }));
const close = (itemKey: string, note: string | null, by: number = w.manager) =>
  codeOf(leaverHandle().executeUpdate(closeItemUpdate, { args: [{ itemKey, by, note }] }));
const removeUser = (userId: unknown, by: number) =>
  codeOf(env.client.workflow.getHandle(batchWorkflowId(w.mainBatch)).executeUpdate(removeUserUpdate, { args: [{ userId: userId as number, by }] }));

const rfiKey = () => `rfi:${w.rfi}:manager`;
const observationKey = () => `observation:${w.observation}:assignee`;
const SQL = "x'); DELETE FROM users; DROP TABLE audit_log; --";
const HTML = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';
const activity = (p: () => Promise<unknown>) => codeOf(Promise.resolve().then(p));
let reqSeq = 0;
const req = () => `bad-input-${process.pid}-${++reqSeq}`;
const workflowId = () => userWorkflowId(w.leaver);

/** A batch that has ended: it named only an inactive user, so it finished at validation. */
let endedBatch: string;
beforeAll(async () => {
  endedBatch = `bad-ended-${process.pid}`;
  const handle = await startBatchWorkflow(env.client, taskQueue, { batchId: endedBatch, userIds: [w.inactiveMember], requestedBy: w.admin, reason: null, effectiveAt: null, successors: {}, policy: {} });
  started.push(handle);
  await handle.result();
});

/** What a CLI row expects when the command line itself is wrong (exit 2, no refusal code). */
const USAGE = 'usage error (exit 2)';

/** The CLI (in-process, test/helpers/cli.ts) against this test's database and Temporal; resolves with its refusal code or USAGE, else its exit code and stderr. */
async function cli(args: string[]): Promise<string> {
  const r = await runCli(args, { DATABASE_URL: h.t.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_NAMESPACE: env.namespace });
  const code = /^([A-Z][A-Z_]{4,}):/.exec(r.stderr)?.[1];
  if (r.code === 1 && code) return code;
  if (r.code === 2 && r.stderr.startsWith('offboard: ')) return USAGE;
  return `exit ${r.code}: ${r.stderr.slice(0, 300)}`;
}

type Surface = 'batch input' | 'user update' | 'batch update' | 'activity' | 'CLI';
type Case = {
  surface: Surface;
  input: string;
  code: RefusalCode | typeof USAGE;
  run: () => Promise<string | undefined>;
};

const CASES: Case[] = [
  // Batch start: workflow input (per-user rejections and batch-level refusals)
  { surface: 'batch input', input: 'unknown user ID 987654321', code: 'USER_NOT_FOUND', run: () => startBatch({ userIds: [987_654_321] }) },
  { surface: 'batch input', input: 'duplicate user ID', code: 'DUPLICATE_USER', run: () => startBatch({ userIds: [w.inactiveMember, w.inactiveMember] }) },
  { surface: 'batch input', input: 'negative user ID -5', code: 'INVALID_INPUT', run: () => startBatch({ userIds: [-5] }) },
  { surface: 'batch input', input: 'non-numeric user ID "abc"', code: 'INVALID_INPUT', run: () => startBatch({ userIds: ['abc'] as unknown as number[] }) },
  {
    surface: 'batch input',
    input: 'fractional user ID 1.5',
    code: 'INVALID_INPUT',
    run: () => startBatch({ userIds: [1.5] }),
  },
  { surface: 'batch input', input: 'already inactive user', code: 'USER_ALREADY_INACTIVE', run: () => startBatch({ userIds: [w.inactiveMember] }) },
  { surface: 'batch input', input: 'user already in another running batch', code: 'ALREADY_IN_OFFBOARDING', run: () => startBatch({ userIds: [w.leaver] }) },
  { surface: 'batch input', input: 'requester offboards themselves', code: 'REQUESTER_IN_BATCH', run: () => startBatch({ userIds: [w.admin] }) },
  { surface: 'batch input', input: 'empty batch', code: 'BATCH_EMPTY', run: () => startBatch({ userIds: [] }) },
  {
    surface: 'batch input',
    input: `${MAX_BATCH_SIZE + 1} users (over MAX_BATCH_SIZE)`,
    code: 'BATCH_TOO_LARGE',
    run: () => startBatch({ userIds: [w.colleague, ...Array.from({ length: MAX_BATCH_SIZE }, (_, i) => 1_000_000 + i)] }),
  },
  { surface: 'batch input', input: 'non-admin requester', code: 'PERMISSION_DENIED', run: () => startBatch({ requestedBy: w.nonAdmin }) },
  { surface: 'batch input', input: 'inactive admin requester', code: 'REQUESTER_INACTIVE', run: () => startBatch({ requestedBy: w.inactiveAdmin }) },
  { surface: 'batch input', input: 'unknown requester', code: 'USER_NOT_FOUND', run: () => startBatch({ requestedBy: 987_654_321 }) },
  { surface: 'batch input', input: 'effective date "31/12/2030" (wrong format)', code: 'INVALID_INPUT', run: () => startBatch({ effectiveAt: '31/12/2030' }) },
  { surface: 'batch input', input: 'effective date without a zone', code: 'INVALID_INPUT', run: () => startBatch({ effectiveAt: '2030-12-31T17:00:00' }) },
  { surface: 'batch input', input: 'effective date in the past', code: 'EFFECTIVE_DATE_IN_PAST', run: () => startBatch({ effectiveAt: '2020-01-01T00:00:00Z' }) },
  { surface: 'batch input', input: `reason of ${MAX_REASON_LENGTH + 1} characters`, code: 'INVALID_INPUT', run: () => startBatch({ reason: 'r'.repeat(MAX_REASON_LENGTH + 1) }) },
  { surface: 'batch input', input: 'malformed batch ID "../../etc passwd"', code: 'INVALID_INPUT', run: () => startBatch({ batchId: '../../etc passwd' }) },
  { surface: 'batch input', input: 'SQL in the batch ID', code: 'INVALID_INPUT', run: () => startBatch({ batchId: `b'; ${SQL}` }) },
  { surface: 'batch input', input: 'successor is the user themselves', code: 'TARGET_SAME_USER', run: () => startBatch({ successors: { [String(w.colleague)]: w.colleague } }) },
  { surface: 'batch input', input: 'successor is unknown', code: 'TARGET_NOT_FOUND', run: () => startBatch({ successors: { [String(w.colleague)]: 987_654_321 } }) },
  { surface: 'batch input', input: 'successor is inactive', code: 'TARGET_INACTIVE', run: () => startBatch({ successors: { [String(w.colleague)]: w.inactiveMember } }) },
  { surface: 'batch input', input: 'successor given for a user not in the batch', code: 'INVALID_INPUT', run: () => startBatch({ successors: { [String(w.outsider)]: w.manager } }) },
  { surface: 'batch input', input: 'successor value "abc"', code: 'INVALID_INPUT', run: () => startBatch({ successors: { [String(w.colleague)]: 'abc' as unknown as number } }) },

  {
    surface: 'batch input',
    input: 'successor is being offboarded in another batch',
    code: 'TARGET_BEING_OFFBOARDED',
    run: () => startBatch({ successors: { [String(w.colleague)]: w.leaver } }),
  },
  { surface: 'batch input', input: 'effective date 9999-12-31T23:59:59Z (over a year ahead)', code: 'EFFECTIVE_DATE_TOO_FAR', run: () => startBatch({ effectiveAt: '9999-12-31T23:59:59Z' }) },
  { surface: 'batch input', input: 'reason with a terminal escape sequence', code: 'INVALID_INPUT', run: () => startBatch({ reason: 'restructuring \u001b[2J\u001b[31mHACKED' }) },

  // The per-user workflow's updates (validators reject before history; activity refusals fail only the update)
  { surface: 'user update', input: 'reassign to the same user', code: 'TARGET_SAME_USER', run: () => reassign(rfiKey(), w.leaver) },
  { surface: 'user update', input: 'reassign to an inactive user', code: 'TARGET_INACTIVE', run: () => reassign(rfiKey(), w.inactiveMember) },
  { surface: 'user update', input: 'reassign to a non-member of the project', code: 'TARGET_NOT_PROJECT_MEMBER', run: () => reassign(rfiKey(), w.outsider) },
  { surface: 'user update', input: 'reassign to a user in the same batch', code: 'TARGET_BEING_OFFBOARDED', run: () => reassign(rfiKey(), w.mate) },
  { surface: 'user update', input: 'reassign to an unknown user', code: 'TARGET_NOT_FOUND', run: () => reassign(rfiKey(), 987_654_321) },
  { surface: 'user update', input: 'reassign to user ID -3', code: 'INVALID_INPUT', run: () => reassign(rfiKey(), -3) },
  { surface: 'user update', input: 'malformed item key "rfi:abc:manager"', code: 'ITEM_KEY_MALFORMED', run: () => reassign('rfi:abc:manager', w.colleague) },
  { surface: 'user update', input: 'SQL as item key', code: 'ITEM_KEY_MALFORMED', run: () => reassign(SQL, w.colleague) },
  { surface: 'user update', input: 'unknown tool "widget:1:owner"', code: 'ITEM_KEY_MALFORMED', run: () => reassign('widget:1:owner', w.colleague) },
  { surface: 'user update', input: 'role not valid for the tool "rfi:1:approver"', code: 'ITEM_KEY_MALFORMED', run: () => reassign('rfi:1:approver', w.colleague) },
  { surface: 'user update', input: 'unknown item "rfi:2147483647:manager"', code: 'ITEM_NOT_PENDING', run: () => reassign('rfi:2147483647:manager', w.colleague) },
  { surface: 'user update', input: 'an item of another user', code: 'ITEM_NOT_PENDING', run: () => reassign(`observation:${w.otherObservation}:assignee`, w.colleague) },
  { surface: 'user update', input: `close with a note of ${MAX_NOTE_LENGTH + 1} characters`, code: 'NOTE_TOO_LONG', run: () => close(observationKey(), 'n'.repeat(MAX_NOTE_LENGTH + 1)) },
  { surface: 'user update', input: 'oversized note made of SQL and HTML', code: 'NOTE_TOO_LONG', run: () => close(observationKey(), `${SQL}${HTML}`.repeat(40)) },
  { surface: 'user update', input: 'HTML note from a user who is not the manager', code: 'PERMISSION_DENIED', run: () => close(observationKey(), HTML, w.colleague) },
  { surface: 'user update', input: 'SQL-looking "by" ("1 OR 1=1")', code: 'INVALID_INPUT', run: () => reassign(rfiKey(), w.colleague, '1 OR 1=1') },
  { surface: 'user update', input: 'close with a note holding a right-to-left override (U+202E)', code: 'INVALID_INPUT', run: () => close(observationKey(), 'done \u202Efdp.exe') },
  { surface: 'user update', input: 'close with a note of 2,001 emoji', code: 'NOTE_TOO_LONG', run: () => close(observationKey(), '\u{1F600}'.repeat(MAX_NOTE_LENGTH + 1)) },
  {
    surface: 'user update',
    input: '"done" by an admin inactivated since the batch started',
    code: 'PERMISSION_DENIED',
    run: () => codeOf(leaverHandle().executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: w.formerAdmin }] })),
  },
  { surface: 'batch update', input: 'removeUser by a non-admin', code: 'PERMISSION_DENIED', run: () => removeUser(w.leaver, w.manager) },
  { surface: 'batch update', input: 'removeUser by an admin inactivated since the batch started', code: 'PERMISSION_DENIED', run: () => removeUser(w.leaver, w.formerAdmin) },
  {
    surface: 'batch update',
    input: 'cancel by an admin inactivated since the batch started',
    code: 'PERMISSION_DENIED',
    run: () => codeOf(env.client.workflow.getHandle(batchWorkflowId(w.mainBatch)).executeUpdate(cancelBatchUpdate, { args: [{ by: w.formerAdmin }] })),
  },
  { surface: 'batch update', input: 'removeUser of a user not in the batch', code: 'USER_NOT_IN_BATCH', run: () => removeUser(w.colleague, w.admin) },
  { surface: 'batch update', input: 'removeUser with user ID "abc"', code: 'INVALID_INPUT', run: () => removeUser('abc', w.admin) },

  // Activities called directly (a worker's second line of defence, re-checked against the database)
  {
    surface: 'activity',
    input: 'reassignItem by someone neither manager nor admin',
    code: 'PERMISSION_DENIED',
    run: () => activity(() => h.activities.reassignItem({ requestId: req(), itemKey: rfiKey(), fromUserId: w.leaver, toUserId: w.colleague, actorId: w.colleague, workflowId: workflowId() })),
  },
  {
    surface: 'activity',
    input: 'reassignItem of an item the user does not hold',
    code: 'ITEM_NOT_HELD_BY_USER',
    run: () =>
      activity(() =>
        h.activities.reassignItem({ requestId: req(), itemKey: `observation:${w.otherObservation}:assignee`, fromUserId: w.leaver, toUserId: w.colleague, actorId: w.admin, workflowId: workflowId() }),
      ),
  },
  {
    surface: 'activity',
    input: 'closeItem of an already closed item, with an HTML note',
    code: 'ITEM_NOT_OPEN',
    run: () => activity(() => h.activities.closeItem({ requestId: req(), itemKey: `defect:${w.closedDefect}:assigned-to`, userId: w.leaver, actorId: w.admin, workflowId: workflowId(), note: HTML })),
  },
  {
    surface: 'activity',
    input: 'reassignItem without a request ID',
    code: 'INVALID_INPUT',
    run: () => activity(() => h.activities.reassignItem({ requestId: '', itemKey: rfiKey(), fromUserId: w.leaver, toUserId: w.colleague, actorId: w.admin, workflowId: workflowId() })),
  },
  {
    surface: 'activity',
    input: 'closeItem with a 10,000-character SQL note',
    code: 'NOTE_TOO_LONG',
    run: () => activity(() => h.activities.closeItem({ requestId: req(), itemKey: rfiKey(), userId: w.leaver, actorId: w.admin, workflowId: workflowId(), note: SQL.padEnd(10_000, ';') })),
  },
  {
    surface: 'activity',
    input: 'inactivateUser while items are open',
    code: 'OPEN_ITEMS_REMAIN',
    run: () => activity(() => h.activities.inactivateUser({ userId: w.leaver, actorId: w.admin, reason: null, workflowId: workflowId(), force: false })),
  },
  {
    surface: 'activity',
    input: `inactivateUser with a reason of ${MAX_REASON_LENGTH + 1} characters`,
    code: 'INVALID_INPUT',
    run: () => activity(() => h.activities.inactivateUser({ userId: w.outsider, actorId: w.admin, reason: HTML.padEnd(MAX_REASON_LENGTH + 1, '!'), workflowId: 'x', force: false })),
  },
  {
    surface: 'activity',
    input: 'inactivateUser of an unknown user',
    code: 'USER_NOT_FOUND',
    run: () => activity(() => h.activities.inactivateUser({ userId: 987_654_321, actorId: w.admin, reason: null, workflowId: 'x', force: false })),
  },
  {
    surface: 'activity',
    input: 'inactivateUser requested by an admin inactivated since',
    code: 'REQUESTER_INACTIVE',
    run: () => activity(() => h.activities.inactivateUser({ userId: w.outsider, actorId: w.formerAdmin, reason: null, workflowId: 'x', force: false })),
  },
  {
    surface: 'activity',
    input: 'closeItem with an escape sequence in the note',
    code: 'INVALID_INPUT',
    run: () => activity(() => h.activities.closeItem({ requestId: req(), itemKey: rfiKey(), userId: w.leaver, actorId: w.admin, workflowId: workflowId(), note: 'ok\u001b]0;pwned\u0007' })),
  },
  {
    surface: 'activity',
    input: 'reactivateUser of an active user',
    code: 'USER_ALREADY_ACTIVE',
    run: () => activity(() => h.activities.reactivateUser({ userId: w.colleague, actorId: w.admin, reason: null, workflowId: 'x', requestId: req() })),
  },
  {
    surface: 'activity',
    input: 'validateBatch with userIds not an array',
    code: 'BATCH_EMPTY',
    run: () => activity(() => h.activities.validateBatch({ batchId: 'direct', workflowId: 'x', requestedBy: w.admin, userIds: 'all' as unknown as number[] })),
  },

  // The CLI (its refusals resolve people before anything is sent to Temporal)
  { surface: 'CLI', input: 'offboard start with an email that matches nobody', code: 'USER_NOT_FOUND', run: () => cli(['start', 'nobody@example.invalid', '--by', String(w.admin)]) },
  { surface: 'CLI', input: 'offboard start with an SQL-looking email', code: 'USER_NOT_FOUND', run: () => cli(['start', `${SQL}@example.com`, '--by', String(w.admin)]) },
  {
    surface: 'CLI',
    input: 'offboard reassign --to an email that matches nobody',
    code: 'USER_NOT_FOUND',
    run: () => cli(['reassign', String(w.leaver), rfiKey(), '--to', 'ghost@example.invalid', '--by', String(w.manager)]),
  },
  {
    surface: 'CLI',
    input: 'offboard reassign with --to given twice',
    code: USAGE,
    run: () => cli(['reassign', String(w.leaver), rfiKey(), '--to', String(w.outsider), '--to', String(w.colleague), '--by', String(w.manager)]),
  },
  { surface: 'CLI', input: 'offboard cancel with --by given twice', code: USAGE, run: () => cli(['cancel', w.mainBatch, '--by', String(w.nonAdmin), '--by', String(w.admin)]) },
  {
    surface: 'CLI',
    input: 'offboard start with two --successor pairs for one user',
    code: 'INVALID_INPUT',
    run: () => cli(['start', String(w.colleague), '--by', String(w.admin), '--successor', `${w.colleague}=${w.manager}`, '--successor', `${w.colleague}=${w.other}`]),
  },
  { surface: 'CLI', input: 'offboard users --project -1', code: USAGE, run: () => cli(['users', '--project', '-1']) },
  { surface: 'CLI', input: 'offboard users --project 987654321 (no such project)', code: 'PROJECT_NOT_FOUND', run: () => cli(['users', '--project', '987654321']) },
  { surface: 'CLI', input: 'offboard start with user "1e1"', code: 'INVALID_INPUT', run: () => cli(['start', '1e1', '--by', String(w.admin)]) },
  { surface: 'CLI', input: 'offboard reassign --to "0x0A"', code: 'INVALID_INPUT', run: () => cli(['reassign', String(w.leaver), rfiKey(), '--to', '0x0A', '--by', String(w.manager)]) },
  { surface: 'CLI', input: 'offboard remove with user "+10"', code: 'INVALID_INPUT', run: () => cli(['remove', w.mainBatch, '+10', '--by', String(w.admin)]) },
  { surface: 'CLI', input: 'offboard remove from a batch that has ended', code: 'BATCH_FINISHED', run: () => cli(['remove', endedBatch, String(w.leaver), '--by', String(w.admin)]) },
  { surface: 'CLI', input: 'offboard cancel of a batch that has ended', code: 'BATCH_FINISHED', run: () => cli(['cancel', endedBatch, '--by', String(w.admin)]) },
  {
    surface: 'CLI',
    input: 'offboard start --batch of a running batch, other users',
    code: 'BATCH_ID_TAKEN',
    run: () => cli(['start', String(w.leaver), String(w.colleague), '--batch', w.mainBatch, '--by', String(w.admin)]),
  },
  {
    surface: 'CLI',
    input: 'offboard start --batch of a running batch, by a non-admin',
    code: 'PERMISSION_DENIED',
    run: () => cli(['start', String(w.leaver), String(w.mate), '--batch', w.mainBatch, '--by', String(w.nonAdmin)]),
  },
  // Row 116: the review refuses what the start would.
  {
    surface: 'CLI',
    input: 'offboard start --dry-run --batch of a running batch, other users',
    code: 'BATCH_ID_TAKEN',
    run: () => cli(['start', String(w.leaver), String(w.colleague), '--batch', w.mainBatch, '--by', String(w.admin), '--dry-run']),
  },
];

describe('bad input: every row is refused with its code and changes nothing', () => {
  it.each(CASES)('$surface: $input → $code', async (c) => {
    const before = await snapshot();
    const code = await c.run();
    expect(code).toBe(c.code);
    // A refused update can still make the workflow re-read the database; let that settle first.
    await vi.waitFor(async () => expect(await snapshot()).toEqual(before), { timeout: budget(5_000), interval: 250 });
  });

  it('stores SQL and HTML in a note as plain text, and every table is still there', async () => {
    const note = `${SQL} ${HTML}`;
    const usersBefore = (await h.t.db.select().from(users)).length;
    const pending = await leaverHandle().executeUpdate(closeItemUpdate, { args: [{ itemKey: observationKey(), by: w.manager, note }] });
    expect(pending.map((i) => i.key)).toEqual([rfiKey()]);
    const [row] = await h.t.db.select().from(auditLog).where(eq(auditLog.action, 'item.closed'));
    expect((row?.after as { note: string }).note).toBe(note);
    expect((await h.t.db.select().from(users)).length).toBe(usersBefore);
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });
});
