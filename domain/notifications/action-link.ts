// The block that opens the leaving user's page in the web app, in the emails that ask someone to act
// (items-assigned, reminder, escalation). The link is personal (signed for the one recipient of the
// message); the CLI commands stay below it as the operators' alternative.
import { html, type SafeHtml } from './html';
import { buttonHtml, S } from './layout';

export function actionLinkText(url: string | null | undefined, userName: string): string[] {
  if (!url) return [];
  return [`Hand over or close ${userName}'s items in your browser (a personal link, valid while the offboarding runs, 14 days at most):`, `    ${url}`, '', `Or, for operators, with the CLI:`, ''];
}

export function actionLinkHtml(url: string | null | undefined, userName: string): SafeHtml | string {
  if (!url) return '';
  return html`${buttonHtml(url, `Open ${userName}’s items`)}
<p style="${S.note}">A personal link for you, valid while the offboarding runs (14 days at most). Operators can use the CLI commands below instead.</p>`;
}
