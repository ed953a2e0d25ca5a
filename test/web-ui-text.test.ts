// What the Web UI shows beside each activity and timer (workflows/summaries.ts) and as a workflow's
// current details (workflows/current-details.ts): pure functions, checked here without Temporal. That
// the workflows attach them is checked on real histories and queries in test/workflows-in-memory.test.ts,
// test/user-offboarding.test.ts and in a real browser in test/web-ui.test.ts.
import { describe, expect, it } from 'vitest';
import type { ItemResolution, Notification, OpenItem, UserOffboardingStatus } from '../workflows/contract';
import { MAX_LISTED_ITEMS, renderUserDetails, type UserDetailsView } from '../workflows/current-details';
import {
  ACTIVITY_SUMMARIES,
  deadlineTimer,
  effectiveDateTimer,
  emailRetryTimer,
  emailSummary,
  escalationTimer,
  formatDuration,
  receiptsTimer,
  reminderTimer,
} from '../workflows/summaries';
import { InMemoryDirectory, inMemoryActivities } from './helpers/in-memory-activities';

const DAY = 24 * 60 * 60 * 1000;
const item = (key: string): OpenItem => ({
  key,
  tool: 'rfi',
  role: 'manager',
  itemId: 1,
  projectId: 1,
  projectName: 'Tower A',
  number: 'RFI-1',
  title: 'Slab pour',
  status: 'open',
  userId: 10,
});
const base = { userId: 10, requestedBy: 1, batchId: 'q3' };

describe('activity summaries', () => {
  it('exist for every activity the worker registers', () => {
    const registered = Object.keys(inMemoryActivities(new InMemoryDirectory())).sort();
    expect(Object.keys(ACTIVITY_SUMMARIES).sort()).toEqual(registered);
  });

  it('say what each call does, with IDs and item keys', () => {
    const s = ACTIVITY_SUMMARIES;
    expect(s.reassignItem({ requestId: 'r', itemKey: 'rfi:1:manager', fromUserId: 10, toUserId: 7, actorId: 3, workflowId: 'w' })).toBe(
      'reassign rfi:1:manager to user 7 (by user 3)',
    );
    expect(s.closeItem({ requestId: 'r', itemKey: 'defect:4:assigned-to', userId: 10, actorId: 3, workflowId: 'w', note: 'secret note' })).toBe(
      'close defect:4:assigned-to (by user 3)',
    );
    expect(s.closeItem({ requestId: 'r', itemKey: 'timecard:10:employee', userId: 10, actorId: 3, workflowId: 'w', note: null })).toBe(
      'record the final timecard entry timecard:10:employee (by user 3)',
    );
    expect(s.listOpenItems({ userIds: [10] })).toBe('scan open items of user 10');
    expect(s.listOpenItems({ userIds: [10, 11, 12] })).toBe('scan open items of 3 users');
    expect(s.validateBatch({ batchId: 'q3', workflowId: 'w', requestedBy: 1, userIds: Array.from({ length: 1200 }, (_, i) => i + 2) })).toBe(
      'validate batch q3: 1,200 users, requested by user 1',
    );
    expect(s.claimOffboarding({ userId: 10, batchId: 'q3', workflowId: 'w', requestedBy: 1 })).toBe('claim user 10 for batch q3');
    expect(s.inactivateUser({ userId: 10, actorId: 1, reason: 'left', workflowId: 'w', force: false })).toBe('inactivate user 10');
    expect(s.inactivateUser({ userId: 10, actorId: 1, reason: 'left', workflowId: 'w', force: true })).toBe(
      'inactivate user 10, open items left as they are (policy)',
    );
    expect(s.loadAdmins()).toBe('reload the directory admins');
    expect(s.releaseOffboardings({ batchId: 'q3', userIds: [4, 5], outcome: 'cancelled' })).toBe('release 2 users never started (cancelled)');
  });

  it('name each email and who it goes to', () => {
    const cases: [Notification, string][] = [
      [{ kind: 'items-assigned', ...base, effectiveAt: null, items: [item('rfi:1:manager'), item('rfi:2:manager')], newSinceLastNotice: false }, 'email: 2 items to reassign, to the manager'],
      [{ kind: 'items-assigned', ...base, effectiveAt: null, items: [item('rfi:3:manager')], newSinceLastNotice: true }, 'email: 1 new item to reassign, to the manager'],
      [{ kind: 'reminder', ...base, items: [], waitingSince: '2026-11-01T00:00:00Z', reminderNumber: 2 }, 'email: reminder 2 to the manager'],
      [{ kind: 'escalation', ...base, items: [], waitingSince: '2026-11-01T00:00:00Z', reason: 'escalate-after' }, 'email: escalation to the requester and the admins'],
      [{ kind: 'escalation', ...base, items: [], waitingSince: '2026-11-01T00:00:00Z', reason: 'deadline' }, 'email: deadline passed, to the requester and the admins'],
      [{ kind: 'inactivated', ...base, inactivatedAt: '2026-11-02T00:00:00Z', resolutions: [], itemsLeftOpen: [] }, 'email: user 10 inactivated, to the manager and the requester'],
      [{ kind: 'offboarding-stopped', ...base, outcome: 'removed', by: 1, itemsLeft: [] }, 'email: offboarding removed, to the manager'],
      [{ kind: 'items-received', ...base, recipientId: 12, received: [] }, 'email: 0 items received, to user 12'],
      [{ kind: 'reactivated', userId: 10, by: 1, reason: 'back' }, 'email: user 10 reactivated, to the manager, the admin and the user'],
    ];
    for (const [n, text] of cases) {
      expect(emailSummary(n)).toBe(text);
      expect(ACTIVITY_SUMMARIES.sendNotification({ idempotencyKey: 'k', workflowId: 'w', notification: n })).toBe(text);
    }
  });

  it('never throw, and never repeat what a person typed, on input the activity will refuse', () => {
    const junk = '../../etc passwd\u001b[31m <b>Zelda</b>\nsecond line';
    const s = ACTIVITY_SUMMARIES;
    const texts = [
      s.validateBatch({ batchId: junk, workflowId: 'w', requestedBy: -5, userIds: 'abc' as unknown as number[] }),
      s.reassignItem({ requestId: 'r', itemKey: `rfi:1;${junk}`, fromUserId: 10, toUserId: 1.5, actorId: 'x' as unknown as number, workflowId: 'w' }),
      s.claimOffboarding({ userId: 10, batchId: junk, workflowId: 'w', requestedBy: 1 }),
      s.finishOffboarding({ userId: 10, workflowId: 'w', outcome: junk as 'failed' }),
      s.listOpenItems({ userIds: undefined as unknown as number[] }),
    ];
    expect(texts).toEqual([
      'validate a batch with an invalid ID: 0 users, requested by user ?',
      'reassign an unknown item to user ? (by user ?)',
      'claim user 10 for a batch with an invalid ID',
      'record the outcome of user 10: ?',
      'scan open items of 0 users',
    ]);
  });
});

