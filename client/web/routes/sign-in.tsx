// Sign-in by email link, and sign-out. The request answers the same whether or not the address
// belongs to anyone, and before anything that depends on it (the look-up, the token, the email run
// after the answer), so the answer takes as long either way; the link's GET only shows "Sign in as
// <name>", its POST uses the token.
import { sql } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { createNotificationSender } from '../../../domain/notifications/outbox';
import type { AppEnv, WebDeps } from '../context';
import { signInAllowed, SIGN_IN_WINDOW_MINUTES } from '../rate-limit';
import { clearSessionCookie, endSession, SESSION_ENDED, type SessionEnded, startSession } from '../sessions';
import { consumeSignInToken, issueSignInToken, peekSignInToken, SIGN_IN_TOKEN_MINUTES } from '../sign-in-tokens';
import { Csrf, Layout, Stop } from '../views/layout';

const emailField = z.object({ email: z.string().trim().min(3).max(254).email() });

export function signInRoutes(app: Hono<AppEnv>, deps: WebDeps, secure: boolean): void {
  const { db } = deps;
  const sender = createNotificationSender({ db, mailer: deps.mailer, clock: () => new Date(), log: (level, message) => deps.log(level, message) });

  /** The link for an active person with this address; nothing for an address nobody has. */
  async function sendSignInLink(email: string): Promise<void> {
    const [user] = await db.execute<{ id: number }>(sql`
      select id from users where lower(email) = lower(${email}) and status = 'active' and deprovisioned_at is null and email is not null`);
    if (!user) return;
    const { token, tokenHash, expiresAt } = await issueSignInToken(db, user.id);
    await sender.sendNotification({
      idempotencyKey: `web-sign-in:${tokenHash.slice(0, 40)}`,
      workflowId: 'web-sign-in',
      notification: { kind: 'sign-in-link', userId: user.id, url: `${deps.settings.publicUrl}/signin/token?t=${token}`, expiresAt: expiresAt.toISOString() },
    });
  }

  app.get('/signin', (c) => {
    if (c.get('viewer')) return c.redirect('/people', 303);
    const code = c.req.query('ended') ?? c.get('endedBecause');
    const ended = code === 'unknown-sso-user' ? 'Your single sign-on did not name an active person of the company directory.' : code && Object.hasOwn(SESSION_ENDED, code) ? SESSION_ENDED[code as SessionEnded] : null;
    const trusted = deps.settings.auth === 'trusted-header';
    return c.html(
      <Layout title="Sign in" viewer={null} csrfToken={c.get('csrfToken')} flash={ended ? { kind: 'error', text: ended } : null}>
        <article class="narrow">
          <h1>Sign in</h1>
          {trusted ? (
            <p>Sign in through your company’s single sign-on, then open this page again.</p>
          ) : (
            <>
              <p>Type your work email. We send you a link that signs you in; it works once, for {SIGN_IN_TOKEN_MINUTES} minutes.</p>
              <form method="post" action="/signin">
                <Csrf token={c.get('csrfToken')} />
                <label for="email">
                  Work email
                  <input id="email" name="email" type="email" autocomplete="email" required maxlength={254} />
                </label>
                <button type="submit">Email me a sign-in link</button>
              </form>
            </>
          )}
          <p class="muted">Managers can also open the link in the email that asked them to hand over items.</p>
        </article>
      </Layout>,
    );
  });

  app.post('/signin', async (c) => {
    if (deps.settings.auth === 'trusted-header') return c.redirect('/signin', 303);
    const parsed = emailField.safeParse(await c.req.parseBody());
    if (!parsed.success) {
      return c.html(
        <Stop title="That is not an email address" viewer={null} csrfToken={c.get('csrfToken')}>
          <p>
            Type your work email, like <code>name@company.com</code>. <a href="/signin">Back to sign in</a>
          </p>
        </Stop>,
        400,
      );
    }
    const email = parsed.data.email;
    if (!(await signInAllowed(db, email, c.get('clientAddress')))) {
      return c.html(
        <Stop title="Too many sign-in requests" viewer={null} csrfToken={c.get('csrfToken')}>
          <p>
            There were too many sign-in requests for this address or from this network. Wait {SIGN_IN_WINDOW_MINUTES} minutes, then{' '}
            <a href="/signin">try again</a>. The links already sent still work.
          </p>
        </Stop>,
        429,
      );
    }
    // The answer goes before anything that depends on whether the address is someone's: until it,
    // both ways do the same work (the form, the rate limit); the look-up, the token and the email
    // come after it, so its time says nothing about who exists.
    void sendSignInLink(email).catch((e: unknown) => deps.log('warn', `sign-in link not sent: ${e instanceof Error ? e.message : String(e)}`));
    return c.redirect('/signin/sent', 303);
  });

  app.get('/signin/sent', (c) =>
    c.html(
      <Stop title="Check your email" viewer={null} csrfToken={c.get('csrfToken')}>
        <p>
          If the address you typed belongs to someone in the company directory, a sign-in link is on its way. It works once, for{' '}
          {SIGN_IN_TOKEN_MINUTES} minutes.
        </p>
        <p>
          Nothing after a few minutes? Check the address and <a href="/signin">ask again</a>.
        </p>
      </Stop>,
    ),
  );

  const deadLink = (c: Context<AppEnv>) =>
    c.html(
      <Stop title="This sign-in link does not work" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <p>It was already used, it expired (links work for {SIGN_IN_TOKEN_MINUTES} minutes), or it was changed on the way.</p>
        <p>
          <a href="/signin" role="button">
            Ask for a new link
          </a>
        </p>
      </Stop>,
      400,
    );

  app.get('/signin/token', async (c) => {
    const token = c.req.query('t');
    const holder = await peekSignInToken(db, token);
    if (!holder) return deadLink(c);
    return c.html(
      <Layout title="Sign in" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <article class="narrow">
          <h1>Sign in as {holder.name}?</h1>
          <form method="post" action="/signin/token">
            <Csrf token={c.get('csrfToken')} />
            <input type="hidden" name="t" value={token ?? ''} />
            <button type="submit">Sign in as {holder.name}</button>
          </form>
          <p class="muted">Not you? Close this page; nothing happens without the button.</p>
        </article>
      </Layout>,
    );
  });

  app.post('/signin/token', async (c) => {
    const body = await c.req.parseBody();
    const holder = await consumeSignInToken(db, body.t);
    if (!holder) return deadLink(c);
    const old = c.get('session');
    if (old) await endSession(db, old.idHash);
    await startSession(c, db, secure, { userId: holder.userId, via: 'email-link', scopeUserId: null });
    return c.redirect('/people', 303);
  });

  app.post('/signout', async (c) => {
    const session = c.get('session');
    if (session) await endSession(db, session.idHash);
    clearSessionCookie(c, secure);
    return c.redirect('/signin', 303);
  });
}
