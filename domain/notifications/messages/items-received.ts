// The "items-received" email: to the new owner; links to the Assignment Report filtered to them.
import type { ItemResolution, Notification } from '../../../workflows/contract';
import { formatDateTime, plural } from '../format';
import { html } from '../html';
import { resolvedItem } from '../items';
import { pageLinkHtml, pageLinkText, pageUrl } from '../layout';
import { nameOf } from '../people';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function itemsReceived(n: Extract<Notification, { kind: 'items-received' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const count = plural(n.received.length, 'item');
  const subject = `You now own ${count} from ${user}, who is leaving`;
  const intro = `${user} is being offboarded, and ${n.received.length === 1 ? 'this item was' : 'these items were'} handed over to you. Please carry ${n.received.length === 1 ? 'it' : 'them'} on in the tools.`;
  const line = (r: ItemResolution) => `${resolvedItem(r)} — handed over by ${nameOf(people, r.byUserId)} on ${formatDateTime(r.at)}`;
  const link = pageUrl(ctx.publicUrl, `/hr/report?user=${n.recipientId}`);
  const linkLabel = 'Everything you hold, in the Assignment Report';
  const text = [`Hello ${nameOf(people, n.recipientId)},`, '', intro, '', ...n.received.map((r) => `  - ${line(r)}`), ...pageLinkText(link, linkLabel)].join('\n');
  const body = html`<p>Hello ${nameOf(people, n.recipientId)},</p><p>${intro}</p><ul>${n.received.map((r) => html`<li>${line(r)}</li>`)}</ul>${pageLinkHtml(link, linkLabel)}`;
  return { subject, text, body };
}