describe('timer summaries', () => {
  it('read as the wake-up they stand for', () => {
    expect(reminderTimer(1)).toBe('reminder 1');
    expect(escalationTimer(7 * DAY)).toBe('escalation after 7 d');
    expect(deadlineTimer(36 * 60 * 60 * 1000)).toBe('deadline after 36 h');
    expect(effectiveDateTimer(Date.parse('2030-01-31T17:00:00Z'))).toBe('effective date 2030-01-31');
    expect(receiptsTimer(15 * 60 * 1000)).toBe('tell new owners after 15 min without a hand-over');
    const reminder: Notification = { kind: 'reminder', ...base, items: [], waitingSince: '2026-11-01T00:00:00Z', reminderNumber: 2 };
    expect(emailRetryTimer(reminder, 2, 10 * 60 * 1000)).toBe('email round 2 in 10 min: reminder 2 to the manager');
  });

  it('format durations in the largest whole unit', () => {
    expect([DAY, 2 * DAY, 90 * 60 * 1000, 60_000, 1_500, 0, -1, Number.NaN].map(formatDuration)).toEqual(['1 d', '2 d', '90 min', '1 min', '2 s', '0 s', '?', '?']);
  });
});

const status = (over: Partial<UserOffboardingStatus> = {}): UserOffboardingStatus => ({
  userId: 10,
  batchId: 'q3',
  stage: 'awaiting-reassignment',
  pendingItems: [],
  resolutions: [],
  waitingSince: '2026-11-30T13:25:00.000Z',
  remindersSent: 0,
  escalated: false,
  emailFailures: 0,
  emailsPending: 0,
  result: null,
  ...over,
});
const view = (over: Partial<UserDetailsView> = {}): UserDetailsView => ({
  status: status(),
  requestedBy: 1,
  effectiveAt: null,
  managerId: 4,
  wakeUps: [],
  stopRequestedBy: null,
  ...over,
});
const openItem = (n: number, over: Partial<OpenItem> = {}): OpenItem => ({ ...item(`rfi:${n}:manager`), itemId: n, number: `RFI-${n}`, title: `Question ${n}`, ...over });
const resolution = (itemKey: string, action: ItemResolution['action'], toUserId: number | null): ItemResolution => ({
  itemKey,
  tool: 'rfi',
  title: 'x',
  projectName: 'Tower A',
  action,
  fromUserId: 10,
  toUserId,
  byUserId: 4,
  at: '2026-11-30T14:00:00.000Z',
  note: null,
  requestId: itemKey,
});
/** The rows of the Markdown table of open items. */
const tableRows = (md: string): string[] => md.split('\n').filter((l) => l.startsWith('| `'));

