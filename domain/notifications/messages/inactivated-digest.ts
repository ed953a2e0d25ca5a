// The manager's digest of who was inactivated (issue 25): one line per person, instead of one email
// each; HR reads the same in the batch summary. Links to the Inactive users page.
import type { DigestNotification } from '../../../workflows/contract';
import { formatDateTime, plural } from '../format';
import { html } from '../html';
import { pageLinkHtml, pageLinkText, pageUrl } from '../layout';
import { nameOf } from '../people';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

type InactivatedDigest = Extract<DigestNotification, { kind: 'inactivated-digest' }>;

export function inactivatedDigest(n: InactivatedDigest, people: NotificationPeople, ctx: RenderContext): Rendered {
  const count = plural(n.people.length, 'person was', 'people were');
  const subject = `${count} of your team inactivated (batch ${n.batchId})`;
  const intro = `These offboardings, requested by ${nameOf(people, n.requestedBy)}, ended with the inactivation. The accounts are kept (never deleted) and can be reactivated by an admin.`;
  const line = (p: InactivatedDigest['people'][number]) =>
    `${nameOf(people, p.userId)}: inactivated on ${formatDateTime(p.inactivatedAt)}; ${plural(p.handedOver, 'item')} handed over, ${p.closed} closed${p.leftOpen > 0 ? `, ${p.leftOpen} left open as they were` : ''}`;
  const link = pageUrl(ctx.publicUrl, '/hr/inactive');
  const linkLabel = 'Inactive users (company directory admins reactivate there)';
  const text = [`Hello ${nameOf(people, n.recipientId)},`, '', intro, '', ...n.people.map((p) => `  - ${line(p)}`), ...pageLinkText(link, linkLabel)].join('\n');
  const body = html`<p>Hello ${nameOf(people, n.recipientId)},</p><p>${intro}</p><ul>${n.people.map((p) => html`<li>${line(p)}</li>`)}</ul>${pageLinkHtml(link, linkLabel)}`;
  return { subject, text, body };
}
