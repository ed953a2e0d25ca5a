// The personal link in an email that asks someone to act. Its GET says who it is for and about whom,
// and offers "Continue as <name>"; only that POST signs in (mail scanners open links, people press
// buttons), with a session that may see only the person the link was about. The link is checked again
// at the POST: signature, expiry, the offboarding still running, the recipient still active and still
// allowed to act on the person. The session is bound to that offboarding (it ends when the offboarding
// does), and one link opens ACTION_LINK_MAX_SESSIONS sessions at most. Behind an SSO proxy the proxy
// says who is there, so the link only leads to the page.
import { sql } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import { mayActOnItemsOf } from '../../../domain/permissions';
import { type ActionLinkClaims, verifyActionLink } from '../../../domain/action-links';
import { ACTION_LINK_MAX_SESSIONS, takeActionLinkUse } from '../action-link-uses';
import type { AppEnv, WebDeps } from '../context';
import { endSession, startSession } from '../sessions';
import { Csrf, Layout, Stop } from '../views/layout';

type Checked = { ok: true; claims: ActionLinkClaims; recipient: string; person: string } | { ok: false; title: string; why: string };

async function checkLink(deps: WebDeps, token: unknown): Promise<Checked> {
  const v = verifyActionLink(deps.settings.linkSecret, token, new Date());
  if (!v.ok) {
    return v.why === 'expired'
      ? { ok: false, title: 'This link has expired', why: 'Links in emails work for 14 days. Sign in with your email instead.' }
      : { ok: false, title: 'This link is not valid', why: 'It may have been cut or changed on the way. Open it again from the email, or sign in with your email.' };
  }
  const { claims } = v;
  const [row] = await deps.db.execute<{ recipient: string; recipientActive: boolean; person: string; running: boolean }>(sql`
    select r.name as recipient, (r.status = 'active' and r.deprovisioned_at is null) as "recipientActive", u.name as person,
           exists (select 1 from offboardings o where o.id = ${claims.offboardingId} and o.user_id = u.id and o.ended_at is null) as running
      from users r, users u where r.id = ${claims.recipientId} and u.id = ${claims.userId}`);
  if (!row) return { ok: false, title: 'This link is not valid', why: 'It names someone the directory does not know.' };
  if (!row.running) {
    return { ok: false, title: 'This offboarding has ended', why: `The offboarding of ${row.person} that this link was for is over: there is nothing left to do from it. Sign in with your email to see where it ended.` };
  }
  if (!row.recipientActive || !(await mayActOnItemsOf(deps.db, claims.recipientId, claims.userId))) {
    return { ok: false, title: 'This link no longer works', why: `${row.recipient} may no longer act on ${row.person}’s items. Ask a company directory admin.` };
  }
  return { ok: true, claims, recipient: row.recipient, person: row.person };
}

export function actionLinkRoutes(app: Hono<AppEnv>, deps: WebDeps, secure: boolean): void {
  const refused = (c: Context<AppEnv>, checked: Extract<Checked, { ok: false }>, status: 400 | 429 = 400) =>
    c.html(
      <Stop title={checked.title} viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <p>{checked.why}</p>
        <p>
          <a href="/signin" role="button">
            Sign in with your email
          </a>
        </p>
      </Stop>,
      status,
    );

  app.get('/link', async (c) => {
    const token = c.req.query('t');
    const checked = await checkLink(deps, token);
    if (!checked.ok) return refused(c, checked);
    const viewer = c.get('viewer');
    const page = `/people/${checked.claims.userId}`;
    if (deps.settings.auth === 'trusted-header' || viewer?.id === checked.claims.recipientId) return c.redirect(page, 303);
    return c.html(
      <Layout title="Continue" viewer={viewer} csrfToken={c.get('csrfToken')}>
        <article class="narrow">
          <h1>Hand over {checked.person}’s items</h1>
          <p>
            This link is for <strong>{checked.recipient}</strong>, to hand over or close the open items of {checked.person}, who is leaving.
          </p>
          {viewer ? <p class="muted">You are signed in as {viewer.name}; continuing signs you in as {checked.recipient} instead.</p> : null}
          <form method="post" action="/link">
            <Csrf token={c.get('csrfToken')} />
            <input type="hidden" name="t" value={token ?? ''} />
            <button type="submit">Continue as {checked.recipient}</button>
          </form>
          <p class="muted">Not {checked.recipient}? Close this page; nothing happens without the button.</p>
        </article>
      </Layout>,
    );
  });

  app.post('/link', async (c) => {
    const body = await c.req.parseBody();
    const checked = await checkLink(deps, body.t);
    if (!checked.ok) return refused(c, checked);
    const page = `/people/${checked.claims.userId}`;
    if (deps.settings.auth === 'trusted-header') return c.redirect(page, 303);
    // checkLink accepted only a string token.
    if (!(await takeActionLinkUse(deps.db, typeof body.t === 'string' ? body.t : '', checked.claims))) {
      const why = `This link has already signed someone in ${ACTION_LINK_MAX_SESSIONS} times, the most one link may. Sign in with your email instead.`;
      return refused(c, { ok: false, title: 'This link has been used up', why }, 429);
    }
    const old = c.get('session');
    if (old) await endSession(deps.db, old.idHash);
    await startSession(c, deps.db, secure, {
      userId: checked.claims.recipientId,
      via: 'action-link',
      scopeUserId: checked.claims.userId,
      offboardingId: checked.claims.offboardingId,
    });
    return c.redirect(page, 303);
  });
}
