// Personal links to the web app in the emails that ask someone to act, and the web's sign-in email:
// each link is signed for the one person who receives it, and a sign-in token does not stay in the
// stored copy of the message.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyActionLink } from '../domain/action-links';
import { createMailer } from '../adapters/mail-transport';
import type { Mailer } from '../domain/notifications/mail';
import { createNotificationSender } from '../domain/notifications/outbox';
import { notificationOutbox, offboardings } from '../db/schema';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createNotificationFixture, type NotificationFixture } from './helpers/notification-fixtures';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';

const NOW = new Date('2026-03-10T12:00:00Z');
const SECRET = 'test-secret-of-at-least-thirty-two-characters';
const links = { publicUrl: 'http://web.test:3100', secret: SECRET };

let t: TestDatabase;
let sink: SmtpSink;
let mailer: Mailer;
let f: NotificationFixture;
let sender: ReturnType<typeof createNotificationSender>;
let claimId: number;

beforeAll(async () => {
  [t, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: '/nonexistent', mailFrom: 'Offboarding <offboarding@acme.test>' });
  f = await createNotificationFixture(t.db, 'l');
  sender = createNotificationSender({ db: t.db, mailer, clock: () => NOW, links, log: () => undefined });
  const [claim] = await t.db
    .insert(offboardings)
    .values({ userId: f.user.id, workflowId: `offboarding-user-${f.user.id}`, requestedBy: f.admin.id })
    .returning({ id: offboardings.id });
  claimId = claim!.id;
});
afterAll(async () => {
  await mailer?.close();
  await sink?.close();
  await t?.drop();
});
beforeEach(() => sink.clear());

const linkIn = (text: string) => /http:\/\/web\.test:3100\/link\?t=([A-Za-z0-9_.-]+)/.exec(text)?.[1];

describe('action links', () => {
  it('items-assigned: one link, signed for the manager, the user and this offboarding, 14 days', async () => {
    await sender.sendNotification({
      idempotencyKey: 'links-1',
      workflowId: 'wf',
      notification: { kind: 'items-assigned', userId: f.user.id, requestedBy: f.admin.id, batchId: null, effectiveAt: null, items: f.items, newSinceLastNotice: false },
    });
    const [m] = await sink.waitFor(1);
    const token = linkIn(m!.parsed.text ?? '');
    expect(m!.parsed.html).toContain(`/link?t=${token}`);
    const check = verifyActionLink(SECRET, token, NOW);
    expect(check).toEqual({
      ok: true,
      claims: { recipientId: f.manager.id, userId: f.user.id, offboardingId: claimId, purpose: 'manage-items', expiresAt: NOW.getTime() / 1000 + 14 * 86400 },
    });
    // One button, above the sentence that introduces the items; no CLI commands.
    const text = m!.parsed.text ?? '';
    expect(text.indexOf('/link?t=')).toBeLessThan(text.indexOf('Open items (4), by project and tool.'));
    expect(text).not.toContain('offboard ');
  });

  it('escalation to several people: a message each, with their own link; a retry sends nothing again', async () => {
    const notification = {
      kind: 'escalation' as const,
      userId: f.user.id,
      requestedBy: f.admin.id,
      batchId: null,
      items: f.items,
      waitingSince: '2026-03-01T00:00:00Z',
      reason: 'escalate-after' as const,
    };
    const r = await sender.sendNotification({ idempotencyKey: 'links-2', workflowId: 'wf', notification });
    expect(r.status).toBe('sent');
    const mails = await sink.waitFor(2);
    expect(mails.every((m) => m.envelope.to.length === 1)).toBe(true);
    for (const m of mails) {
      const check = verifyActionLink(SECRET, linkIn(m.parsed.text ?? ''), NOW);
      if (!check.ok) throw new Error('link does not verify');
      const to = [f.admin, f.admin2].find((p) => p.id === check.claims.recipientId);
      expect(m.envelope.to).toEqual([to?.email]);
    }
    const rows = await t.db.select().from(notificationOutbox).where(sql`${notificationOutbox.idempotencyKey} like 'links-2#to:%'`);
    expect(rows.map((x) => x.status)).toEqual(['sent', 'sent']);
    expect((await sender.sendNotification({ idempotencyKey: 'links-2', workflowId: 'wf', notification })).status).toBe('already-sent');
    expect(sink.messages).toHaveLength(2);
  });

  it('no link once the offboarding has ended (nothing left to open)', async () => {
    const [other] = await t.db
      .insert(offboardings)
      .values({ userId: f.managedBySilent.id, workflowId: 'wf-ended', requestedBy: f.admin.id, endedAt: NOW, outcome: 'removed' })
      .returning();
    expect(other).toBeDefined();
    await sender.sendNotification({
      idempotencyKey: 'links-3',
      workflowId: 'wf',
      notification: { kind: 'reminder', userId: f.managedBySilent.id, requestedBy: f.admin.id, batchId: null, items: f.items, waitingSince: '2026-03-01T00:00:00Z', reminderNumber: 1 },
    });
    const [m] = await sink.waitFor(1);
    expect(m!.parsed.text).not.toContain('/link?t=');
  });
});

// Issue 21, item 14: plain links (people sign in), from the configured public URL.
it('the batch summary arrives with a plain link to its batch page', async () => {
  await sender.sendNotification({
    idempotencyKey: 'links-summary',
    workflowId: 'wf',
    notification: {
      kind: 'batch-summary',
      batchId: 'b-9',
      requestedBy: f.admin.id,
      summary: { batchId: 'b-9', requestedBy: f.admin.id, inactivated: [f.user.id], removed: [], cancelled: [], failed: [], rejected: [] },
    },
  });
  const [m] = await sink.waitFor(1);
  expect(m!.parsed.text).toContain('    http://web.test:3100/hr/batches/b-9\n');
  expect(m!.parsed.html).toContain('href="http://web.test:3100/hr/batches/b-9"');
  expect(m!.parsed.text).not.toContain('/link?t=');
});

it('sign-in link: delivered with the token, stored without it', async () => {
  const url = 'http://web.test:3100/signin/token?t=SECRETTOKENabc123';
  await sender.sendNotification({
    idempotencyKey: 'signin-1',
    workflowId: 'web',
    notification: { kind: 'sign-in-link', userId: f.manager.id, url, expiresAt: '2026-03-10T12:15:00Z' },
  });
  const [m] = await sink.waitFor(1);
  expect(m!.envelope.to).toEqual([f.manager.email]);
  expect(m!.parsed.text).toContain(url);
  expect(m!.parsed.html).toContain(url);
  const [row] = await t.db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, 'signin-1'));
  expect(row?.status).toBe('sent');
  expect(`${row?.textBody}${row?.htmlBody}`).not.toContain('SECRETTOKENabc123');
  expect(row?.textBody).toContain('[link removed after sending]');
});
