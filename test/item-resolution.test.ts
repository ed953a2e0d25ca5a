import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../db/client';
import { offboardings } from '../db/schema';
import { closeItem, MAX_REASSIGNMENTS_PER_CALL, reassignItem, reassignItems } from '../domain/item-resolution';
import type { CloseItemInput, ReassignItemInput } from '../workflows/contract';
import { scanOpenItems } from '../domain/open-items';
import { createDomainActivities } from '../activities/domain';
import { MAX_NOTE_LENGTH } from '../workflows/contract';
import type { RefusalCode } from '../workflows/contract';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures, type DirectoryFixtures } from './helpers/directory-fixtures';
import { expectRefusal } from './helpers/refusals';

let t: TestDatabase;
let f: DirectoryFixtures;
const CLOCK = new Date('2026-03-04T10:00:00Z');
const deps = () => ({ db: t.db, clock: () => CLOCK });

// One small world: `from` is offboarded, `manager` manages them, `target` can take over on project `p`.
let p: number;
let admin: number;
let manager: number;
let from: number;
let target: number;
let seq = 0;
const rid = () => `req-${++seq}`;

beforeAll(async () => {
  t = await createTestDatabase();
  f = directoryFixtures(t.db);
  p = await f.project('Harbor Tower');
  admin = await f.admin();
  manager = await f.user();
  from = await f.user({ managerId: manager, isEmployee: true });
  target = await f.user();
  for (const u of [from, target, manager]) await f.member(p, u);
});
afterAll(async () => {
  await t?.drop();
});

const reassign = (over: Partial<ReassignItemInput> & { itemKey: string }) =>
  reassignItem(deps(), { requestId: rid(), fromUserId: from, toUserId: target, actorId: manager, workflowId: 'wf-test', ...over });
const close = (over: Partial<CloseItemInput> & { itemKey: string }) =>
  closeItem(deps(), { requestId: rid(), userId: from, actorId: manager, workflowId: 'wf-test', note: null, ...over });

/** Every row an item operation could touch, plus the audit log size. */
async function snapshot(): Promise<string> {
  const tables = [
    'rfis',
    'rfi_assignees',
    'submittals',
    'submittal_approvers',
    'observations',
    'meeting_items',
    'meeting_item_assignees',
    'inspections',
    'defect_items',
    'timecard_entries',
  ];
  const parts: unknown[] = [];
  for (const table of tables) parts.push(await t.sql.unsafe(`select * from ${table} order by 1, 2`));
  parts.push(await t.sql`select count(*)::int as n from audit_log`);
  return JSON.stringify(parts);
}

type Slot = { key: (id: number) => string; make: () => Promise<number> };
const slots = (): Record<string, Slot> => ({
  'rfi manager': { key: (id) => `rfi:${id}:manager`, make: () => f.rfi({ projectId: p, managerId: from }) },
  'rfi assignee': { key: (id) => `rfi:${id}:assignee`, make: () => f.rfi({ projectId: p, assignees: [from] }) },
  'submittal manager': { key: (id) => `submittal:${id}:manager`, make: () => f.submittal({ projectId: p, managerId: from }) },
  'submittal approver': { key: (id) => `submittal:${id}:approver`, make: () => f.submittal({ projectId: p, approvers: [{ userId: from }] }) },
  observation: { key: (id) => `observation:${id}:assignee`, make: () => f.observation({ projectId: p, assigneeId: from }) },
  'meeting item': { key: (id) => `meeting-item:${id}:assignee`, make: () => f.meetingItem({ projectId: p, assignees: [from] }) },
  inspection: { key: (id) => `inspection:${id}:point-of-contact`, make: () => f.inspection({ projectId: p, pocId: from }) },
  defect: { key: (id) => `defect:${id}:assigned-to`, make: () => f.defect({ projectId: p, assignedToId: from }) },
});

const heldKeys = async (userId: number) => (await scanOpenItems(t.db, [userId])).map((i) => i.key);

