// The team link in a batch's digest (issue 25): one per recipient and batch. Its GET says who it is
// for and which batch, and offers "Continue as <name>"; only that POST signs in (mail scanners open
// links, people press buttons), with a session bound to the batch: it lists the batch's people its
// holder may act on, opens each of their pages, and nothing else (another manager's people, people of
// other batches, HR's pages are refused as for a personal link's session). The link is checked again
// at the POST: signature, expiry, the batch still running, the recipient still active and still
// allowed to act on someone in it. The session ends when the batch does, and one link opens
// ACTION_LINK_MAX_SESSIONS sessions at most. Behind an SSO proxy the proxy says who is there, so the
// link only leads to the list.
import type { Context, Hono } from 'hono';
import { teamLinkFacts } from '../../../domain/team-link-facts';
import { type TeamLinkClaims, verifyTeamLink } from '../../../domain/team-links';
import { ACTION_LINK_MAX_SESSIONS, takeActionLinkUse } from '../action-link-uses';
import type { AppEnv, WebDeps } from '../context';
import { plural } from '../plural';
import { endSession, startSession } from '../sessions';
import { Csrf, Layout, Stop } from '../views/layout';

type Checked = { ok: true; claims: TeamLinkClaims; recipient: string; people: number } | { ok: false; title: string; why: string };

async function checkLink(deps: WebDeps, token: unknown): Promise<Checked> {
  const v = verifyTeamLink(deps.settings.linkSecret, token, new Date());
  if (!v.ok) {
    return v.why === 'expired'
      ? { ok: false, title: 'This link has expired', why: 'Links in emails work for 14 days. Sign in with your email instead.' }
      : { ok: false, title: 'This link is not valid', why: 'It may have been cut or changed on the way. Open it again from the email, or sign in with your email.' };
  }
  const { claims } = v;
  const row = await teamLinkFacts(deps.db, claims);
  if (!row) return { ok: false, title: 'This link is not valid', why: 'It names someone the directory does not know.' };
  if (!row.running) {
    return { ok: false, title: 'This batch has ended', why: `Nobody of batch ${claims.batchId} is being offboarded any more: there is nothing left to do from this link. Sign in with your email to see where it ended.` };
  }
  if (!row.recipientActive || row.people === 0) {
    return { ok: false, title: 'This link no longer works', why: `${row.recipient} may no longer act on anyone of batch ${claims.batchId}. Ask a company directory admin.` };
  }
  return { ok: true, claims, recipient: row.recipient, people: row.people };
}

export function teamLinkRoutes(app: Hono<AppEnv>, deps: WebDeps, secure: boolean): void {
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

  app.get('/team-link', async (c) => {
    const token = c.req.query('t');
    const checked = await checkLink(deps, token);
    if (!checked.ok) return refused(c, checked);
    const viewer = c.get('viewer');
    const session = c.get('session');
    // Already signed in as the recipient, unscoped or for this batch: the list as it is.
    const sameScope = session !== null && session.scopeUserId === null && (session.batchId === null || session.batchId === checked.claims.batchId);
    if (deps.settings.auth === 'trusted-header' || (viewer?.id === checked.claims.recipientId && sameScope)) return c.redirect('/people', 303);
    return c.html(
      <Layout title="Continue" viewer={viewer} csrfToken={c.get('csrfToken')}>
        <article class="narrow">
          <h1>Your team’s offboardings</h1>
          <p>
            This link is for <strong>{checked.recipient}</strong>, to hand over or close the open items of the {plural(checked.people, 'person', 'people')} of batch {checked.claims.batchId} they may act on.
          </p>
          {viewer ? <p class="muted">You are signed in as {viewer.name}; continuing signs you in as {checked.recipient} instead.</p> : null}
          <form method="post" action="/team-link">
            <Csrf token={c.get('csrfToken')} />
            <input type="hidden" name="t" value={token ?? ''} />
            <button type="submit">Continue as {checked.recipient}</button>
          </form>
          <p class="muted">Not {checked.recipient}? Close this page; nothing happens without the button.</p>
        </article>
      </Layout>,
    );
  });

  app.post('/team-link', async (c) => {
    const body = await c.req.parseBody();
    const checked = await checkLink(deps, body.t);
    if (!checked.ok) return refused(c, checked);
    if (deps.settings.auth === 'trusted-header') return c.redirect('/people', 303);
    // checkLink accepted only a string token.
    if (!(await takeActionLinkUse(deps.db, typeof body.t === 'string' ? body.t : '', checked.claims))) {
      const why = `This link has already signed someone in ${ACTION_LINK_MAX_SESSIONS} times, the most one link may. Sign in with your email instead.`;
      return refused(c, { ok: false, title: 'This link has been used up', why }, 429);
    }
    const old = c.get('session');
    if (old) await endSession(deps.db, old.idHash);
    await startSession(c, deps.db, secure, { userId: checked.claims.recipientId, via: 'action-link', scopeUserId: null, batchId: checked.claims.batchId });
    return c.redirect('/people', 303);
  });
}
