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

// Issue 21, item 11: a manager's email is a page they did not ask for, in the page's words.
describe('manager emails speak as the pages do', () => {
  const plain = (o: Partial<OpenItem> & Pick<OpenItem, 'key' | 'tool' | 'role'>): OpenItem => ({
    itemId: 1,
    projectId: 1,
    projectName: 'Harbor View Medical Center',
    number: '',
    title: '',
    status: 'open',
    userId: 61,
    ...o,
  });
  const openItems = [
    plain({ key: 'observation:2:assignee', tool: 'observation', role: 'assignee', number: 'OBS-001', title: 'Missing guardrail at level 3 east stair', status: 'initiated' }),
    plain({ key: 'submittal:4:approver', tool: 'submittal', role: 'approver', number: '7', title: 'Curtain wall shop drawings', status: 'ready_for_review' }),
    plain({ key: 'timecard:61:employee', tool: 'timecard', role: 'employee', title: 'Final timecard entry', status: 'missing' }),
  ];
  const managerPeople: NotificationPeople = {
    user: { id: 61, name: 'Aisha Bello', email: 'aisha.bello@example.com' },
    manager: { id: 15, name: 'Daniel Kim', email: 'daniel.kim@example.com' },
    requester: { id: 46, name: 'David Okafor', email: 'david.okafor@example.com' },
    actor: null,
    names: {},
    fallback: null,
  };
  const kinds: Notification[] = [
    { kind: 'items-assigned', userId: 61, requestedBy: 46, batchId: 'b-7', effectiveAt: null, items: openItems, newSinceLastNotice: false },
    { kind: 'reminder', userId: 61, requestedBy: 46, batchId: 'b-7', items: openItems, waitingSince: '2025-01-01T00:00:00Z', reminderNumber: 1 },
    { kind: 'escalation', userId: 61, requestedBy: 46, batchId: 'b-7', items: openItems, waitingSince: '2025-01-01T00:00:00Z', reason: 'deadline' },
  ];
  const LINK = 'https://offboarding.example/link?t=abc.def';

  for (const n of kinds) {
    for (const actionLink of [LINK, null]) {
      it(`${n.kind}, ${actionLink ? 'with the web app' : 'without a web app'}: names, items in words, ${actionLink ? 'one button' : 'what to do instead'}; no keys, IDs or commands`, () => {
        const r = renderNotification(n, managerPeople, { workflowId: 'wf', now: new Date('2025-01-03T00:00:00Z'), actionLink, publicUrl: actionLink ? 'https://offboarding.example' : null });
        for (const part of [r.text, r.html]) {
          expect(part).toContain('OBS-001 Missing guardrail at level 3 east stair — observation, assignee · initiated');
          expect(part).toContain('Submittal #7 Curtain wall shop drawings — submittal, approver (response pending) · ready for review');
          expect(part).toContain('The final timecard entry — timecard, not recorded yet');
          expect(part).toContain('Aisha Bello');
          for (const key of openItems.map((i) => i.key)) expect(part).not.toContain(key);
          expect(part).not.toMatch(/offboard (reassign|close|done)|--by|<your-user-id>|user[- ]#?\d|\(user \d+\)|status missing|ready_for_review/);
        }
        // The sentence about the items is followed by the items, not by the link.
        const lines = r.text.split('\n');
        const sentence = lines.findIndex((l) => l.startsWith('Open items (3), by project and tool. For each'));
        expect(lines.slice(sentence + 1).find((l) => l.trim() !== '')).toBe('Project: Harbor View Medical Center');
        if (actionLink) {
          expect(r.text.split(LINK)).toHaveLength(2);
          expect(r.html.split(`href="${LINK}"`)).toHaveLength(2);
          expect(r.html).toContain('Open Aisha Bello’s items');
          expect(r.text).toContain('Press “Check again” on the page');
        } else {
          expect(r.text).not.toContain('http');
          expect(r.text).toContain('directly in the tools');
        }
      });
    }
  }
});

// Issue 21, item 14: every kind links to where its reader looks — plain links, people sign in.
describe('summary, inactivated and received emails link to their page', () => {
  const at = { workflowId: 'wf', now: new Date('2025-01-03T00:00:00Z') };
  const byKind = (kind: Notification['kind']) => all.find((n) => n.kind === kind)!;
  it('batch summary → the batch page, inactivated → Inactive users, received → the receiver’s items in the Assignment Report', () => {
    const web = { ...at, publicUrl: 'https://offboarding.example' };
    const summary = renderNotification(byKind('batch-summary'), people, web);
    const gone = renderNotification(byKind('inactivated'), people, web);
    const received = renderNotification(byKind('items-received'), people, web);
    for (const [r, url] of [
      [summary, 'https://offboarding.example/hr/batches/b'],
      [gone, 'https://offboarding.example/hr/inactive'],
      [received, 'https://offboarding.example/hr/report?user=5'],
    ] as const) {
      expect(r.text).toContain(`    ${url}`);
      expect(r.html).toContain(`href="${url.replaceAll('&', '&amp;')}"`);
    }
    // Without a web app there is nothing to link to.
    for (const kind of ['batch-summary', 'inactivated', 'items-received'] as const) {
      expect(renderNotification(byKind(kind), people, at).text).not.toContain('http');
    }
  });
});
