// Cross-site request forgery: every POST carries a token (a hidden field) and passes an Origin check.
// The token is an HMAC of the session (signed in) or of an anonymous per-browser cookie (the sign-in
// forms), so another site can neither read nor compute it.
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { SessionInfo } from './context';
import { hmac, randomToken, sameSecret, TOKEN_PATTERN, type WebKeys } from './keys';

export const CSRF_FIELD = '_csrf';
const anonCookieName = (secure: boolean) => (secure ? '__Host-offboarding_form' : 'offboarding_form');

/** The token for this request's forms; sets the anonymous cookie when a signed-out browser has none. */
export function csrfTokenFor(c: Context, keys: WebKeys, session: SessionInfo | null, secure: boolean): string {
  if (session) return hmac(keys.csrf, `session:${session.idHash}`);
  let anon = getCookie(c, anonCookieName(secure));
  if (!anon || !TOKEN_PATTERN.test(anon)) {
    anon = randomToken();
    setCookie(c, anonCookieName(secure), anon, { httpOnly: true, sameSite: 'Lax', secure, path: '/' });
  }
  return hmac(keys.csrf, `anon:${anon}`);
}

/** Whether the token sent with a POST is the one this browser's session (or anonymous cookie) gets. */
export function csrfTokenValid(c: Context, keys: WebKeys, session: SessionInfo | null, secure: boolean, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length === 0 || sent.length > 100) return false;
  if (session) return sameSecret(sent, hmac(keys.csrf, `session:${session.idHash}`));
  const anon = getCookie(c, anonCookieName(secure));
  return !!anon && TOKEN_PATTERN.test(anon) && sameSecret(sent, hmac(keys.csrf, `anon:${anon}`));
}

/** The request says it comes from our own pages: Origin (or, without it, Referer) is WEB_PUBLIC_URL's origin. */
export function sameOrigin(c: Context, publicUrl: string): boolean {
  const expected = new URL(publicUrl).origin;
  const origin = c.req.header('origin');
  if (origin) return origin === expected;
  const referer = c.req.header('referer');
  if (!referer) return false;
  try {
    return new URL(referer).origin === expected;
  } catch {
    return false;
  }
}
