import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailer } from '../adapters/mail-transport';
import type { Mailer } from '../domain/notifications/mail';
import { createNotificationActivities } from '../activities/notifications';
import { messageIdFor, type NotificationLog } from '../domain/notifications/outbox';
import { auditLog, notificationOutbox, users } from '../db/schema';
import type { ItemResolution, Notification } from '../workflows/contract';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createNotificationFixture, type NotificationFixture } from './helpers/notification-fixtures';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';

const NOW = new Date('2025-03-10T12:00:00Z');
const MAIL_FROM = 'Offboarding <offboarding@acme.test>';

let t: TestDatabase;
let sink: SmtpSink;
let mailer: Mailer;
let f: NotificationFixture;
let logs: string[];
let activities: ReturnType<typeof createNotificationActivities>;

beforeAll(async () => {
  [t, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: '/nonexistent', mailFrom: MAIL_FROM });
  f = await createNotificationFixture(t.db, 'n');
  const log: NotificationLog = (level, message) => logs.push(`${level}: ${message}`);
  activities = createNotificationActivities({ db: t.db, mailer, clock: () => NOW, log });
});
afterAll(async () => {
  await mailer?.close();
  await sink?.close();
  await t?.drop();
});
beforeEach(() => {
  sink.clear();
  logs = [];
});

let seq = 0;
const send = (notification: Notification, key = `wf-${++seq}:${notification.kind}`) =>
  activities.sendNotification({ idempotencyKey: key, workflowId: `wf-${seq}`, notification });

/** Both parts exist and the message carries the tracing headers. */
function expectWellFormed(m: ParsedMail, kind: string) {
  expect(m.text?.length ?? 0).toBeGreaterThan(20);
  expect(typeof m.html === 'string' && m.html.includes('<body')).toBe(true);
  expect(m.headers.get('x-offboarding-kind')).toBe(kind);
  expect(m.headers.get('x-offboarding-workflow-id')).toMatch(/^wf-/);
  expect(m.from?.text).toContain('offboarding@acme.test');
}

const recipients = (m: ParsedMail) =>
  (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address)).sort();

