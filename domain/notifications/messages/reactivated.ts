// The "reactivated" email.
import type { Notification } from '../../../workflows/contract';
import { formatDateTime } from '../format';
import { html } from '../html';
import { fallbackHtml, fallbackText } from '../layout';
import { nameOf } from '../people';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function reactivated(n: Extract<Notification, { kind: 'reactivated' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const by = nameOf(people, n.by);
  const subject = `${user} was reactivated`;
  const intro = `${user} (user ${n.userId}) was reactivated by ${by} on ${formatDateTime(ctx.now)}. The account is active again and can be chosen as an assignee.`;
  const reason = n.reason ? `Reason: ${n.reason}` : '';
  const text = ['Hello,', '', intro, reason, fallbackText(people)].join('\n').trimEnd();
  const body = html`<p>Hello,</p><p>${intro}</p>${n.reason ? html`<p>Reason: ${n.reason}</p>` : ''}${fallbackHtml(people)}`;
  return { subject, text, body };
}
