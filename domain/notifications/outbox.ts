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
// Personal links: with `links` configured, the emails that ask someone to act (items-assigned,
// reminder, escalation) carry a link to the web app signed for their one recipient; a batch's digests
// that ask to act carry one link signed for their recipient and the batch (team-links.ts). Such a message
// with several recipients is stored as one row per recipient (`<key>#to:<user id>`), each sent
// exactly once as below; all of them are written in one INSERT, so a retry finds all or none. The
// web app's sign-in link is sent here too; its token is removed from the stored copy once sent.
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
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { auditLog, notificationOutbox, offboardings, type OutboxRow } from '../../db/schema';
import type { SendNotificationInput, SendNotificationResult } from '../../workflows/contract';
import { ACTION_LINK_TTL_MS, type ActionLinkSigner, actionLinkUrl } from '../action-links';
import { teamLinkUrl } from '../team-links';
import { refuse } from '../refusal';
import { RetryLater } from '../retry-later';
import type { Mailer } from './mail';
import { resolveRecipients, subjectUserId } from './recipients';
import { notificationFacts } from '../webhooks/facts';
import { ACTION_LINK_KINDS, type AnyNotification, type Person, renderNotification } from './render';

export type NotificationLog = (level: 'info' | 'warn', message: string, meta?: Record<string, unknown>) => void;

export type NotificationDeps = {
  db: Database;
  mailer: Mailer;
  clock: () => Date;
  /** WEB_PUBLIC_URL and WEB_LINK_SECRET: emails that ask someone to act link to the web app; absent = no links. */
  links?: ActionLinkSigner;
  /** Where fallbacks and failures are told (the activity passes Temporal's logger); console otherwise. */
  log?: NotificationLog;
};

export const DEFAULT_MAIL_FROM = 'Offboarding <offboarding@localhost>';
/** `<key>#to:<user id>`: one row per recipient of a message with personal links. */
const PERSONAL_KEY = '#to:';
const REDACTED = '[link removed after sending]';

/** A send request from a workflow (SendNotificationInput) or from the web app (its sign-in link). */
export type OutboxInput = Omit<SendNotificationInput, 'notification'> & { notification: AnyNotification };

