// Who is there, for every request: the session's person (re-read from the database), or, with
// WEB_AUTH=trusted-header, the person whose email the SSO proxy put in WEB_TRUSTED_HEADER — believed
// only when the request comes straight from one of WEB_TRUSTED_PROXIES. Nothing the browser sends
// names the actor.
import { getConnInfo } from '@hono/node-server/conninfo';
import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { clientAddress, fromTrustedProxy } from './client-address';
import type { AppEnv, WebDeps } from './context';
import { csrfTokenFor } from './csrf';
import { clearSessionCookie, endSession, loadSession, sessionCookie, startSession } from './sessions';

export function identity(deps: WebDeps, secure: boolean): MiddlewareHandler<AppEnv> {
  const { db, settings } = deps;
  return async (c, next) => {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined;
    }
    c.set('clientAddress', clientAddress(peer, c.req.header('x-forwarded-for'), settings.trustedProxies));
    c.set('endedBecause', null);
    let loaded = await loadSession(db, sessionCookie(c, secure));
    if (loaded.kind === 'ended') {
      clearSessionCookie(c, secure);
      c.set('endedBecause', loaded.why);
    }
    if (settings.auth === 'trusted-header') {
      const email = fromTrustedProxy(peer, settings.trustedProxies) ? c.req.header(settings.trustedHeader)?.trim() : undefined;
      const [user] = email
        ? await db.execute<{ id: number }>(sql`select id from users where lower(email) = lower(${email}) and status = 'active' and deprovisioned_at is null`)
        : [];
      if (loaded.kind === 'active' && loaded.viewer.id !== user?.id) {
        // The proxy decides who is there: a session of anyone else ends.
        await endSession(db, loaded.session.idHash);
        clearSessionCookie(c, secure);
        loaded = { kind: 'none' };
      }
      if (user && loaded.kind !== 'active') {
        const started = await startSession(c, db, secure, { userId: user.id, via: 'trusted-header', scopeUserId: null });
        loaded = await loadSession(db, started.id);
      }
      if (email && !user) c.set('endedBecause', 'unknown-sso-user');
    }
    c.set('viewer', loaded.kind === 'active' ? loaded.viewer : null);
    c.set('session', loaded.kind === 'active' ? loaded.session : null);
    c.set('csrfToken', csrfTokenFor(c, deps.keys, loaded.kind === 'active' ? loaded.session : null, secure));
    await next();
  };
}
