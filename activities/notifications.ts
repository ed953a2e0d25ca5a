// The email activity: looks up who must be told, renders the message, and sends it exactly once
// through `notification_outbox`.
//
// Outbox statuses
//   pending        written, not delivered yet (never attempted, or an attempt is in flight)
//   sent           delivered (SMTP accepted it, or it was written to the dev outbox dir);
//                  smtp_message_id and sent_at are set, and one audit row 'notification.sent' exists
//   failed         the last attempt failed (last_error says why); the activity threw a retryable
//                  failure and Temporal retries with backoff — a later success turns it into 'sent'
//   no-recipients  nobody with an email address could be found; recorded, never sent, no throw
// Every attempt is appended to attempt_log ({ at, ok, error?, messageId? }) and counted in attempts.
//
// Exactly once, and the window that remains
//   1. INSERT … ON CONFLICT (idempotency_key) DO NOTHING: the first call fixes the content; retries
//      send the stored message (same subject, body, recipients), never a re-rendering.
//   2. In one transaction: SELECT … FOR UPDATE SKIP LOCKED on that row. A concurrent retry that finds
//      the row locked does not send; it fails retryably (NOTIFICATION_IN_PROGRESS) and, on its next
//      try, finds 'sent'. So two attempts never both talk to SMTP for one key.
//   3. 'sent' → return 'already-sent'. Otherwise send with a Message-ID derived from the key, then
//      mark sent and write the audit row in the same transaction, and commit.
//   Remaining window: if the process dies (or the commit fails) after the SMTP server accepted the
//   message but before the commit, the row stays 'pending' and the retry sends again. The duplicate
//   carries the same Message-ID, which mail clients and many servers use to collapse duplicates.
//   Closing it fully would need the server to deduplicate (SMTP has no idempotent submit), so we
//   prefer at-least-once with a stable Message-ID over risking a lost message.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { auditLog, notificationOutbox, users, type OutboxRow } from '../db/schema';
import type { Notification, SendNotificationInput, SendNotificationResult } from '../workflows/definitions';
import type { Mailer } from './mailer';
import { renderNotification, type NotificationPeople, type Person } from './notification-messages';

export type NotificationLog = (level: 'info' | 'warn', message: string, meta?: Record<string, unknown>) => void;

export type NotificationDeps = {
  db: Database;
  mailer: Mailer;
  clock: () => Date;
  /** Defaults to the Temporal activity logger inside an activity, console otherwise. */
  log?: NotificationLog;
};

export const DEFAULT_MAIL_FROM = 'Offboarding <offboarding@localhost>';
const MAX_KEY_LENGTH = 300;

const defaultLog: NotificationLog = (level, message, meta) => {
  let logger: { info(m: string, a?: Record<string, unknown>): void; warn(m: string, a?: Record<string, unknown>): void } | undefined;
  try {
    logger = Context.current().log;
  } catch {
    logger = undefined;
  }
  if (logger) logger[level](message, meta);
  else if (level === 'warn') console.warn(message, meta ?? '');
  else console.info(message, meta ?? '');
};

/** `<hash.notification@domain>`: the same key always gives the same Message-ID. */
export function messageIdFor(idempotencyKey: string, mailFrom: string): string {
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'offboarding.localhost';
  return `<${hash}.notification@${domain}>`;
}

type UserRow = { id: number; name: string; email: string | null; status: 'active' | 'inactive'; managerId: number | null };

/** Someone mail can go to: active and with an address. */
const reachable = (u: UserRow | undefined): u is UserRow & { email: string } => !!u && u.status === 'active' && !!u.email;

const person = (u: UserRow | undefined): Person | null => (u ? { id: u.id, name: u.name, email: u.email } : null);

function why(u: UserRow | undefined, role: string, fallbackId?: number): string {
  if (!u) return fallbackId === undefined ? `there is no ${role} on record` : `user ${fallbackId} has no ${role} on record`;
  if (u.status !== 'active') return `the ${role}, ${u.name}, is inactive`;
  return `the ${role}, ${u.name}, has no email address`;
}

type Resolved = { people: NotificationPeople; to: string[]; fallbackNote: string | null };