/** The secret part of a message that must not stay in the stored copy once sent. */
function secretIn(n: AnyNotification): string | null {
  if (n.kind !== 'sign-in-link') return null;
  try {
    return new URL(n.url).searchParams.get('t');
  } catch {
    return null;
  }
}
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
  const { db, mailer, clock, links } = deps;
  const log = deps.log ?? consoleLog;
  const mailFrom = mailer.from ?? DEFAULT_MAIL_FROM;

  const resultOf = (row: OutboxRow, status: SendNotificationResult['status']): SendNotificationResult => ({
    status,
    messageId: row.smtpMessageId,
    recipients: row.recipients,
  });

  /** The rows stored under `key`: the message itself, or one per recipient when it carries personal links. */
  const storedRows = (key: string) =>
    db
      .select()
      .from(notificationOutbox)
      .where(or(eq(notificationOutbox.idempotencyKey, key), sql`starts_with(${notificationOutbox.idempotencyKey}, ${`${key}${PERSONAL_KEY}`})`))
      .orderBy(notificationOutbox.id);

  /** The links a message signs for its recipient: one to the leaving user's page, or a digest's one link to the batch's people. */
  type Links = { actionLink: string | null; teamLink?: string | null };

  /** The recipient's personal links, or null (web app not configured, offboarding over, a kind that asks nothing). */
  async function linkMaker(notification: AnyNotification): Promise<((recipient: Person) => Links) | null> {
    if (!links) return null;
    const expiresAt = Math.floor((clock().getTime() + ACTION_LINK_TTL_MS) / 1000);
    if (notification.kind === 'action-needed-digest' || notification.kind === 'reminder-digest' || notification.kind === 'escalation-digest') {
      // One link per recipient and batch (issue 25): its session opens the batch's people the recipient may act on, and dies with the batch.
      const { batchId } = notification;
      return (recipient) => ({ actionLink: null, teamLink: teamLinkUrl(links, { recipientId: recipient.id, batchId, expiresAt }) });
    }
    if (!ACTION_LINK_KINDS.has(notification.kind) || !('userId' in notification)) return null;
    const [claim] = await db
      .select({ id: offboardings.id })
      .from(offboardings)
      .where(and(eq(offboardings.userId, notification.userId), isNull(offboardings.endedAt)));
    if (!claim) return null;
    return (recipient) => ({
      actionLink: actionLinkUrl(links, { recipientId: recipient.id, userId: notification.userId, offboardingId: claim.id, purpose: 'manage-items', expiresAt }),
    });
  }

  /** Renders and stores the message once; a message with personal links becomes one row per recipient. */
  async function writeRows(input: OutboxInput): Promise<OutboxRow[]> {
    const { idempotencyKey: key, workflowId, notification } = input;
    const { people, to, toPeople, fallbackNote } = await resolveRecipients(db, notification);
    const now = clock();
    const noRecipients = to.length === 0;
    if (fallbackNote) log('warn', `notification ${notification.kind}: ${fallbackNote}`, { idempotencyKey: key, workflowId });
    if (noRecipients) {
      log('warn', `notification ${notification.kind}: no recipient with an email address; recorded as no-recipients`, {
        idempotencyKey: key,
        workflowId,
      });
    }
    const linkFor = await linkMaker(notification);
    // A personal link must reach only its owner: several recipients then get a message each.
    const messages =
      linkFor && toPeople.length > 1
        ? toPeople.map((p) => ({ key: `${key}${PERSONAL_KEY}${p.id}`, to: [p.email ?? ''], recipient: p }))
        : [{ key, to, recipient: toPeople.length === 1 ? toPeople[0] : undefined }];
    // The webhook events this message stands for (offboarding.waiting, batch.completed) are stored
    // with it, in one transaction: both or neither, and a retry finds both (domain/webhooks/facts.ts).
    await db.transaction(async (tx) => {
      await tx
        .insert(notificationOutbox)
        .values(
          messages.map((m) => {
            const rendered = renderNotification(notification, people, {
              workflowId,
              now,
              ...(linkFor && m.recipient ? linkFor(m.recipient) : { actionLink: null }),
              publicUrl: links?.publicUrl ?? null,
            });
            return {
              idempotencyKey: m.key,
              kind: notification.kind,
              recipients: m.to,
              subject: rendered.subject,
              textBody: rendered.text,
              htmlBody: rendered.html,
              headers: rendered.headers,
              workflowId,
              status: noRecipients ? ('no-recipients' as const) : ('pending' as const),
              lastError: noRecipients ? 'no recipient with an email address' : null,
              createdAt: now,
            };
          }),
        )
        .onConflictDoNothing({ target: notificationOutbox.idempotencyKey });
      await notificationFacts(tx, input);
    });
    // Re-read: a concurrent first call may have won the insert; its content is the one kept.
    const rows = await storedRows(key);
    if (rows.length === 0) throw new Error(`notification_outbox row for ${key} vanished`);
    return rows;
  }

  async function sendNotification(input: OutboxInput): Promise<SendNotificationResult> {
    const key = input.idempotencyKey;
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      refuse('INVALID_INPUT', `idempotencyKey must be 1..${MAX_KEY_LENGTH} characters`);
    }
    // (1) Write the message once. A retry finds the stored rows and skips rendering.
    let rows = await storedRows(key);
    if (rows.length === 0) rows = await writeRows(input);
    const results: SendNotificationResult[] = [];
    for (const row of rows) results.push(await deliver(row, input));
    const status = results.every((r) => r.status === results[0]?.status)
      ? (results[0]?.status ?? 'no-recipients')
      : (results.find((r) => r.status !== 'already-sent' && r.status !== 'no-recipients')?.status ?? 'already-sent');
    return { status, messageId: results[0]?.messageId ?? null, recipients: results.flatMap((r) => r.recipients) };
  }

  /** (2)–(3) for one stored row: send it under a row lock, mark it sent in the same transaction. */
  async function deliver(row: OutboxRow, input: OutboxInput): Promise<SendNotificationResult> {
    const { workflowId, notification } = input;
    const key = row.idempotencyKey;
    if (row.status === 'sent') return resultOf(row, 'already-sent');
    if (row.status === 'no-recipients') return resultOf(row, 'no-recipients');

    let failure: { message: string } | undefined;
    const result = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select()
        .from(notificationOutbox)
        .where(eq(notificationOutbox.id, row.id))
        .for('update', { skipLocked: true });
      if (!locked) {
        throw new RetryLater('NOTIFICATION_IN_PROGRESS', `notification ${key} is being sent by another attempt right now; retry to see its outcome`);
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
        const secret = secretIn(notification);
        if (secret) {
          // The stored copy keeps no usable sign-in link: the token's hash is all the database holds.
          await tx
            .update(notificationOutbox)
            .set({
              textBody: sql`replace(${notificationOutbox.textBody}, ${secret}, ${REDACTED})`,
              htmlBody: sql`replace(${notificationOutbox.htmlBody}, ${secret}, ${REDACTED})`,
            })
            .where(eq(notificationOutbox.id, locked.id));
        }
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
    throw new RetryLater('NOTIFICATION_SEND_FAILED', `email not delivered: ${f.message}`);
  }

  return { sendNotification };
}
