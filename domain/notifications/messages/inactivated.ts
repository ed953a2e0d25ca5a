// The "inactivated" email: to the manager and the requester; links to the Inactive users page, where
// an admin can reactivate.
import type { Notification } from '../../../workflows/contract';
import { formatDateTime } from '../format';
import { html } from '../html';
import { itemsHtml, itemsText, resolutionText, resolutionWhat, resolvedItem } from '../items';
import { fallbackHtml, fallbackText, pageLinkHtml, pageLinkText, pageUrl, S } from '../layout';
import { nameOf } from '../people';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function inactivated(n: Extract<Notification, { kind: 'inactivated' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
  const subject = `${user} was inactivated`;
  const intro = `${user} was inactivated on ${formatDateTime(n.inactivatedAt)}. The account is kept (never deleted) and can be reactivated by an admin.`;
  const resolved = n.resolutions.map((r) => resolutionText(people, r));
  const link = pageUrl(ctx.publicUrl, '/hr/inactive');
  const linkLabel = 'Inactive users (company directory admins reactivate there)';
  const text = [
    'Hello,',
    '',
    intro,
    fallbackText(people),
    resolved.length > 0 ? `What was reassigned or closed (${resolved.length}):` : 'No items had to be reassigned or closed.',
    ...resolved.map((l) => `  - ${l}`),
    ...(n.itemsLeftOpen.length > 0 ? ['', `Items left open, as they were (${n.itemsLeftOpen.length}):`, '', itemsText(n.itemsLeftOpen)] : []),
    ...pageLinkText(link, linkLabel),
  ].join('\n');
  const body = html`<p>Hello,</p><p>${intro}</p>${fallbackHtml(people)}
${
  n.resolutions.length > 0
    ? html`<h2 style="${S.h2}">What was reassigned or closed (${n.resolutions.length})</h2>
<table cellpadding="6" cellspacing="0"><tr><th style="${S.td}">Item</th><th style="${S.td}">What</th><th style="${S.td}">By</th><th style="${S.td}">When</th></tr>${n.resolutions.map(
        (r) => html`<tr><td style="${S.td}">${resolvedItem(r)}${r.note ? html`<br><span style="${S.note}">Note: ${r.note}</span>` : ''}</td><td style="${S.td}">${resolutionWhat(people, r)}</td><td style="${S.td}">${nameOf(people, r.byUserId)}</td><td style="${S.td}">${formatDateTime(r.at)}</td></tr>`,
      )}</table>`
    : html`<p>No items had to be reassigned or closed.</p>`
}
${n.itemsLeftOpen.length > 0 ? html`<h2 style="${S.h2}">Items left open, as they were (${n.itemsLeftOpen.length})</h2>${itemsHtml(n.itemsLeftOpen)}` : ''}
${pageLinkHtml(link, linkLabel)}`;
  return { subject, text, body };
}
