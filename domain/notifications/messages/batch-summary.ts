// The "batch-summary" email: to the requester (HR); links to the batch's page.
import type { BatchRejection, Notification } from '../../../workflows/contract';
import type { RefusalCode } from '../../../workflows/contract';
import { plural } from '../format';
import { html } from '../html';
import { fallbackHtml, fallbackText, pageLinkHtml, pageLinkText, pageUrl, S } from '../layout';
import { nameOf, userLabel } from '../people';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

/**
 * What to do about each way a validation can leave someone out, in words for whoever reads the email
 * (no CLI commands: those are the operators', in the README and `offboard --help`).
 */
const REJECTION_HINTS: Partial<Record<RefusalCode, string>> = {
  INVALID_INPUT: 'Only user IDs of the company directory can be offboarded.',
  USER_NOT_FOUND: 'Check the user ID or email against the company directory.',
  REQUESTER_IN_BATCH: 'You cannot offboard yourself; ask another admin.',
  DUPLICATE_USER: 'Each user is offboarded once per batch; the duplicate was ignored.',
  USER_ALREADY_INACTIVE: 'Nothing to do: the user is already inactive.',
  ALREADY_IN_OFFBOARDING: 'The user is already being offboarded; that offboarding goes on.',
};

export function batchSummary(n: Extract<Notification, { kind: 'batch-summary' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const s = n.summary;
  // Like the green banner of the original process: "3 users were inactivated".
  const banner = `${plural(s.inactivated.length, 'user was', 'users were')} inactivated`;
  const subject = `Offboarding batch ${n.batchId} finished: ${banner}`;
  const list = (ids: number[]) => ids.map((id) => userLabel(people, id));
  const failed = s.failed.map((f) => `${userLabel(people, f.userId)}: ${f.reason}`);
  const rejected = s.rejected.map((r: BatchRejection) => `${userLabel(people, r.userId)}: ${r.code} — ${r.message}`);
  const section = (title: string, lines: string[]) => (lines.length > 0 ? [`${title} (${lines.length}):`, ...lines.map((l) => `  - ${l}`), ''] : []);
  const counts = `Inactivated ${s.inactivated.length} · Removed ${s.removed.length} · Cancelled ${s.cancelled.length} · Failed ${s.failed.length} · Rejected ${s.rejected.length}`;
  const link = pageUrl(ctx.publicUrl, `/hr/batches/${encodeURIComponent(n.batchId)}`);
  const linkLabel = `The batch ${n.batchId} in the web app`;
  const text = [
    'Hello,',
    '',
    `${banner}.`,
    `The offboarding batch ${n.batchId}, requested by ${nameOf(people, n.requestedBy)}, has finished.`,
    counts,
    fallbackText(people),
    ...section('Inactivated', list(s.inactivated)),
    ...section('Removed from the batch', list(s.removed)),
    ...section('Cancelled', list(s.cancelled)),
    ...section('Failed', failed),
    ...section('Rejected at validation', rejected),
    ...pageLinkText(link, linkLabel),
  ].join('\n');
  const sectionHtml = (title: string, lines: string[]) =>
    lines.length > 0 ? html`<h2 style="${S.h2}">${title} (${lines.length})</h2><ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>` : '';
  const hints = s.rejected.map((r) => r.code).filter((c, i, all) => all.indexOf(c) === i && REJECTION_HINTS[c] !== undefined);
  const body = html`<p>Hello,</p><p style="${S.banner}"><strong>${banner}</strong></p>
<p>The offboarding batch ${n.batchId}, requested by ${nameOf(people, n.requestedBy)}, has finished.</p>
<p>${counts}</p>${fallbackHtml(people)}
${sectionHtml('Inactivated', list(s.inactivated))}${sectionHtml('Removed from the batch', list(s.removed))}${sectionHtml('Cancelled', list(s.cancelled))}${sectionHtml('Failed', failed)}${sectionHtml('Rejected at validation', rejected)}
${hints.length > 0 ? html`<p style="${S.note}">${hints.map((c) => html`${c}: ${REJECTION_HINTS[c]}<br>`)}</p>` : ''}
${pageLinkHtml(link, linkLabel)}`;
  return { subject, text, body };
}