describe('each kind reaches the right people with what they need', () => {
  it('items-assigned: to the manager, items grouped by project and tool, in the page’s words', async () => {
    const result = await send({
      kind: 'items-assigned',
      userId: f.user.id,
      requestedBy: f.admin.id,
      batchId: 'b-2025-03',
      effectiveAt: '2025-03-31T17:00:00Z',
      items: f.items,
      newSinceLastNotice: false,
    });
    expect(result.status).toBe('sent');
    expect(result.recipients).toEqual([f.manager.email]);
    const [m] = await sink.waitFor(1);
    const p = m!.parsed;
    expectWellFormed(p, 'items-assigned');
    expect(m!.envelope.to).toEqual([f.manager.email]);
    expect(p.subject).toBe('Action needed: reassign or close 4 open items of Uma <User> & "Co" before offboarding');
    expect(p.headers.get('x-offboarding-batch-id')).toBe('b-2025-03');
    expect(p.headers.get('x-offboarding-user-id')).toBe(String(f.user.id));
    expect(p.messageId).toBe(result.messageId);

    const text = p.text!;
    expect(text).toContain('Hello Mia Manager,');
    expect(text).toContain('Requested by: Ada Admin');
    expect(text).toContain('not before 2025-03-31 17:00 UTC');
    // Grouped by project (alphabetical, "No project" last), then by tool in the tools' order.
    const order = ['Project: Airport Annex', 'Defect (punch) list items', 'Project: Harbor Tower', 'RFIs', 'Observations', 'Project: No project', 'Timecards'];
    const positions = order.map((s) => text.indexOf(s));
    expect(positions.every((pos) => pos >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const u = f.user.id;
    // Each item in the page's words; no item keys, user IDs or the operators' commands (docs/cli.md, --help).
    expect(text).toContain('RFI #7 Slab thickness <script>alert(1)</script> — RFI, manager · open');
    expect(text).toContain('Punch item #12 Cracked tile & grout — punch item, assigned to · work required');
    expect(text).toContain('Observation #3 Missing guardrail — observation, assignee · initiated');
    expect(text).toContain('The final timecard entry — timecard, not recorded yet');
    for (const item of f.items) expect(`${text}${p.html}`).not.toContain(item.key);
    expect(`${text}${p.html}`).not.toMatch(new RegExp(`offboard |--by|\\(user ${u}\\)`));
    expect(p.html).toContain('Punch item #12 Cracked tile &amp; grout — punch item, assigned to · work required');

    const [row] = await t.db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, `wf-${seq}:items-assigned`));
    expect(row).toMatchObject({ status: 'sent', attempts: 1, smtpMessageId: result.messageId, kind: 'items-assigned' });
    expect(row!.sentAt?.toISOString()).toBe(NOW.toISOString());
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.requestId, `notification:wf-${seq}:items-assigned`));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'notification.sent', entityType: 'notification', entityId: String(row!.id), workflowId: `wf-${seq}`, subjectUserId: u });
  });

  it('items-assigned with newSinceLastNotice says the items are new', async () => {
    await send({
      kind: 'items-assigned',
      userId: f.user.id,
      requestedBy: f.admin.id,
      batchId: null,
      effectiveAt: null,
      items: [f.items[1]!],
      newSinceLastNotice: true,
    });
    const [m] = await sink.waitFor(1);
    expect(m!.parsed.subject).toBe('New open items for Uma <User> & "Co": 1 open item more to reassign or close');
    expect(m!.parsed.text).toContain('Since the last notice');
    expect(m!.parsed.text).toContain('as soon as the items are handled');
    expect(m!.parsed.headers.get('x-offboarding-batch-id')).toBeUndefined();
  });

  it('reminder: to the manager, with what is still open and how long it has waited', async () => {
    await send({
      kind: 'reminder',
      userId: f.user.id,
      requestedBy: f.admin.id,
      batchId: 'b-1',
      items: f.items.slice(0, 2),
      waitingSince: '2025-03-07T08:00:00Z',
      reminderNumber: 2,
    });
    const [m] = await sink.waitFor(1);
    expectWellFormed(m!.parsed, 'reminder');
    expect(m!.envelope.to).toEqual([f.manager.email]);
    expect(m!.parsed.subject).toBe('Reminder 2: 2 open items of Uma <User> & "Co" still open (waiting 3 days 4 hours)');
    expect(m!.parsed.text).toContain('since 2025-03-07 08:00 UTC');
    expect(m!.parsed.text).toContain('RFI #7 Slab thickness');
    expect(m!.parsed.text).toContain('Punch item #12 Cracked tile & grout');
    expect(m!.parsed.text).not.toContain('Missing guardrail');
  });

  it('escalation: to the requester and every active company admin with an email', async () => {
    await send({
      kind: 'escalation',
      userId: f.user.id,
      requestedBy: f.admin.id,
      batchId: 'b-1',
      items: f.items.slice(0, 1),
      waitingSince: '2025-03-01T12:00:00Z',
      reason: 'escalate-after',
    });
    const [m] = await sink.waitFor(1);
    expectWellFormed(m!.parsed, 'escalation');
    expect(m!.envelope.to.sort()).toEqual([f.admin.email, f.admin2.email].sort());
    expect(m!.parsed.subject).toBe('Escalation: offboarding of Uma <User> & "Co" waiting 9 days on 1 open item');
    expect(m!.parsed.text).toContain('waiting since 2025-03-01 12:00 UTC');
    expect(m!.parsed.text).toContain('The manager asked to act is Mia Manager');
    expect(m!.parsed.text).toContain('RFI #7 Slab thickness');
  });

  it('inactivated: to manager and requester, what was reassigned or closed, to whom, by whom, when; items left open', async () => {
    const resolutions: ItemResolution[] = [
      {
        itemKey: f.items[0]!.key,
        tool: 'rfi',
        title: 'Slab thickness',
        projectName: 'Harbor Tower',
        action: 'reassigned',
        fromUserId: f.user.id,
        toUserId: f.successor.id,
        byUserId: f.manager.id,
        at: '2025-03-09T10:30:00Z',
        note: null,
        requestId: 'r1',
      },
      {
        itemKey: f.items[1]!.key,
        tool: 'defect',
        title: 'Cracked tile & grout',
        projectName: 'Airport Annex',
        action: 'closed',
        fromUserId: f.user.id,
        toUserId: null,
        byUserId: f.admin.id,
        at: '2025-03-09T11:00:00Z',
        note: 'fixed on site',
        requestId: 'r2',
      },
    ];
    await send({
      kind: 'inactivated',
      userId: f.user.id,
      requestedBy: f.admin.id,
      batchId: 'b-1',
      inactivatedAt: '2025-03-10T09:00:00Z',
      resolutions,
      itemsLeftOpen: [f.items[2]!],
    });
    const [m] = await sink.waitFor(1);
    const p = m!.parsed;
    expectWellFormed(p, 'inactivated');
    expect(m!.envelope.to.sort()).toEqual([f.admin.email, f.manager.email].sort());
    expect(p.subject).toBe('Uma <User> & "Co" was inactivated');
    expect(p.text).toContain('inactivated on 2025-03-10 09:00 UTC');
    expect(p.text).toContain('RFI: Slab thickness (Harbor Tower): reassigned to Sam Successor by Mia Manager on 2025-03-09 10:30 UTC');
    expect(p.text).toContain('closed by Ada Admin on 2025-03-09 11:00 UTC — note: fixed on site');
    expect(p.text).toContain('Items left open, as they were (1)');
    expect(p.text).toContain('Observation #3 Missing guardrail — observation, assignee · initiated');
    expect(p.html).toContain('reassigned to Sam Successor');
    expect(p.html).toContain('Cracked tile &amp; grout');
  });

  it('batch-summary: to the requester, with counts and lists, like the green banner', async () => {
    await send({
      kind: 'batch-summary',
      batchId: 'b-9',
      requestedBy: f.admin.id,
      summary: {
        batchId: 'b-9',
        requestedBy: f.admin.id,
        inactivated: [f.user.id, f.noManager.id],
        removed: [f.managedBySilent.id],
        cancelled: [],
        failed: [{ userId: f.successor.id, reason: 'database unavailable' }],
        rejected: [{ userId: 99999, code: 'USER_NOT_FOUND', message: 'No user 99999' }],
      },
    });
    const [m] = await sink.waitFor(1);
    const p = m!.parsed;
    expectWellFormed(p, 'batch-summary');
    expect(m!.envelope.to).toEqual([f.admin.email]);
    expect(p.subject).toBe('Offboarding batch b-9 finished: 2 users were inactivated');
    expect(p.headers.get('x-offboarding-batch-id')).toBe('b-9');
    expect(p.headers.get('x-offboarding-user-id')).toBeUndefined();
    expect(p.text).toContain('Inactivated 2 · Removed 1 · Cancelled 0 · Failed 1 · Rejected 1');
    expect(p.text).toContain(`Noah Nomanager (user ${f.noManager.id})`);
    expect(p.text).toContain(`Removed from the batch (1):\n  - Max Managed (user ${f.managedBySilent.id})`);
    expect(p.text).toContain(`Sam Successor (user ${f.successor.id}): database unavailable`);
    expect(p.text).toContain('user 99999: USER_NOT_FOUND — No user 99999');
    expect(p.html).toMatch(/<p style="[^"]*background-color: #e3f9e5[^"]*"><strong>2 users were inactivated<\/strong><\/p>/);
  });

  it('reactivated: to the manager, the admin who did it, and the user', async () => {
    await send({ kind: 'reactivated', userId: f.user.id, by: f.admin2.id, reason: 'Rehired' });
    const [m] = await sink.waitFor(1);
    expectWellFormed(m!.parsed, 'reactivated');
    expect(m!.envelope.to.sort()).toEqual([f.admin2.email, f.manager.email, f.user.email].sort());
    expect(recipients(m!.parsed)).toEqual([f.admin2.email, f.manager.email, f.user.email].sort());
    expect(m!.parsed.subject).toBe('Uma <User> & "Co" was reactivated');
    expect(m!.parsed.text).toContain('reactivated by Abe Admin on 2025-03-10 12:00 UTC');
    expect(m!.parsed.text).toContain('Reason: Rehired');
  });
});

