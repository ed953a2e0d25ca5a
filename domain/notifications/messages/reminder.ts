// The "reminder" email: the manager's "Action needed" again, with how long it has waited.
import type { Notification } from '../../../workflows/contract';
import { formatDateTime, formatWaited, plural } from '../format';
import { html } from '../html';
import { itemsHtml, itemsText } from '../items';
import { fallbackHtml, fallbackText } from '../layout';
import { greeting, nameOf } from '../people';
import { actionLinkHtml, actionLinkText, ITEMS_SENTENCE, RECHECK } from '../action-link';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function reminder(n: Extract<Notification, { kind: 'reminder' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const requester = nameOf(people, n.requestedBy);
  const waited = formatWaited(n.waitingSince, ctx.now);
  const count = plural(n.items.length, 'open item');
  const subject = `Reminder ${n.reminderNumber}: ${count} of ${user} still open (waiting ${waited})`;
  const intro = `This is reminder ${n.reminderNumber}. The offboarding of ${user}, requested by ${requester}, has been waiting ${waited} (since ${formatDateTime(n.waitingSince)}) for these items to be handed over or closed.`;
  // The requester or the admins reading it in the manager's place have nobody further to ask.
  const askWhom = people.fallback ? null : requester;
  const link = ctx.actionLink;
  const text = [
    greeting(people, people.manager),
    '',
    intro,
    fallbackText(people),
    ...actionLinkText(link, user, askWhom),
    ITEMS_SENTENCE(n.items.length),
    '',
    itemsText(n.items),
    '',
    ...(link ? [RECHECK] : []),
  ].join('\n');
  const body = html`<p>${greeting(people, people.manager)}</p><p>${intro}</p>${fallbackHtml(people)}
${actionLinkHtml(link, user, askWhom)}<p>${ITEMS_SENTENCE(n.items.length)}</p>${itemsHtml(n.items)}
${link ? html`<p>${RECHECK}</p>` : ''}`;
  return { subject, text, body };
}
