// The digests that ask someone to act (issue 25): "Action needed" once per manager per round of a
// batch, a reminder per manager per interval, an escalation per admin. Each lists every leaving person
// of theirs in the batch with their open items, and carries ONE signed link for its recipient and the
// batch (domain/team-links.ts): "Open your team’s offboardings" signs them in (after "Continue as") to
// "People leaving your team" for that batch, from where each person's page opens.
//
// Why one link and no button per person: a button per person would be either one more signed link
// each (ten links for ten people, each a key of its own to keep safe and count) or a plain page address,
// which asks a reader without a session to sign in by email first and so looks broken in the email.
// One link is one session for the whole round, one count of sessions per link, and one button to find;
// the people and their items are still each listed here in words. Without a web app (no signed link)
// the email says to act in the tools, as before.
import type { DigestNotification, DigestPerson } from '../../../workflows/contract';
import { formatDateTime, formatWaited, plural } from '../format';
import { html, type SafeHtml } from '../html';
import { itemsHtml, itemsText } from '../items';
import { buttonHtml, fallbackHtml, fallbackText, pageLinkHtml, pageLinkText, pageUrl, S } from '../layout';
import { greeting, nameOf } from '../people';
import { RECHECK } from '../action-link';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

type WaitingDigest = Extract<DigestNotification, { kind: 'action-needed-digest' | 'reminder-digest' | 'escalation-digest' }>;

const TEAM_PAGE = 'People leaving your team';
/** An escalation goes to admins, who act on anyone's people: its button does not say "your team". */
const button = (n: WaitingDigest) => (n.kind === 'escalation-digest' ? 'Open the batch’s offboardings' : 'Open your team’s offboardings');
const linkNote = (batchId: string) => `A personal link for you, valid while batch ${batchId} runs, for 14 days at most.`;
const IN_THE_TOOLS = 'Hand each item over to someone on its project, or close it, directly in the tools.';

function headline(n: WaitingDigest, requester: string, count: string, ctx: RenderContext): { subject: string; intro: string } {
  const oldest = n.people.map((p) => p.waitingSince).filter((s): s is string => s !== null).sort()[0];
  const waited = oldest ? formatWaited(oldest, ctx.now) : null;
  switch (n.kind) {
    case 'action-needed-digest':
      return {
        subject: `Action needed: ${count} leaving, with open items to reassign or close`,
        intro: `${requester} started the offboarding of the ${n.people.length === 1 ? 'person' : 'people'} below (batch ${n.batchId}). Each is inactivated once none of their items is open.`,
      };
    case 'reminder-digest':
      return {
        subject: `Reminder ${n.round}: ${count} still waiting on open items${waited ? ` (longest ${waited})` : ''}`,
        intro: `This is reminder ${n.round} for batch ${n.batchId}, requested by ${requester}. The offboardings below still wait for their items to be handed over or closed.`,
      };
    case 'escalation-digest': {
      // Past the batch's deadline: its action (items to the manager, where allowed) has run, and these stayed open.
      const past = n.people.filter((p) => p.pastDeadline === true).length;
      const why = past === 0 ? 'the escalation time' : past === n.people.length ? 'the batch’s deadline' : 'the escalation time or the batch’s deadline';
      return {
        subject: `Escalation: ${count} waiting past ${why}${waited ? ` (longest ${waited})` : ''}`,
        intro: `The offboardings below (batch ${n.batchId}, requested by ${requester}) waited past ${why}${past > 0 ? '; what the deadline could not hand over is still open' : ''}. An admin can hand over or close their items, or take someone out of the offboarding.`,
      };
    }
  }
}

function personHeading(people: NotificationPeople, p: DigestPerson, ctx: RenderContext): string {
  const name = nameOf(people, p.userId);
  const parts = [plural(p.items.length, 'open item')];
  if (p.newItems) parts.push('new since the last email');
  if (p.pastDeadline) parts.push('past the deadline');
  if (p.waitingSince) parts.push(`waiting ${formatWaited(p.waitingSince, ctx.now)} since ${formatDateTime(p.waitingSince)}`);
  return `${name} — ${parts.join(', ')}`;
}

export function waitingDigest(n: WaitingDigest, people: NotificationPeople, ctx: RenderContext): Rendered {
  const requester = nameOf(people, n.requestedBy);
  const count = plural(n.people.length, 'person', 'people');
  const { subject, intro } = headline(n, requester, count, ctx);
  const reader = n.recipientId === null ? null : { id: n.recipientId, name: nameOf(people, n.recipientId), email: null };
  const link = ctx.teamLink ?? null;
  // With the signed link, the plain address of the list would only repeat it (and ask to sign in).
  const team = link ? null : pageUrl(ctx.publicUrl, '/people');
  const effective = n.effectiveAt ? `Effective date: not before ${formatDateTime(n.effectiveAt)}.` : null;
  const text = [
    greeting(people, reader),
    '',
    intro,
    ...(effective ? [effective] : []),
    fallbackText(people),
    ...(link ? [`${button(n)} to hand each item over or close it (${linkNote(n.batchId).charAt(0).toLowerCase()}${linkNote(n.batchId).slice(1, -1)}):`, `    ${link}`, ''] : []),
    ...n.people.flatMap((p) => [personHeading(people, p, ctx), '', itemsText(p.items), '']),
    ...(link ? [] : [IN_THE_TOOLS]),
    RECHECK,
    ...pageLinkText(team, TEAM_PAGE),
  ]
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n');
  const personHtml = (p: DigestPerson): SafeHtml => html`<h2 style="${S.h2}">${personHeading(people, p, ctx)}</h2>
${itemsHtml(p.items)}`;
  const body = html`<p>${greeting(people, reader)}</p><p>${intro}</p>${effective ? html`<p>${effective}</p>` : ''}${fallbackHtml(people)}
${link ? html`${buttonHtml(link, button(n))}
<p style="${S.note}">${linkNote(n.batchId)}</p>` : ''}
${n.people.map(personHtml)}
${link ? '' : html`<p style="${S.note}">${IN_THE_TOOLS}</p>`}
<p>${RECHECK}</p>
${pageLinkHtml(team, TEAM_PAGE)}`;
  return { subject, text, body };
}