describe('reassignItem', () => {
  for (const [name, slot] of Object.entries(slots())) {
    it(`moves a ${name} item to the target and audits it`, async () => {
      const key = slot.key(await slot.make());
      expect(await heldKeys(from)).toContain(key);
      const requestId = rid();
      const res = await reassign({ itemKey: key, requestId });
      expect(res).toMatchObject({ itemKey: key, action: 'reassigned', fromUserId: from, toUserId: target, byUserId: manager, projectName: 'Harbor Tower', note: null, requestId });
      expect(new Date(res.at).toISOString()).toBe(res.at);
      expect(await heldKeys(from)).not.toContain(key);
      expect(await heldKeys(target)).toContain(key);
      const audit = await t.sql`select * from audit_log where request_id = ${requestId}`;
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'item.reassigned', actor_id: manager, subject_user_id: from, workflow_id: 'wf-test', after: res });
    });
  }

  it('keeps an approver pending for the target, and just removes the from-user when the target already holds the item', async () => {
    const s = await f.submittal({ projectId: p, approvers: [{ userId: from }] });
    await reassign({ itemKey: `submittal:${s}:approver` });
    expect(await t.sql`select user_id, response from submittal_approvers where submittal_id = ${s}`).toEqual([{ user_id: target, response: 'pending' }]);
    const m = await f.meetingItem({ projectId: p, assignees: [from, target] });
    await reassign({ itemKey: `meeting-item:${m}:assignee` });
    expect(await t.sql`select user_id from meeting_item_assignees where meeting_item_id = ${m}`).toEqual([{ user_id: target }]);
  });

  it('is idempotent by request ID: the same outcome, one audit row', async () => {
    const id = await f.observation({ projectId: p, assigneeId: from });
    const requestId = rid();
    const first = await reassign({ itemKey: `observation:${id}:assignee`, requestId });
    const again = await reassign({ itemKey: `observation:${id}:assignee`, requestId });
    expect(again).toEqual(first);
    const [{ n }] = (await t.sql`select count(*)::int as n from audit_log where request_id = ${requestId}`) as unknown as [{ n: number }];
    expect(n).toBe(1);
  });

  it('two concurrent reassignments of the same item: exactly one wins, the other ITEM_NOT_HELD_BY_USER', async () => {
    const other = await f.user();
    await f.member(p, other);
    const before = await t.sql`select count(*)::int as n from audit_log`;
    const id = await f.defect({ projectId: p, assignedToId: from });
    const key = `defect:${id}:assigned-to`;
    // Through the activity: the loser's failure is what the workflow sees.
    const activity = createDomainActivities(deps()).reassignItem;
    const results = await Promise.allSettled([
      activity({ requestId: rid(), itemKey: key, fromUserId: from, toUserId: target, actorId: manager, workflowId: 'wf-test' }),
      activity({ requestId: rid(), itemKey: key, fromUserId: from, toUserId: other, actorId: manager, workflowId: 'wf-test' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0]?.reason as ApplicationFailure).type).toBe('ITEM_NOT_HELD_BY_USER');
    const after = await t.sql`select count(*)::int as n from audit_log`;
    expect(after[0]!.n - before[0]!.n).toBe(1);
    const [row] = await t.sql`select assigned_to_id from defect_items where id = ${id}`;
    expect(row!.assigned_to_id).toBe((won[0] as PromiseFulfilledResult<{ toUserId: number }>).value.toUserId);
  });

  it('the same request twice at once writes once and both get the same outcome', async () => {
    const id = await f.inspection({ projectId: p, pocId: from });
    const requestId = rid();
    const [a, b] = await Promise.all([
      reassign({ itemKey: `inspection:${id}:point-of-contact`, requestId }),
      reassign({ itemKey: `inspection:${id}:point-of-contact`, requestId }),
    ]);
    expect(a).toEqual(b);
    expect(await t.sql`select id from audit_log where request_id = ${requestId}`).toHaveLength(1);
  });
});

