// Pure rendering: no database, no SMTP. Guards that nothing from the database reaches HTML unescaped.
import { describe, expect, it } from 'vitest';
import { formatWaited } from '../domain/notifications/format';
import { escapeHtml } from '../domain/notifications/html';
import { renderNotification, type NotificationPeople } from '../domain/notifications/render';
import type { Notification, OpenItem } from '../workflows/contract';

const EVIL = `<img src=x onerror="alert('x')">&amp;`;
const item = (key: string, tool: OpenItem['tool'], role: OpenItem['role']): OpenItem => ({
  key,
  tool,
  role,
  itemId: 1,
  projectId: 1,
  projectName: `Project ${EVIL}`,
  number: `N${EVIL}`,
  title: `Title ${EVIL}`,
  status: 'open',
  userId: 2,
});
const items = [item('rfi:1:assignee', 'rfi', 'assignee'), item('defect:1:assigned-to', 'defect', 'assigned-to')];
const person = (id: number) => ({ id, name: `Name${id} ${EVIL}`, email: `p${id}@example.com` });
const people: NotificationPeople = {
  user: person(2),
  manager: person(3),
  requester: person(1),
  actor: person(4),
  names: { 5: `Five ${EVIL}` },
  fallback: { to: 'requester', why: `the manager, Name3 ${EVIL}, has no email address` },
};
const all: Notification[] = [
  { kind: 'items-assigned', userId: 2, requestedBy: 1, batchId: 'b', effectiveAt: null, items, newSinceLastNotice: false },
  { kind: 'reminder', userId: 2, requestedBy: 1, batchId: 'b', items, waitingSince: '2025-01-01T00:00:00Z', reminderNumber: 1 },
  { kind: 'escalation', userId: 2, requestedBy: 1, batchId: 'b', items, waitingSince: '2025-01-01T00:00:00Z', reason: 'deadline' },
  {
    kind: 'inactivated',
    userId: 2,
    requestedBy: 1,
    batchId: 'b',
    inactivatedAt: '2025-01-02T00:00:00Z',
    resolutions: [
      { itemKey: 'rfi:1:assignee', tool: 'rfi', title: `T ${EVIL}`, projectName: `P ${EVIL}`, action: 'reassigned', fromUserId: 2, toUserId: 5, byUserId: 3, at: '2025-01-01T00:00:00Z', note: `note ${EVIL}`, requestId: 'r' },
    ],
    itemsLeftOpen: items,
  },
  {
    kind: 'batch-summary',
    batchId: 'b',
    requestedBy: 1,
    summary: { batchId: 'b', requestedBy: 1, inactivated: [2], removed: [5], cancelled: [], failed: [{ userId: 3, reason: `r ${EVIL}` }], rejected: [{ userId: 9, code: 'USER_NOT_FOUND', message: `m ${EVIL}` }] },
  },
  { kind: 'reactivated', userId: 2, by: 4, reason: `because ${EVIL}` },
  { kind: 'offboarding-stopped', userId: 2, requestedBy: 1, batchId: 'b', outcome: 'cancelled', by: 5, itemsLeft: items },
  {
    kind: 'items-received',
    userId: 2,
    requestedBy: 1,
    batchId: 'b',
    recipientId: 5,
    received: [{ itemKey: 'rfi:1:assignee', tool: 'rfi', title: `T ${EVIL}`, projectName: `P ${EVIL}`, action: 'reassigned', fromUserId: 2, toUserId: 5, byUserId: 3, at: '2025-01-01T00:00:00Z', note: null, requestId: 'r' }],
  },
  {
    kind: 'items-assigned',
    userId: 2,
    requestedBy: 1,
    batchId: 'b',
    effectiveAt: null,
    items,
    newSinceLastNotice: false,
    successor: {
      userId: 5,
      took: [{ itemKey: 'rfi:2:manager', tool: 'rfi', title: `T ${EVIL}`, projectName: `P ${EVIL}`, action: 'reassigned', fromUserId: 2, toUserId: 5, byUserId: 1, at: '2025-01-01T00:00:00Z', note: null, requestId: 's' }],
      notTaken: [{ item: items[1]!, code: 'TARGET_NOT_PROJECT_MEMBER', message: `m ${EVIL}` }],
    },
  },
];

describe('rendering', () => {
  it('escapeHtml escapes the five characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it.each(all.map((n, i) => [`${i} ${n.kind}`, n] as const))('%s: database text is escaped in HTML, intact in text', (_kind, n) => {
    const r = renderNotification(n, people, { workflowId: 'wf-1', now: new Date('2025-01-10T06:00:00Z') });
    expect(r.html).not.toContain('<img');
    expect(r.html).not.toContain(`onerror="`);
    expect(r.html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;');
    expect(r.text).toContain(EVIL);
    expect(r.subject).not.toMatch(/[\r\n]/);
    expect(r.headers['X-Offboarding-Kind']).toBe(n.kind);
    expect(r.headers['X-Offboarding-Workflow-Id']).toBe('wf-1');
  });

  it('says how long something waited in days and hours', () => {
    const now = new Date('2025-01-10T06:00:00Z');
    expect(formatWaited('2025-01-10T05:30:00Z', now)).toBe('less than an hour');
    expect(formatWaited('2025-01-10T01:00:00Z', now)).toBe('5 hours');
    expect(formatWaited('2025-01-09T06:00:00Z', now)).toBe('1 day');
    expect(formatWaited('2025-01-07T04:00:00Z', now)).toBe('3 days 2 hours');
  });

  it('neutralises terminal escapes and bidi overrides in names, titles and notes, and keeps line breaks', () => {
    const sneaky = (id: number) => ({ id, name: `Eve\u001b[2J\u202Egpj.exe ${id}`, email: `e${id}@example.com` });
    const spoofed: NotificationPeople = { ...people, user: sneaky(2), manager: sneaky(3), requester: sneaky(1), actor: sneaky(4) };
    for (const n of all) {
      const r = renderNotification(n, spoofed, { workflowId: 'wf-1', now: new Date('2025-01-10T06:00:00Z') });
      for (const part of [r.subject, r.text, r.html]) {
        // eslint-disable-next-line no-control-regex -- looks for the escape character on purpose
        expect(part).not.toMatch(/[\u001b\u202e]/);
      }
      expect(r.text).toContain('Eve\uFFFD[2J\uFFFDgpj.exe');
      expect(r.text).toContain('\n');
    }
  });
});
