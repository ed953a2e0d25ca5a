// The "escalation" email.
import type { Notification } from '../../../workflows/contract';
import { formatDateTime, formatWaited, plural } from '../format';
import { html } from '../html';
import { doneCommand, itemsHtml, itemsText } from '../items';
import { S } from '../layout';
import { nameOf } from '../people';
import { actionLinkHtml, actionLinkText } from '../action-link';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function escalation(n: Extract<Notification, { kind: 'escalation' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const waited = formatWaited(n.waitingSince, ctx.now);
  const manager = people.manager ? people.manager.name : 'no manager on record';
  const why = n.reason === 'deadline' ? 'the deadline for reassignment has passed' : 'the wait passed the escalation time';
  const count = plural(n.items.length, 'open item');
  const subject = `Escalation: offboarding of ${user} waiting ${waited} on ${count}`;
  const intro = `The offboarding of ${user} (user ${n.userId}) has been waiting since ${formatDateTime(n.waitingSince)} (${waited}) and ${why}. The manager asked to act is ${manager}. An admin can reassign or close the items below, or remove the user from the batch.`;
  const by = '<your-user-id>';
  const text = [
    'Hello,',
    '',
    intro,
    n.batchId ? `Batch: ${n.batchId}` : '',
    '',
    `Still open (${n.items.length}):`,
    '',
    ...actionLinkText(ctx.actionLink, user),
    itemsText(n.userId, n.items, by),
    '',
    `When everything is handled: ${doneCommand(n.userId, by)}`,
  ].join('\n');
  const body = html`<p>Hello,</p><p>${intro}</p>${n.batchId ? html`<p>Batch: ${n.batchId}</p>` : ''}
<p>Still open (${n.items.length}):</p>${actionLinkHtml(ctx.actionLink, user)}${itemsHtml(n.userId, n.items, by)}
<p>When everything is handled: <code style="${S.code}">${doneCommand(n.userId, by)}</code></p>`;
  return { subject, text, body };
}