describe('closeItem', () => {
  for (const [name, slot] of Object.entries(slots())) {
    it(`closes a ${name} item`, async () => {
      const itemId = await slot.make();
      const key = slot.key(itemId);
      const requestId = rid();
      const res = await close({ itemKey: key, requestId, note: 'Handled on site.' });
      expect(res).toMatchObject({ itemKey: key, action: 'closed', fromUserId: from, toUserId: null, note: 'Handled on site.' });
      expect(await heldKeys(from)).not.toContain(key);
      const [audit] = await t.sql`select action, after from audit_log where request_id = ${requestId}`;
      expect(audit).toMatchObject({ action: 'item.closed', after: res });
    });
  }

  it('closing an approver item answers that approver (revise_and_resubmit) and leaves the submittal open', async () => {
    const s = await f.submittal({ projectId: p, managerId: manager, approvers: [{ userId: from }, { userId: target }] });
    await close({ itemKey: `submittal:${s}:approver` });
    const rows = await t.sql`select user_id, response, responded_at from submittal_approvers where submittal_id = ${s} order by user_id`;
    expect(rows.find((r) => r.user_id === from)).toMatchObject({ response: 'revise_and_resubmit' });
    expect(rows.find((r) => r.user_id === from)!.responded_at).not.toBeNull();
    expect(rows.find((r) => r.user_id === target)).toMatchObject({ response: 'pending' });
    const [sub] = await t.sql`select status from submittals where id = ${s}`;
    expect(sub!.status).toBe('open');
  });

  it('records the final entry of an employee who is on a project but never recorded time, on that project', async () => {
    const newcomer = await f.user({ isEmployee: true });
    await f.member(p, newcomer);
    const key = `timecard:${newcomer}:employee`;
    expect(await heldKeys(newcomer)).toEqual([key]);
    await close({ itemKey: key, userId: newcomer, actorId: admin });
    const finals = await t.sql`select project_id from timecard_entries where user_id = ${newcomer} and is_final`;
    expect(finals).toEqual([{ project_id: p }]);
    expect(await heldKeys(newcomer)).toEqual([]);
  });

  it('records the final timecard entry for the employee item, idempotently', async () => {
    await f.timecard({ projectId: p, userId: from, workDate: '2026-02-27' });
    const key = `timecard:${from}:employee`;
    expect(await heldKeys(from)).toContain(key);
    const requestId = rid();
    const res = await close({ itemKey: key, requestId, actorId: admin });
    expect(res).toMatchObject({ itemKey: key, tool: 'timecard', action: 'final-timecard-recorded', byUserId: admin, projectName: 'Harbor Tower' });
    expect(await close({ itemKey: key, requestId, actorId: admin })).toEqual(res);
    const finals = await t.sql`select project_id, to_char(work_date, 'YYYY-MM-DD') as work_date, hours, recorded_by from timecard_entries where user_id = ${from} and is_final`;
    expect(finals).toEqual([{ project_id: p, work_date: '2026-03-04', hours: '0.00', recorded_by: admin }]);
    expect(await heldKeys(from)).not.toContain(key);
    const [audit] = await t.sql`select action from audit_log where request_id = ${requestId}`;
    expect(audit!.action).toBe('timecard.final-recorded');
    await expectRefusal(close({ itemKey: key }), 'ITEM_NOT_OPEN');
  });
});

