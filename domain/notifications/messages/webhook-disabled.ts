// The "webhook disabled" email: to the admin in whose name a connection acts, once, when one of its
// webhook subscriptions was disabled because its endpoint kept failing for days (domain/webhooks/
// delivery.ts decides). Not a workflow's notification: the delivery activity sends it through the
// same exactly-once outbox. The URL and the last error come from outside (the receiver's answer):
// escaped in HTML, control characters neutralised by render.ts like everything else.
import { formatDateTime } from '../format';
import { html } from '../html';
import { S } from '../layout';
import type { NotificationPeople, Rendered } from '../render';

export type WebhookDisabledNotification = {
  kind: 'webhook-disabled';
  /** The connection's admin: the recipient. */
  userId: number;
  connectionId: number;
  connectionName: string;
  subscriptionId: number;
  url: string;
  /** ISO time of the first failed attempt of the delivery that was given up. */
  failingSince: string;
  lastError: string | null;
  /** Deliveries of it that had not gone through when it was disabled. */
  undelivered: number;
};

export function webhookDisabled(n: WebhookDisabledNotification, people: NotificationPeople): Rendered {
  const name = people.user?.name ?? 'there';
  const since = formatDateTime(n.failingSince);
  const subject = `Webhook disabled for ${n.connectionName}: its endpoint kept failing`;
  const lastError = n.lastError ? n.lastError.slice(0, 300) : 'no answer';
  const fix = `Fix the receiver, then create the subscription again (POST /api/v1/webhooks with a token of connection ${n.connectionId}); the events it missed are listed in its delivery log (GET /api/v1/webhooks/${n.subscriptionId}/deliveries).`;
  const text = [
    `Hello ${name},`,
    '',
    `Offboarding stopped sending webhooks of the connection "${n.connectionName}" to`,
    '',
    `    ${n.url}`,
    '',
    `(subscription ${n.subscriptionId}): every attempt has failed since ${since}. The last one: ${lastError}.`,
    `${n.undelivered} event(s) were not delivered.`,
    '',
    fix,
  ].join('\n');
  const body = html`<p>Hello ${name},</p>
<p>Offboarding stopped sending webhooks of the connection <strong>${n.connectionName}</strong> to</p>
<p style="${S.note}"><code>${n.url}</code></p>
<p>(subscription ${n.subscriptionId}): every attempt has failed since ${since}. The last one: ${lastError}.</p>
<p>${n.undelivered} event(s) were not delivered.</p>
<p>${fix}</p>`;
  return { subject, text, body };
}