describe("a user's current details", () => {
  it('say the stage, what comes next and when, who may act, the open items and what is resolved', () => {
    const md = renderUserDetails(
      view({
        status: status({
          pendingItems: [openItem(1), openItem(2, { tool: 'defect', key: 'defect:2:assigned-to', projectName: null })],
          resolutions: [resolution('rfi:7:manager', 'reassigned', 7), resolution('rfi:8:manager', 'reassigned', 7), resolution('rfi:9:manager', 'closed', null)],
          remindersSent: 1,
        }),
        wakeUps: [
          { what: 'reminder 2', at: Date.parse('2026-12-04T13:25:00Z') },
          { what: 'escalation after 7 d', at: Date.parse('2026-12-07T13:25:00Z') },
        ],
      }),
    );
    expect(md).toBe(
      [
        '### Awaiting reassignment: 2 open items',
        'Waiting for the manager or a directory admin to reassign or close them (or to say "done" after doing it in the tools).',
        '',
        '**Next:** reminder 2 on 2026-12-04 13:25 UTC · escalation after 7 d on 2026-12-07 13:25 UTC',
        'Waiting since 2026-11-30 13:25 UTC · 1 reminder sent · not escalated',
        '',
        '**Who may act:** the manager, user 4, and the directory admins.',
        '',
        '| key | tool | project | number | title |',
        '|---|---|---|---|---|',
        '| `rfi:1:manager` | RFIs | Tower A | RFI-1 | Question 1 |',
        '| `defect:2:assigned-to` | Defect (punch) list items | — | RFI-2 | Question 2 |',
        '',
        '**Resolved: 3** — 2 reassigned, 1 closed (to user 7: 2).',
        '',
        '_User 10 · batch q3 · requested by user 1_',
      ].join('\n'),
    );
  });

  it(`list at most ${MAX_LISTED_ITEMS} items, then count the rest`, () => {
    const items = Array.from({ length: 120 }, (_, i) => openItem(i + 1));
    const md = renderUserDetails(view({ status: status({ pendingItems: items }) }));
    expect(md).toContain('### Awaiting reassignment: 120 open items');
    expect(tableRows(md)).toHaveLength(MAX_LISTED_ITEMS);
    expect(md).toContain('`rfi:50:manager`');
    expect(md).not.toContain('`rfi:51:manager`');
    expect(md).toContain('_and 70 more_');
  });

  it('keep what the directory holds in one escaped table cell', () => {
    const title = 'A | b <img onerror=x> [c](http://e.x) **d**\n| e \u001b[31m';
    const md = renderUserDetails(
      view({ status: status({ pendingItems: [openItem(1, { title, projectName: 'A_B*C' }), openItem(2, { title: 'x'.repeat(200) })] }) }),
    );
    const [row, long] = tableRows(md);
    // Six cell borders and nothing else: every | of the title is escaped.
    expect(row?.match(/(?<!\\)\|/g)).toHaveLength(6);
    expect(row).toContain('| A \\| b \\<img onerror=x\\> \\[c\\]\\(http://e.x\\) \\*\\*d\\*\\* \\| e \uFFFD\\[31m |');
    expect(row).toContain('| A\\_B\\*C |');
    expect(long).toContain(`| ${'x'.repeat(79)}… |`);
    expect(md).not.toContain('\u001b');
  });

  it('say who may act when there is no manager, or before the permissions are known', () => {
    expect(renderUserDetails(view({ managerId: null }))).toContain('**Who may act:** the directory admins (user 10 has no manager on record).');
    expect(renderUserDetails(view({ managerId: undefined, status: status({ stage: 'validating', waitingSince: null }) }))).toContain(
      '**Who may act:** not known yet (loading the permissions).',
    );
  });

  it('end with how the offboarding ended, and no one asked to act', () => {
    const result = { userId: 10, outcome: 'inactivated' as const, inactivatedAt: '2026-12-01T09:30:00.000Z', resolutions: [], itemsLeftOpen: [], reason: null };
    const done = renderUserDetails(view({ status: status({ stage: 'inactivated', result }) }));
    expect(done.split('\n')[0]).toBe('### Inactivated on 2026-12-01 09:30 UTC');
    expect(done).not.toContain('Who may act');
    const removed = renderUserDetails(view({ status: status({ stage: 'removed', result: { ...result, outcome: 'removed', inactivatedAt: null } }), stopRequestedBy: 2 }));
    expect(removed.split('\n').slice(0, 2)).toEqual(['### Removed from the batch by user 2', 'User 10 stays active; open items stay as they are.']);
    const failed = renderUserDetails(view({ status: status({ stage: 'failed', result: { ...result, outcome: 'failed', reason: 'USER_ALREADY_INACTIVE: the user was already inactive' } }) }));
    expect(failed.split('\n').slice(0, 2)).toEqual(['### Failed', 'USER\\_ALREADY\\_INACTIVE: the user was already inactive']);
  });

  it('show the effective date being waited for, and emails still being delivered', () => {
    const at = Date.parse('2030-01-31T17:00:00Z');
    const md = renderUserDetails(
      view({
        status: status({ stage: 'waiting-effective-date', emailsPending: 1, emailFailures: 2 }),
        effectiveAt: '2030-01-31T17:00:00Z',
        wakeUps: [{ what: 'effective date 2030-01-31', at }],
      }),
    );
    expect(md).toContain('### Waiting for the effective date');
    expect(md).toContain('**Next:** effective date 2030-01-31 on 2030-01-31 17:00 UTC');
    expect(md).toContain('**Emails:** 1 being delivered, 2 failed rounds so far (see the outbox).');
    expect(md).toContain('effective date 2030-01-31 17:00 UTC_');
  });
});
