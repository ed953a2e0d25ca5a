// Sends a notification exactly once through `notification_outbox`: looks up who must be told
// (recipients.ts), renders the message (render.ts), and delivers it through the mailer.
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
import { ApplicationFailure } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { auditLog, notificationOutbox, type OutboxRow } from '../../db/schema';
import type { Notification, SendNotificationInput, SendNotificationResult } from '../../workflows/contract';
import type { Mailer } from './mailer';
import { resolveRecipients, subjectUserId } from './recipients';
import { renderNotification } from './render';

export type NotificationLog = (level: 'info' | 'warn', message: string, meta?: Record<string, unknown>) => void;

export type NotificationDeps = {
  db: Database;
  mailer: Mailer;
  clock: () => Date;
  /** Where fallbacks and failures are told (the activity passes Temporal's logger); console otherwise. */
  log?: NotificationLog;
};

export const DEFAULT_MAIL_FROM = 'Offboarding <offboarding@localhost>';
const MAX_KEY_LENGTH = 300;

const consoleLog: NotificationLog = (level, message, meta) => {
  if (level === 'warn') console.warn(message, meta ?? '');
  else console.info(message, meta ?? '');
};

/** `<hash.notification@domain>`: the same key always gives the same Message-ID. */
export function messageIdFor(idempotencyKey: string, mailFrom: string): string {
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'offboarding.localhost';
  return `<${hash}.notification@${domain}>`;
}

function failureText(err: unknown): { message: string } {
  const e = err as { message?: unknown; responseCode?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const responseCode = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const prefix = [code, responseCode].filter((x) => x !== undefined).join(' ');
  return { message: (prefix ? `${prefix}: ${message}` : message).slice(0, 1000) };
}

/** The exactly-once sender, bound to its dependencies. */
export function createNotificationSender(deps: NotificationDeps) {
  const { db, mailer, clock } = deps;
  const log = deps.log ?? consoleLog;
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