describe('fallback recipients', () => {
  const assigned = (userId: number, requestedBy: number): Notification => ({
    kind: 'items-assigned',
    userId,
    requestedBy,
    batchId: null,
    effectiveAt: null,
    items: f.items.slice(0, 1),
    newSinceLastNotice: false,
  });

  it('no manager: goes to the requester, says why, and logs it', async () => {
    const r = await send(assigned(f.noManager.id, f.admin2.id));
    expect(r.recipients).toEqual([f.admin2.email]);
    const [m] = await sink.waitFor(1);
    expect(m!.parsed.text).toContain('You receive this because Noah Nomanager has no manager on record');
    // The requester reads it in the manager's place: no CLI, and not "ask the requester".
    expect(m!.parsed.text).toContain('directly in the tools. Noah Nomanager is inactivated once none is open.');
    expect(m!.parsed.text).not.toContain('--by');
    expect(logs.join('\n')).toMatch(/manager unreachable .*sent to the requester/);
  });

  it('manager without email and requester without email: goes to the active admins', async () => {
    const r = await send(assigned(f.managedBySilent.id, f.adminNoEmail.id));
    expect(r.recipients.sort()).toEqual([f.admin.email, f.admin2.email].sort());
    const [m] = await sink.waitFor(1);
    expect(m!.parsed.text).toContain('the manager, Sid Silent, has no email address');
    expect(m!.parsed.text).toContain('directly in the tools. Max Managed is inactivated once none is open.');
    expect(m!.parsed.text).not.toContain('--by');
    expect(logs.join('\n')).toMatch(/sent to 2 company admin/);
  });

  it('batch summary of an inactive requester: goes to the admins and says why once', async () => {
    const gone = await f.addUser({ name: 'Helen Park', directoryPermission: 'admin', status: 'inactive', inactivatedAt: NOW });
    const summary = { batchId: 'b-gone', requestedBy: gone.id, inactivated: [], removed: [], cancelled: [], failed: [], rejected: [] };
    const r = await send({ kind: 'batch-summary', batchId: 'b-gone', requestedBy: gone.id, summary });
    expect(r.recipients.sort()).toEqual([f.admin.email, f.admin2.email].sort());
    const [m] = await sink.waitFor(1);
    const text = m!.parsed.text ?? '';
    expect(text).toContain('You receive this because the requester, Helen Park, is inactive, so it goes to the company directory admins.');
    expect(text.split('Helen Park, is inactive')).toHaveLength(2);
  });

  it('reactivation where nobody involved has an email: goes to the admins', async () => {
    const r = await send({ kind: 'reactivated', userId: f.silentManager.id, by: f.adminNoEmail.id, reason: null });
    expect(r.status).toBe('sent');
    expect(r.recipients.sort()).toEqual([f.admin.email, f.admin2.email].sort());
  });

  it('nobody reachable at all: recorded as no-recipients, nothing sent, no throw', async () => {
    const t2 = await createTestDatabase();
    try {
      const [a, b] = await t2.db
        .insert(users)
        .values([
          { name: 'Lone', company: 'Acme', email: null },
          { name: 'Quiet Admin', company: 'Acme', email: null, directoryPermission: 'admin' },
        ])
        .returning();
      const acts = createNotificationActivities({ db: t2.db, mailer, clock: () => NOW, log: (_l, m) => logs.push(m) });
      const input = {
        idempotencyKey: 'nobody-1',
        workflowId: 'wf-nobody',
        notification: { kind: 'reminder', userId: a!.id, requestedBy: b!.id, batchId: null, items: [], waitingSince: NOW.toISOString(), reminderNumber: 1 } as Notification,
      };
      expect(await acts.sendNotification(input)).toEqual({ status: 'no-recipients', messageId: null, recipients: [] });
      expect(await acts.sendNotification(input)).toEqual({ status: 'no-recipients', messageId: null, recipients: [] });
      const [row] = await t2.db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, 'nobody-1'));
      expect(row).toMatchObject({ status: 'no-recipients', attempts: 0, recipients: [] });
      expect(logs.join('\n')).toMatch(/no recipient with an email address/);
      await sleep(50);
      expect(sink.messages).toHaveLength(0);
    } finally {
      await t2.drop();
    }
  });
});

