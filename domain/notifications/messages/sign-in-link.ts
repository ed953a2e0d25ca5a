// The "sign-in-link" email: the web app's sign-in by email (client/web/). Not a workflow's
// notification: the web sends it through the same exactly-once outbox, and the outbox removes the
// link from the stored copy once it is sent (the token is a secret; the database keeps only its hash).
import { formatDateTime } from '../format';
import { html } from '../html';
import { buttonHtml, S } from '../layout';
import type { NotificationPeople, Rendered } from '../render';

export type SignInLinkNotification = {
  kind: 'sign-in-link';
  userId: number;
  /** The link with its single-use token. */
  url: string;
  /** ISO time the token stops working. */
  expiresAt: string;
};

export function signInLink(n: SignInLinkNotification, people: NotificationPeople): Rendered {
  const name = people.user?.name ?? 'there';
  const until = formatDateTime(n.expiresAt);
  const subject = 'Your sign-in link for Offboarding';
  const text = [
    `Hello ${name},`,
    '',
    'Open this link to sign in to Offboarding. It works once, until ' + `${until}:`,
    '',
    `    ${n.url}`,
    '',
    'If you did not ask to sign in, ignore this email: nothing happens without the link.',
  ].join('\n');
  const body = html`<p>Hello ${name},</p>
<p>Press the button to sign in to Offboarding. The link works once, until ${until}.</p>
${buttonHtml(n.url, 'Sign in to Offboarding')}
<p style="${S.note}">If you did not ask to sign in, ignore this email: nothing happens without the link.</p>`;
  return { subject, text, body };
}
