// What the Web UI shows beside each activity and timer (workflows/summaries.ts): pure functions,
// checked here without Temporal. That the workflows attach them is checked on real histories in
// test/workflows-in-memory.test.ts and test/web-ui.browser.test.ts.
import { describe, expect, it } from 'vitest';
import type { Notification, OpenItem } from '../workflows/contract';
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
