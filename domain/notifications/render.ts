// Renders every notification kind into subject, plain text, HTML and tracing headers. Pure: the
// activity looks people up (recipients.ts) and passes them in, with the clock's `now`.
import type { DigestNotification, Notification } from '../../workflows/contract';
import { neutralizeControls } from '../../workflows/contract';
import type { SafeHtml } from './html';
import { wrapHtml } from './layout';
import { batchSummary } from './messages/batch-summary';
import { escalation } from './messages/escalation';
import { inactivatedDigest } from './messages/inactivated-digest';
import { itemsReceivedDigest } from './messages/items-received-digest';
import { waitingDigest } from './messages/waiting-digest';
import { inactivated } from './messages/inactivated';
import { itemsAssigned } from './messages/items-assigned';
import { itemsReceived } from './messages/items-received';
import { offboardingStopped } from './messages/offboarding-stopped';
import { reactivated } from './messages/reactivated';
import { reminder } from './messages/reminder';
import { signInLink, type SignInLinkNotification } from './messages/sign-in-link';
import { webhookDisabled, type WebhookDisabledNotification } from './messages/webhook-disabled';

export type Person = { id: number; name: string; email: string | null };

/** What the outbox sends: the workflows' notifications, a batch's digests, the web app's sign-in link, and the webhooks' notice to an admin. */
export type AnyNotification = Notification | DigestNotification | SignInLinkNotification | WebhookDisabledNotification;

/** The kinds that ask their recipient to act, and so carry a personal action link to the web app. */
export const ACTION_LINK_KINDS: ReadonlySet<AnyNotification['kind']> = new Set(['items-assigned', 'reminder', 'escalation']);

export type NotificationPeople = {
  /** The user the notification is about (absent for batch summaries). */
  user: Person | null;
  manager: Person | null;
  requester: Person | null;
  /** Reactivation: the admin who reactivated. */
  actor: Person | null;
  /** Display names of every user ID referenced (resolutions, summaries, rejections). */
  names: Record<number, string>;
  /** Set when the message goes to someone other than its natural recipient, with the reason. */
  fallback: { to: 'requester' | 'admins'; why: string } | null;
};

export type RenderContext = {
  workflowId: string;
  now: Date;
  /** The recipient's personal action link (ACTION_LINK_KINDS, when the web app is configured). */
  actionLink?: string | null;
  /** Digests that ask to act: the recipient's one signed link to the batch's people (domain/team-links.ts). */
  teamLink?: string | null;
  /** The web app's address (WEB_PUBLIC_URL, when configured): plain links to its pages; people sign in. */
  publicUrl?: string | null;
};

export type RenderedNotification = {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
};

export type Rendered = { subject: string; text: string; body: SafeHtml };

function headersFor(n: AnyNotification, ctx: RenderContext): Record<string, string> {
  const headers: Record<string, string> = { 'X-Offboarding-Kind': n.kind, 'X-Offboarding-Workflow-Id': ctx.workflowId };
  if ('batchId' in n && n.batchId) headers['X-Offboarding-Batch-Id'] = n.batchId;
  if ('userId' in n) headers['X-Offboarding-User-Id'] = String(n.userId);
  // A digest is about several people: tests and mail filters find them here.
  if ('people' in n) headers['X-Offboarding-User-Ids'] = n.people.map((p) => p.userId).join(',');
  if (n.kind === 'items-received-digest') headers['X-Offboarding-User-Ids'] = [...new Set(n.received.map((r) => r.fromUserId))].join(',');
  return headers;
}

export function renderNotification(notification: AnyNotification, people: NotificationPeople, ctx: RenderContext): RenderedNotification {
  let r: Rendered;
  switch (notification.kind) {
    case 'items-assigned':
      r = itemsAssigned(notification, people, ctx);
      break;
    case 'sign-in-link':
      r = signInLink(notification, people);
      break;
    case 'webhook-disabled':
      r = webhookDisabled(notification, people);
      break;
    case 'reminder':
      r = reminder(notification, people, ctx);
      break;
    case 'escalation':
      r = escalation(notification, people, ctx);
      break;
    case 'inactivated':
      r = inactivated(notification, people, ctx);
      break;
    case 'batch-summary':
      r = batchSummary(notification, people, ctx);
      break;
    case 'reactivated':
      r = reactivated(notification, people, ctx);
      break;
    case 'offboarding-stopped':
      r = offboardingStopped(notification, people, ctx);
      break;
    case 'items-received':
      r = itemsReceived(notification, people, ctx);
      break;
    case 'action-needed-digest':
    case 'reminder-digest':
    case 'escalation-digest':
      r = waitingDigest(notification, people, ctx);
      break;
    case 'inactivated-digest':
      r = inactivatedDigest(notification, people, ctx);
      break;
    case 'items-received-digest':
      r = itemsReceivedDigest(notification, people, ctx);
      break;
  }
  // Subjects are one line no matter what a name contains. Names, titles, notes and reasons reach
  // mail clients (and terminals, for the text part) with their control characters neutralised.
  const subject = neutralizeControls(r.subject.replace(/[\r\n]+/g, ' ')).slice(0, 250);
  return {
    subject,
    text: neutralizeControls(`${r.text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`),
    html: neutralizeControls(wrapHtml(subject, r.body)),
    headers: headersFor(notification, ctx),
  };
}