describe('exactly once', () => {
  const reminder = (): Notification => ({
    kind: 'reminder',
    userId: f.user.id,
    requestedBy: f.admin.id,
    batchId: null,
    items: f.items.slice(0, 1),
    waitingSince: '2025-03-09T12:00:00Z',
    reminderNumber: 1,
  });

  it('the same send repeated with the same key delivers one message and returns already-sent', async () => {
    const first = await send(reminder(), 'repeat-1');
    const second = await send(reminder(), 'repeat-1');
    expect(first.status).toBe('sent');
    expect(second).toEqual({ ...first, status: 'already-sent' });
    await sink.waitFor(1);
    await sleep(100);
    expect(sink.messages).toHaveLength(1);
    const [row] = await t.db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, 'repeat-1'));
    expect(row!.attempts).toBe(1);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.requestId, 'notification:repeat-1'))).toHaveLength(1);
  });

  it('two concurrent attempts with the same key never both send', async () => {
    const results = await Promise.allSettled([send(reminder(), 'race-1'), send(reminder(), 'race-1'), send(reminder(), 'race-1')]);
    await sink.waitFor(1);
    await sleep(150);
    expect(sink.messages).toHaveLength(1);
    const statuses = results.map((r) => (r.status === 'fulfilled' ? r.value.status : (r.reason as ApplicationFailure).type));
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(1);
    for (const s of statuses) expect(['sent', 'already-sent', 'NOTIFICATION_IN_PROGRESS']).toContain(s);
    const again = await send(reminder(), 'race-1');
    expect(again.status).toBe('already-sent');
  });

  it('a refused first attempt is recorded and retried; the retry delivers with the same Message-ID', async () => {
    sink.refuseNext(1, 451);
    const error = await send(reminder(), 'refused-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('NOTIFICATION_SEND_FAILED');
    expect((error as ApplicationFailure).nonRetryable).toBe(false);
    let [row] = await t.db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, 'refused-1'));
    expect(row).toMatchObject({ status: 'failed', attempts: 1, smtpMessageId: null });
    expect(row!.lastError).toMatch(/451/);
    expect(sink.messages).toHaveLength(0);
    expect(sink.refusedCount).toBeGreaterThanOrEqual(1);

    const retry = await send(reminder(), 'refused-1');
    expect(retry.status).toBe('sent');
    const [m] = await sink.waitFor(1);
    expect(m!.parsed.messageId).toBe(messageIdFor('refused-1', MAIL_FROM));
    [row] = await t.db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, 'refused-1'));
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lastError: null, smtpMessageId: messageIdFor('refused-1', MAIL_FROM) });
    expect(row!.attemptLog.map((a) => a.ok)).toEqual([false, true]);
    expect(row!.attemptLog[0]!.error).toMatch(/451/);
    expect(row!.attemptLog[1]!.messageId).toBe(retry.messageId);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'notification.sent'), eq(auditLog.entityId, String(row!.id))));
    expect(audit).toHaveLength(1);
  });
});

describe('escaping', () => {
  it('a title with <script> arrives escaped in HTML and intact in the text part', async () => {
    await send({
      kind: 'items-assigned',
      userId: f.user.id,
      requestedBy: f.admin.id,
      batchId: null,
      effectiveAt: null,
      items: f.items.slice(0, 1),
      newSinceLastNotice: false,
    });
    const [m] = await sink.waitFor(1);
    const html = m!.parsed.html as string;
    expect(html).not.toContain('<script>');
    expect(html).toContain('Slab thickness &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Uma &lt;User&gt; &amp; &quot;Co&quot;');
    expect(html).not.toContain('<User>');
    expect(m!.parsed.text).toContain('Slab thickness <script>alert(1)</script>');
    expect(m!.parsed.text).toContain('Uma <User> & "Co"');
  });
});
