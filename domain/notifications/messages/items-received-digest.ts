// What one person received from a batch's leavers (issue 25): one email per round of the batch, not
// one per leaving person. Links to the Assignment Report filtered to them.
import type { DigestNotification, ItemResolution } from '../../../workflows/contract';
import { formatDateTime, plural } from '../format';
import { html } from '../html';
import { resolvedItem } from '../items';
import { pageLinkHtml, pageLinkText, pageUrl } from '../layout';
import { nameOf } from '../people';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

type ReceivedDigest = Extract<DigestNotification, { kind: 'items-received-digest' }>;

export function itemsReceivedDigest(n: ReceivedDigest, people: NotificationPeople, ctx: RenderContext): Rendered {
  const from = [...new Set(n.received.map((r) => r.fromUserId))];
  const count = plural(n.received.length, 'item');
  const subject = `You now own ${count} from ${from.length === 1 ? nameOf(people, from[0]) : `${from.length} people who are leaving`}`;
  const intro = `${from.length === 1 ? `${nameOf(people, from[0])} is` : 'These people are'} being offboarded, and ${n.received.length === 1 ? 'this item was' : 'these items were'} handed over to you. Please carry ${n.received.length === 1 ? 'it' : 'them'} on in the tools.`;
  const line = (r: ItemResolution) => `${resolvedItem(r)} — handed over by ${nameOf(people, r.byUserId)} on ${formatDateTime(r.at)}`;
  const link = pageUrl(ctx.publicUrl, `/hr/report?user=${n.recipientId}`);
  const linkLabel = 'Everything you hold, in the Assignment Report';
  const sections = from.map((id) => ({ who: `From ${nameOf(people, id)}`, items: n.received.filter((r) => r.fromUserId === id) }));
  const text = [
    `Hello ${nameOf(people, n.recipientId)},`,
    '',
    intro,
    '',
    ...sections.flatMap((s) => [`${s.who}:`, ...s.items.map((r) => `  - ${line(r)}`), '']),
    ...pageLinkText(link, linkLabel),
  ].join('\n');
  const body = html`<p>Hello ${nameOf(people, n.recipientId)},</p><p>${intro}</p>${sections.map(
    (s) => html`<p>${s.who}:</p><ul>${s.items.map((r) => html`<li>${line(r)}</li>`)}</ul>`,
  )}${pageLinkHtml(link, linkLabel)}`;
  return { subject, text, body };
}
