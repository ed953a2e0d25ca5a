// The "items-assigned" email.
import { type ItemNotTaken, mayBeHandedOver, type Notification, TIMECARD_NOT_HANDED_OVER } from '../../../workflows/contract';
import { itemNameAndTitle } from '../../item-words';
import { formatDateTime, plural } from '../format';
import { html, type SafeHtml } from '../html';
import { itemsHtml, itemsText, resolvedItem } from '../items';
import { fallbackHtml, fallbackText, S } from '../layout';
import { greeting, nameOf } from '../people';
import { actionLinkHtml, actionLinkText, ITEMS_SENTENCE, RECHECK } from '../action-link';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

/** Why a successor could not take an item, in the manager's words. */
function whyNotTaken(people: NotificationPeople, successorId: number, x: ItemNotTaken): string {
  const successor = nameOf(people, successorId);
  switch (x.code) {
    case 'TARGET_NOT_PROJECT_MEMBER':
      return `${successor} is not a member of ${x.item.projectName ?? 'its project'}`;
    case 'TARGET_BEING_OFFBOARDED':
      return `${successor} is being offboarded too`;
    case 'TARGET_INACTIVE':
      return `${successor} is inactive`;
    case 'TARGET_NO_EMAIL':
      return `${successor} has no email address, so nobody could tell them`;
    case 'PERMISSION_DENIED':
    case 'REQUESTER_INACTIVE':
      return 'the requester may no longer hand items over';
    case 'INVALID_INPUT':
      return mayBeHandedOver(x.item) ? x.message : TIMECARD_NOT_HANDED_OVER;
    default:
      return `${x.code}: ${x.message}`;
  }
}

function successorText(people: NotificationPeople, s: NonNullable<Extract<Notification, { kind: 'items-assigned' }>['successor']>): string[] {
  const successor = nameOf(people, s.userId);
  const lines: string[] = [];
  if (s.took.length > 0) {
    lines.push(`${successor}, the successor, already took over ${plural(s.took.length, 'item')}:`);
    for (const r of s.took) lines.push(`  - ${resolvedItem(r)}`);
  } else {
    lines.push(`${successor}, the successor, could take over none of the items.`);
  }
  if (s.notTaken.length > 0) {
    lines.push(`${successor} could not take ${plural(s.notTaken.length, 'item')}, listed below with the rest:`);
    for (const x of s.notTaken) lines.push(`  - ${itemNameAndTitle(x.item)}: ${whyNotTaken(people, s.userId, x)}`);
  }
  return [...lines, ''];
}

function successorHtml(people: NotificationPeople, s: NonNullable<Extract<Notification, { kind: 'items-assigned' }>['successor']>): SafeHtml {
  const successor = nameOf(people, s.userId);
  return html`${
    s.took.length > 0
      ? html`<p>${successor}, the successor, already took over ${plural(s.took.length, 'item')}:</p><ul>${s.took.map(
          (r) => html`<li>${resolvedItem(r)}</li>`,
        )}</ul>`
      : html`<p>${successor}, the successor, could take over none of the items.</p>`
  }${
    s.notTaken.length > 0
      ? html`<p>${successor} could not take ${plural(s.notTaken.length, 'item')}, listed below with the rest:</p><ul>${s.notTaken.map(
          (x) => html`<li>${itemNameAndTitle(x.item)}: ${whyNotTaken(people, s.userId, x)}</li>`,
        )}</ul>`
      : ''
  }`;
}

export function itemsAssigned(n: Extract<Notification, { kind: 'items-assigned' }>, people: NotificationPeople, ctx?: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const requester = nameOf(people, n.requestedBy);
  const count = plural(n.items.length, 'open item');
  const subject = n.newSinceLastNotice
    ? `New open items for ${user}: ${count} more to reassign or close`
    : `Action needed: reassign or close ${count} of ${user} before offboarding`;
  const intro = n.newSinceLastNotice
    ? `Since the last notice, ${count} appeared for ${user}, whose offboarding ${requester} started. These must also be handed over or closed.`
    : `${requester} started the offboarding of ${user}. ${user} is inactivated once none of the items below is open.`;
  const effective = n.effectiveAt ? `not before ${formatDateTime(n.effectiveAt)}` : 'as soon as the items are handled';
  const leaving = people.user?.email ? `${user} <${people.user.email}>` : user;
  // The requester or the admins reading it in the manager's place have nobody further to ask.
  const askWhom = people.fallback ? null : requester;
  const link = ctx?.actionLink;
  const text = [
    greeting(people, people.manager),
    '',
    intro,
    `Leaving: ${leaving}`,
    `Requested by: ${requester}`,
    `Effective date: ${effective}.`,
    fallbackText(people),
    ...(n.successor ? successorText(people, n.successor) : []),
    ...actionLinkText(link, user, askWhom),
    `${ITEMS_SENTENCE(n.items.length)}`,
    '',
    itemsText(n.items),
    '',
    ...(link ? [RECHECK] : []),
  ]
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n');
  const body = html`<p>${greeting(people, people.manager)}</p>
<p>${intro}</p>
<table cellpadding="6" cellspacing="0">
<tr><td style="${S.td}">Leaving</td><td style="${S.td}">${leaving}</td></tr>
<tr><td style="${S.td}">Requested by</td><td style="${S.td}">${requester}</td></tr>
<tr><td style="${S.td}">Effective date</td><td style="${S.td}">${effective}</td></tr>
</table>
${fallbackHtml(people)}
${n.successor ? successorHtml(people, n.successor) : ''}
${actionLinkHtml(link, user, askWhom)}
<p>${ITEMS_SENTENCE(n.items.length)}</p>
${itemsHtml(n.items)}
${link ? html`<p>${RECHECK}</p>` : ''}`;
  return { subject, text, body };
}
