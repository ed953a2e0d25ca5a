// The one button of the emails that ask someone to act (items-assigned, reminder, escalation): it opens
// the leaving user's page in the web app, signed for the one recipient of the message. Without a web
// app (WEB_PUBLIC_URL / WEB_LINK_SECRET unset, or the offboarding over) the email says what to do
// instead, still in words: nothing of the operators' CLI.
import { html, type SafeHtml } from './html';
import { buttonHtml, S } from './layout';

const NOTE = 'A personal link for you, valid while the offboarding runs (14 days at most).';

/** Without a link: act in the tools, or ask the requester (when the reader is not the requester). */
const withoutLink = (userName: string, requester: string | null) =>
  `Hand each item over to someone on its project, or close it, directly in the tools${
    requester ? `; or ask ${requester}, who requested the offboarding, to have it done` : ''
  }. ${userName} is inactivated once none is open.`;

export function actionLinkText(url: string | null | undefined, userName: string, requester: string | null): string[] {
  if (!url) return [withoutLink(userName, requester), ''];
  return [`Open ${userName}’s items to hand each over or close it (${NOTE.charAt(0).toLowerCase()}${NOTE.slice(1, -1)}):`, `    ${url}`, ''];
}

export function actionLinkHtml(url: string | null | undefined, userName: string, requester: string | null): SafeHtml {
  if (!url) return html`<p>${withoutLink(userName, requester)}</p>`;
  return html`${buttonHtml(url, `Open ${userName}’s items`)}
<p style="${S.note}">${NOTE}</p>`;
}

/** The sentence right before the list of items (the list, not the button, follows it). */
export const ITEMS_SENTENCE = (n: number) =>
  `Open items (${n}), by project and tool. For each, hand it over to someone on its project, or close it:`;

/** "Handled something directly in the tools?", in the page's words. */
export const RECHECK = 'Handled something directly in the tools? Press “Check again” on the page, and the system re-checks.';