function subjectUserId(n: Notification): number | null {
  return 'userId' in n ? n.userId : null;
}

function referencedIds(n: Notification): number[] {
  const ids = new Set<number>();
  // Rejected batch entries can be anything a caller sent (1.5, -3, 2^40): only real IDs are looked up.
  const add = (id: number | null | undefined) => {
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647) ids.add(id);
  };
  add(subjectUserId(n));
  if ('requestedBy' in n) add(n.requestedBy);
  if (n.kind === 'reactivated') add(n.by);
  if (n.kind === 'offboarding-stopped') add(n.by);
  if (n.kind === 'items-received') {
    add(n.recipientId);
    for (const r of n.received) add(r.byUserId);
  }
  if (n.kind === 'items-assigned' && n.successor) {
    add(n.successor.userId);
    for (const r of n.successor.took) add(r.toUserId);
  }
  if (n.kind === 'inactivated') {
    for (const r of n.resolutions) {
      add(r.toUserId);
      add(r.byUserId);
      add(r.fromUserId);
    }
  }
  if (n.kind === 'batch-summary') {
    const s = n.summary;
    [...s.inactivated, ...s.removed, ...s.cancelled, ...s.failed.map((f) => f.userId), ...s.rejected.map((r) => r.userId)].forEach(add);
  }
  return [...ids];
}

async function resolveRecipients(db: Database, n: Notification): Promise<Resolved> {
  const userCols = { id: users.id, name: users.name, email: users.email, status: users.status, managerId: users.managerId };
  const ids = referencedIds(n);
  const rows = ids.length > 0 ? await db.select(userCols).from(users).where(inArray(users.id, ids)) : [];
  const byId = new Map<number, UserRow>(rows.map((r) => [r.id, r]));
  const subjectId = subjectUserId(n);
  const subject = subjectId === null ? undefined : byId.get(subjectId);
  let manager: UserRow | undefined;
  if (subject?.managerId != null) {
    manager = byId.get(subject.managerId);
    if (!manager) {
      const [m] = await db.select(userCols).from(users).where(eq(users.id, subject.managerId));
      manager = m;
    }
  }
  const requester = 'requestedBy' in n ? byId.get(n.requestedBy) : undefined;
  const actor = n.kind === 'reactivated' ? byId.get(n.by) : undefined;

  let adminsCache: (UserRow & { email: string })[] | undefined;
  const admins = async () => {
    adminsCache ??= (
      await db
        .select(userCols)
        .from(users)
        .where(and(eq(users.directoryPermission, 'admin'), eq(users.status, 'active'), isNotNull(users.email)))
        .orderBy(users.id)
    ).filter((a): a is UserRow & { email: string } => reachable(a) && a.id !== subjectId);
    return adminsCache;
  };

  const names: Record<number, string> = {};
  for (const r of rows) names[r.id] = r.name;
  if (manager) names[manager.id] = manager.name;
  const people: NotificationPeople = {
    user: person(subject),
    manager: person(manager),
    requester: person(requester),
    actor: person(actor),
    names,
    fallback: null,
  };

  const to: string[] = [];
  const add = (email: string | null | undefined) => {
    if (email && !to.some((t) => t.toLowerCase() === email.toLowerCase())) to.push(email);
  };
  let fallbackNote: string | null = null;

  /** Natural recipient → requester → admins; the fallback is recorded in the message and the log. */
  const withFallback = async (natural: UserRow | undefined, naturalRole: string, naturalWhy: string) => {
    if (reachable(natural)) {
      add(natural.email);
      return;
    }
    if (reachable(requester) && requester.id !== natural?.id) {
      people.fallback = { to: 'requester', why: `${naturalWhy}, so it goes to the requester of the offboarding` };
      fallbackNote = `${naturalRole} unreachable (${naturalWhy}); sent to the requester (user ${requester.id})`;
      add(requester.email);
      return;
    }
    const list = await admins();
    // When the natural recipient is the requester, their reason was already given.
    const requesterWhy = reachable(requester) || natural?.id === requester?.id ? '' : `, and ${why(requester, 'requester')}`;
    people.fallback = { to: 'admins', why: `${naturalWhy}${requesterWhy}, so it goes to the company directory admins` };
    fallbackNote = `${naturalRole} unreachable (${naturalWhy}${requesterWhy}); sent to ${list.length} company admin(s)`;
    list.forEach((a) => add(a.email));
  };

  const managerWhy = subject?.managerId == null ? `${subject?.name ?? `user ${subjectId}`} has no manager on record` : why(manager, 'manager');

  switch (n.kind) {
    case 'items-assigned':
    case 'reminder':
    case 'offboarding-stopped':
      await withFallback(manager, 'manager', managerWhy);
      break;
    case 'items-received': {
      // A note for the new owner only: nobody else can act on it, so there is no fallback.
      const recipient = byId.get(n.recipientId);
      if (reachable(recipient)) add(recipient.email);
      else fallbackNote = `recipient unreachable (${why(recipient, 'new owner', n.recipientId)})`;
      break;
    }
    case 'escalation': {
      if (reachable(requester)) add(requester.email);
      else fallbackNote = `requester unreachable (${why(requester, 'requester')}); sent to the company admins only`;
      (await admins()).forEach((a) => add(a.email));
      break;
    }
    case 'inactivated':
      if (reachable(manager)) {
        add(manager.email);
        if (reachable(requester)) add(requester.email);
      } else {
        await withFallback(undefined, 'manager', managerWhy);
      }
      break;
    case 'batch-summary':
      await withFallback(requester, 'requester', why(requester, 'requester'));
      break;
    case 'reactivated': {
      if (reachable(manager)) add(manager.email);
      if (reachable(actor)) add(actor.email);
      if (reachable(subject)) add(subject.email);
      if (to.length === 0) {
        const list = await admins();
        people.fallback = { to: 'admins', why: `neither the manager, the admin who reactivated, nor the user has an email address` };
        fallbackNote = `nobody of manager/actor/user reachable; sent to ${list.length} company admin(s)`;
        list.forEach((a) => add(a.email));
      }
      break;
    }
  }
  return { people, to, fallbackNote };
}

