// The "items-received" email.
import { TOOL_LABELS, type ItemResolution, type Notification } from '../../../workflows/contract';
import { formatDateTime, plural } from '../format';
import { html } from '../html';
import { S } from '../layout';
import { nameOf } from '../people';
import type { NotificationPeople, Rendered } from '../render';

export function itemsReceived(n: Extract<Notification, { kind: 'items-received' }>, people: NotificationPeople): Rendered {
  const user = nameOf(people, n.userId);
  const count = plural(n.received.length, 'item');
  const subject = `You now own ${count} from ${user}, who is leaving`;
  const intro = `${user} (user ${n.userId}) is being offboarded, and ${n.received.length === 1 ? 'this item was' : 'these items were'} handed over to you. Please carry ${n.received.length === 1 ? 'it' : 'them'} on in the tools.`;
  const line = (r: ItemResolution) =>
    `${TOOL_LABELS[r.tool]}: ${r.title}${r.projectName ? ` (${r.projectName})` : ''} — handed over by ${nameOf(people, r.byUserId)} on ${formatDateTime(r.at)}`;
  const text = [`Hello ${nameOf(people, n.recipientId)},`, '', intro, '', ...n.received.map((r) => `  - [${r.itemKey}] ${line(r)}`)].join('\n');
  const body = html`<p>Hello ${nameOf(people, n.recipientId)},</p><p>${intro}</p><ul>${n.received.map(
    (r) => html`<li><code style="${S.code}">${r.itemKey}</code> ${line(r)}</li>`,
  )}</ul>`;
  return { subject, text, body };
}
