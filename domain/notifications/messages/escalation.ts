// The "escalation" email: to the requester and the company admins, who can act in the manager's place.
import type { Notification } from '../../../workflows/contract';
import { formatDateTime, formatWaited, plural } from '../format';
import { html } from '../html';
import { itemsHtml, itemsText } from '../items';
import { nameOf } from '../people';
import { actionLinkHtml, actionLinkText, ITEMS_SENTENCE, RECHECK } from '../action-link';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function escalation(n: Extract<Notification, { kind: 'escalation' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const waited = formatWaited(n.waitingSince, ctx.now);
  const manager = people.manager ? people.manager.name : 'no manager on record';
  const why = n.reason === 'deadline' ? 'the deadline for reassignment has passed' : 'the wait passed the escalation time';
  const count = plural(n.items.length, 'open item');
  const subject = `Escalation: offboarding of ${user} waiting ${waited} on ${count}`;
  const intro = `The offboarding of ${user} has been waiting since ${formatDateTime(n.waitingSince)} (${waited}) and ${why}. The manager asked to act is ${manager}. An admin can hand over or close the items below, or take ${user} out of the offboarding.`;
  // It goes to the requester and the admins: nobody further to ask.
  const link = ctx.actionLink;
  const text = [
    'Hello,',
    '',
    intro,
    '',
    ...actionLinkText(link, user, null),
    ITEMS_SENTENCE(n.items.length),
    '',
    itemsText(n.items),
    '',
    ...(link ? [RECHECK] : []),
  ].join('\n');
  const body = html`<p>Hello,</p><p>${intro}</p>
${actionLinkHtml(link, user, null)}<p>${ITEMS_SENTENCE(n.items.length)}</p>${itemsHtml(n.items)}
${link ? html`<p>${RECHECK}</p>` : ''}`;
  return { subject, text, body };
}