describe('refusals change nothing', () => {
  const cases: [RefusalCode, () => Promise<unknown>][] = [
    ['ITEM_KEY_MALFORMED', async () => reassign({ itemKey: 'rfi:abc:manager' })],
    ['ITEM_KEY_MALFORMED', async () => close({ itemKey: 'rfi:1:approver' })],
    ['ITEM_NOT_FOUND', async () => reassign({ itemKey: 'observation:999999:assignee' })],
    ['ITEM_NOT_FOUND', async () => close({ itemKey: `timecard:${target}:employee`, userId: target, actorId: admin })],
    // An employee with no timecard entries and no project owes no final entry (issue 16, item 3).
    [
      'ITEM_NOT_FOUND',
      async () => {
        const loner = await f.user({ isEmployee: true });
        return close({ itemKey: `timecard:${loner}:employee`, userId: loner, actorId: admin });
      },
    ],
    ['ITEM_NOT_OPEN', async () => reassign({ itemKey: `rfi:${await f.rfi({ projectId: p, managerId: from, status: 'closed' })}:manager` })],
    [
      'ITEM_NOT_OPEN',
      async () => close({ itemKey: `submittal:${await f.submittal({ projectId: p, approvers: [{ userId: from, response: 'approved' }] })}:approver` }),
    ],
    ['ITEM_NOT_HELD_BY_USER', async () => reassign({ itemKey: `defect:${await f.defect({ projectId: p, assignedToId: target })}:assigned-to` })],
    ['ITEM_NOT_HELD_BY_USER', async () => close({ itemKey: `meeting-item:${await f.meetingItem({ projectId: p, assignees: [target] })}:assignee` })],
    ['TARGET_NOT_FOUND', async () => reassign({ itemKey: `observation:${await f.observation({ projectId: p, assigneeId: from })}:assignee`, toUserId: 999999 })],
    ['TARGET_SAME_USER', async () => reassign({ itemKey: `observation:${await f.observation({ projectId: p, assigneeId: from })}:assignee`, toUserId: from })],
    [
      'TARGET_INACTIVE',
      async () => {
        const gone = await f.user({ status: 'inactive', inactivatedAt: new Date() });
        await f.member(p, gone);
        return reassign({ itemKey: `rfi:${await f.rfi({ projectId: p, assignees: [from] })}:assignee`, toUserId: gone });
      },
    ],
    [
      'TARGET_NOT_PROJECT_MEMBER',
      async () => reassign({ itemKey: `inspection:${await f.inspection({ projectId: p, pocId: from })}:point-of-contact`, toUserId: await f.user() }),
    ],
    [
      'TARGET_BEING_OFFBOARDED',
      async () => {
        const leaving = await f.user();
        await f.member(p, leaving);
        await t.db.insert(offboardings).values({ userId: leaving, workflowId: `offboarding-user-${leaving}`, requestedBy: admin, batchId: 'b-1' });
        return reassign({ itemKey: `submittal:${await f.submittal({ projectId: p, managerId: from })}:manager`, toUserId: leaving });
      },
    ],
    ['NOTE_TOO_LONG', async () => close({ itemKey: `defect:${await f.defect({ projectId: p, assignedToId: from })}:assigned-to`, note: 'x'.repeat(MAX_NOTE_LENGTH + 1) })],
    ['PERMISSION_DENIED', async () => close({ itemKey: `defect:${await f.defect({ projectId: p, assignedToId: from })}:assigned-to`, actorId: target })],
    [
      'PERMISSION_DENIED',
      async () => {
        const formerAdmin = await f.admin({ status: 'inactive', inactivatedAt: new Date() });
        return reassign({ itemKey: `observation:${await f.observation({ projectId: p, assigneeId: from })}:assignee`, actorId: formerAdmin });
      },
    ],
    [
      'INVALID_INPUT',
      async () => {
        const employee = await f.user({ isEmployee: true });
        await f.member(p, employee);
        return reassign({ itemKey: `timecard:${employee}:employee`, fromUserId: employee, actorId: admin });
      },
    ],
  ];
  for (const [code, run] of cases) {
    it(`${code}`, async () => {
      // `run` builds its fixture first, so the "before" snapshot is taken just as the activity opens
      // its transaction (refusals raised before any transaction wrote nothing by construction).
      let beforeCall = '';
      const original = t.db.transaction.bind(t.db);
      t.db.transaction = (async (...args: Parameters<typeof original>) => {
        beforeCall = await snapshot();
        return original(...args);
      }) as typeof original;
      try {
        await expectRefusal(run(), code);
      } finally {
        t.db.transaction = original;
      }
      if (beforeCall !== '') expect(await snapshot()).toBe(beforeCall);
      else expect(['ITEM_KEY_MALFORMED', 'NOTE_TOO_LONG', 'INVALID_INPUT']).toContain(code);
    });
  }

  it('an admin may act on anyone’s items; a manager only on their reports’', async () => {
    const id = await f.defect({ projectId: p, assignedToId: from });
    await expect(close({ itemKey: `defect:${id}:assigned-to`, actorId: admin })).resolves.toMatchObject({ byUserId: admin });
    const stranger = await f.user();
    await f.member(p, stranger);
    const other = await f.defect({ projectId: p, assignedToId: stranger });
    await expectRefusal(close({ itemKey: `defect:${other}:assigned-to`, userId: stranger }), 'PERMISSION_DENIED');
  });

  it('infrastructure errors stay retryable (not ApplicationFailures)', async () => {
    const broken = connectDatabase('postgres://postgres:postgres@127.0.0.1:1/nowhere', { max: 1 });
    try {
      const error = await reassignItem(
        { db: broken.db, clock: () => CLOCK },
        { requestId: rid(), itemKey: 'rfi:1:manager', fromUserId: from, toUserId: target, actorId: admin, workflowId: 'wf' },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ApplicationFailure);
    } finally {
      await broken.close();
    }
  });
});