function failureText(err: unknown): { message: string } {
  const e = err as { message?: unknown; responseCode?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const responseCode = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const prefix = [code, responseCode].filter((x) => x !== undefined).join(' ');
  return { message: (prefix ? `${prefix}: ${message}` : message).slice(0, 1000) };
}

export function createNotificationActivities(deps: NotificationDeps) {
  const { db, mailer, clock } = deps;
  const log = deps.log ?? defaultLog;
  const mailFrom = mailer.from ?? DEFAULT_MAIL_FROM;

  const resultOf = (row: OutboxRow, status: SendNotificationResult['status']): SendNotificationResult => ({
    status,
    messageId: row.smtpMessageId,
    recipients: row.recipients,
  });

  async function sendNotification(input: SendNotificationInput): Promise<SendNotificationResult> {
    const { idempotencyKey: key, workflowId, notification } = input;
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw ApplicationFailure.nonRetryable(`idempotencyKey must be 1..${MAX_KEY_LENGTH} characters`, 'INVALID_INPUT');
    }

    // (1) Write the message once. A retry finds the stored row and skips rendering.
    let [row] = await db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, key));
    if (!row) {
      const { people, to, fallbackNote } = await resolveRecipients(db, notification);
      const now = clock();
      const rendered = renderNotification(notification, people, { workflowId, now });
      const noRecipients = to.length === 0;
      if (fallbackNote) log('warn', `notification ${notification.kind}: ${fallbackNote}`, { idempotencyKey: key, workflowId });
      if (noRecipients) {
        log('warn', `notification ${notification.kind}: no recipient with an email address; recorded as no-recipients`, {
          idempotencyKey: key,
          workflowId,
        });
      }
      await db
        .insert(notificationOutbox)
        .values({
          idempotencyKey: key,
          kind: notification.kind,
          recipients: to,
          subject: rendered.subject,
          textBody: rendered.text,
          htmlBody: rendered.html,
          headers: rendered.headers,
          workflowId,
          status: noRecipients ? 'no-recipients' : 'pending',
          lastError: noRecipients ? 'no recipient with an email address' : null,
          createdAt: now,
        })
        .onConflictDoNothing({ target: notificationOutbox.idempotencyKey });
      // (2) Re-read: a concurrent first call may have won the insert; its content is the one kept.
      [row] = await db.select().from(notificationOutbox).where(eq(notificationOutbox.idempotencyKey, key));
      if (!row) throw new Error(`notification_outbox row for ${key} vanished`);
    }
    if (row.status === 'sent') return resultOf(row, 'already-sent');
    if (row.status === 'no-recipients') return resultOf(row, 'no-recipients');

    // (3) Send under a row lock, mark sent in the same transaction.
    let failure: { message: string } | undefined;
    const result = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select()
        .from(notificationOutbox)
        .where(eq(notificationOutbox.id, row.id))
        .for('update', { skipLocked: true });
      if (!locked) {
        throw ApplicationFailure.retryable(
          `notification ${key} is being sent by another attempt right now; retry to see its outcome`,
          'NOTIFICATION_IN_PROGRESS',
        );
      }
      if (locked.status === 'sent') return resultOf(locked, 'already-sent');
      if (locked.status === 'no-recipients') return resultOf(locked, 'no-recipients');

      const messageId = messageIdFor(key, mailFrom);
      const at = clock();
      try {
        const info = await mailer.send({
          from: mailFrom,
          to: locked.recipients,
          subject: locked.subject,
          text: locked.textBody,
          html: locked.htmlBody,
          headers: locked.headers,
          messageId,
        });
        const refused = locked.recipients.filter((r) => !info.accepted.some((a) => a.toLowerCase() === r.toLowerCase()));
        if (refused.length > 0) {
          // The server took the message for some recipients: it counts as sent (a retry would
          // duplicate it for the others); the refused addresses are logged for operators.
          log('warn', `notification ${locked.kind}: server refused ${refused.join(', ')}`, { idempotencyKey: key, workflowId });
        }
        const entry = { at: at.toISOString(), ok: true, messageId: info.messageId };
        const [updated] = await tx
          .update(notificationOutbox)
          .set({
            status: 'sent',
            smtpMessageId: info.messageId,
            sentAt: at,
            lastError: null,
            attempts: sql`${notificationOutbox.attempts} + 1`,
            attemptLog: sql`${notificationOutbox.attemptLog} || ${JSON.stringify([entry])}::jsonb`,
          })
          .where(eq(notificationOutbox.id, locked.id))
          .returning();
        await tx
          .insert(auditLog)
          .values({
            at,
            action: 'notification.sent',
            entityType: 'notification',
            entityId: String(locked.id),
            subjectUserId: subjectUserId(notification),
            workflowId: locked.workflowId ?? workflowId,
            requestId: `notification:${key}`,
            after: {
              kind: locked.kind,
              recipients: locked.recipients,
              subject: locked.subject,
              messageId: info.messageId,
              transport: mailer.kind,
            },
          })
          .onConflictDoNothing({ target: auditLog.requestId });
        const final = updated ?? locked;
        return resultOf(final, mailer.kind === 'outbox-dir' ? 'written-to-outbox-dir' : 'sent');
      } catch (err) {
        failure = failureText(err);
        const entry = { at: at.toISOString(), ok: false, error: failure.message };
        await tx
          .update(notificationOutbox)
          .set({
            status: 'failed',
            lastError: failure.message,
            attempts: sql`${notificationOutbox.attempts} + 1`,
            attemptLog: sql`${notificationOutbox.attemptLog} || ${JSON.stringify([entry])}::jsonb`,
          })
          .where(eq(notificationOutbox.id, locked.id));
        return null;
      }
    });
    if (result) return result;
    const f = failure ?? { message: 'unknown error' };
    log('warn', `notification ${notification.kind} not delivered; Temporal will retry: ${f.message}`, { idempotencyKey: key, workflowId });
    // Retryable even for 5xx: the workflow's retry policy bounds the attempts, and an offboarding
    // never waits on email. The outbox row keeps every attempt for operators.
    throw ApplicationFailure.retryable(`email not delivered: ${f.message}`, 'NOTIFICATION_SEND_FAILED');
  }

  return { sendNotification };
}
