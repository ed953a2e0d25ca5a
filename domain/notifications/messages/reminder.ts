// The "reminder" email.
import type { Notification } from '../../../workflows/contract';
import { formatDateTime, formatWaited, plural } from '../format';
import { html } from '../html';
import { doneCommand, itemsHtml, itemsText } from '../items';
import { fallbackHtml, fallbackText, S } from '../layout';
import { actingBy, greeting, nameOf } from '../people';
import { actionLinkHtml, actionLinkText } from '../action-link';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function reminder(n: Extract<Notification, { kind: 'reminder' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const waited = formatWaited(n.waitingSince, ctx.now);
  const by = actingBy(people);
  const count = plural(n.items.length, 'open item');
  const subject = `Reminder ${n.reminderNumber}: ${count} of ${user} still open (waiting ${waited})`;
  const intro = `This is reminder ${n.reminderNumber}. The offboarding of ${user}, requested by ${nameOf(people, n.requestedBy)}, has been waiting ${waited} (since ${formatDateTime(n.waitingSince)}) for these items to be reassigned or closed.`;
  const text = [
    greeting(people, people.manager),
    '',
    intro,
    fallbackText(people),
    `Still open (${n.items.length}):`,
    '',
    ...actionLinkText(ctx.actionLink, user),
    itemsText(n.userId, n.items, by),
    '',
    'When everything is handled, say so and the system re-checks:',
    `    ${doneCommand(n.userId, by)}`,
  ].join('\n');
  const body = html`<p>${greeting(people, people.manager)}</p><p>${intro}</p>${fallbackHtml(people)}
<p>Still open (${n.items.length}):</p>${actionLinkHtml(ctx.actionLink, user)}${itemsHtml(n.userId, n.items, by)}
<p>When everything is handled, say so and the system re-checks:<br><code style="${S.code}">${doneCommand(n.userId, by)}</code></p>`;
  return { subject, text, body };
}