// Issue 25: a successor takes everything over in one transaction, a savepoint per item.
describe('reassignItems', () => {
  const requestsFor = (keys: string[], prefix: string): ReassignItemInput[] =>
    keys.map((itemKey) => ({ requestId: `${prefix}:${itemKey}`, itemKey, fromUserId: from, toUserId: target, actorId: manager, workflowId: 'wf-many' }));

  it('hands each item over as reassignItem would; a refused one stays and is reported; a retry writes nothing new', async () => {
    const elsewhere = await f.project('Elsewhere');
    await f.member(elsewhere, from);
    const keys = [`rfi:${await f.rfi({ projectId: p, managerId: from })}:manager`, `defect:${await f.defect({ projectId: p, assignedToId: from })}:assigned-to`];
    const stays = `observation:${await f.observation({ projectId: elsewhere, assigneeId: from })}:assignee`;
    const requests = requestsFor([keys[0]!, stays, keys[1]!], `many-${seq++}`);
    const audit = async () => (await t.sql`select count(*)::int as n from audit_log where workflow_id = 'wf-many'`)[0]?.n as number;
    const before = await audit();

    const first = await reassignItems(deps(), { requests });
    expect(first.took.map((r) => r.itemKey)).toEqual(keys);
    expect(first.notTaken).toEqual([{ itemKey: stays, code: 'TARGET_NOT_PROJECT_MEMBER', message: expect.stringContaining('Elsewhere') as string }]);
    expect(await heldKeys(target)).toEqual(expect.arrayContaining(keys));
    expect(await heldKeys(from)).toContain(stays);
    expect(await audit()).toBe(before + 2);

    const again = await reassignItems(deps(), { requests });
    expect(again.took).toEqual(first.took);
    expect(again.notTaken.map((n) => n.code)).toEqual(['TARGET_NOT_PROJECT_MEMBER']);
    expect(await audit()).toBe(before + 2);
  });

  it('refuses a malformed call and changes nothing', async () => {
    const key = `inspection:${await f.inspection({ projectId: p, pocId: from })}:point-of-contact`;
    const before = await snapshot();
    const [one] = requestsFor([key], `bad-${seq++}`);
    await expectRefusal(reassignItems(deps(), { requests: 'all' as unknown as ReassignItemInput[] }), 'INVALID_INPUT');
    await expectRefusal(reassignItems(deps(), { requests: [one!, one!] }), 'INVALID_INPUT');
    await expectRefusal(reassignItems(deps(), { requests: [one!, { ...one!, requestId: '' }] }), 'INVALID_INPUT');
    await expectRefusal(reassignItems(deps(), { requests: Array.from({ length: MAX_REASSIGNMENTS_PER_CALL + 1 }, (_, i) => ({ ...one!, requestId: `r${i}` })) }), 'INVALID_INPUT');
    expect(await snapshot()).toBe(before);
  });
});
