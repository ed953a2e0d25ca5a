// Sessions: a random ID in an HttpOnly, SameSite=Lax cookie (Secure, and __Host- prefixed, under
// https), stored as its SHA-256 in web_sessions. 8 hours idle, 7 days at most. Every request reads
// the session together with the person: an inactivated or deprovisioned (SCIM) person's sessions end at once, and so does a
// session from an action link whose holder may no longer act on the user it was for, or whose
// offboarding has ended (removed, cancelled, done: a later offboarding of the person does not revive it).
// A session from a digest's team link is bound to its batch instead, and ends once nobody of the batch
// is being offboarded any more.
import { and, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { mayActOnItemsOf } from '../../domain/permissions';
import type { Database } from '../../db/client';
import { webSessions } from '../../db/schema';
import { SESSION_IDLE_HOURS, SESSION_MAX_DAYS } from '../../domain/web-housekeeping';
import type { Flash, SessionInfo, Viewer } from './context';
import { randomToken, sha256, TOKEN_PATTERN } from './keys';

export { SESSION_IDLE_HOURS, SESSION_MAX_DAYS } from '../../domain/web-housekeeping';
/** last_seen_at is written at most this often: a page view is not a write each time. */
const TOUCH_EVERY_SECONDS = 60;

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-offboarding_session' : 'offboarding_session');

type Row = {
  idHash: string;
  via: SessionInfo['via'];
  scopeUserId: number | null;
  batchId: string | null;
  flash: Flash | null;
  expired: boolean;
  offboardingEnded: boolean;
  batchEnded: boolean;
  stale: boolean;
  userId: number;
  name: string;
  email: string | null;
  status: 'active' | 'inactive';
  deprovisioned: boolean;
  isAdmin: boolean;
};

/** Why a session ended at this request; the sign-in page says it in words (?ended=<code>). */
export const SESSION_ENDED = {
  expired: 'Your session expired. Sign in again.',
  inactive: 'You were signed out: your account is inactive.',
  deprovisioned: 'You were signed out: your company’s identity provider turned your account off.',
  'not-allowed': 'You were signed out: you may no longer act on the offboarding the link was for.',
  'offboarding-ended': 'You were signed out: the offboarding the link was for has ended. Sign in with your email to see where it ended.',
  'batch-ended': 'You were signed out: the batch of offboardings the link was for has ended. Sign in with your email to see where it ended.',
} as const;
export type SessionEnded = keyof typeof SESSION_ENDED;

export type LoadedSession =
  | { kind: 'none' }
  | { kind: 'ended'; why: SessionEnded }
  | { kind: 'active'; viewer: Viewer; session: SessionInfo };

/** Reads the session of the request's cookie and the person behind it; ends it when it must end. */
export async function loadSession(db: Database, cookieValue: string | undefined): Promise<LoadedSession> {
  if (!cookieValue || !TOKEN_PATTERN.test(cookieValue)) return { kind: 'none' };
  const idHash = sha256(cookieValue);
  const [row] = await db.execute<Row>(sql`
    select s.id_hash as "idHash", s.via::text as via, s.scope_user_id as "scopeUserId", s.batch_id as "batchId", s.flash,
           (s.expires_at <= now() or s.last_seen_at <= now() - make_interval(hours => ${SESSION_IDLE_HOURS})) as expired,
           (s.last_seen_at <= now() - make_interval(secs => ${TOUCH_EVERY_SECONDS})) as stale,
           coalesce(o.ended_at is not null, false) as "offboardingEnded",
           (s.batch_id is not null and not exists (select 1 from offboardings b where b.batch_id = s.batch_id and b.ended_at is null)) as "batchEnded",
           u.id as "userId", u.name, u.email, u.status::text as status, (u.deprovisioned_at is not null) as deprovisioned, (u.directory_permission = 'admin') as "isAdmin"
      from web_sessions s join users u on u.id = s.user_id left join offboardings o on o.id = s.offboarding_id
     where s.id_hash = ${idHash}`);
  if (!row) return { kind: 'none' };
  if (row.expired) {
    await endSession(db, idHash);
    return { kind: 'ended', why: 'expired' };
  }
  if (row.status !== 'active' || row.deprovisioned) {
    // Every session of an inactive or deprovisioned person ends, not only this one.
    await db.delete(webSessions).where(eq(webSessions.userId, row.userId));
    return { kind: 'ended', why: row.deprovisioned && row.status === 'active' ? 'deprovisioned' : 'inactive' };
  }
  if (row.offboardingEnded || row.batchEnded) {
    await endSession(db, idHash);
    // The person's last action can be what ended the offboarding ("check again": nothing left, they
    // are inactivated at once): its answer is shown on this one last page, then the session is gone.
    if (row.flash && row.status === 'active') {
      return {
        kind: 'active',
        viewer: { id: row.userId, name: row.name, email: row.email, isAdmin: row.isAdmin },
        session: { idHash, via: row.via, scopeUserId: row.scopeUserId, batchId: row.batchId, flash: row.flash },
      };
    }
    return { kind: 'ended', why: row.batchEnded ? 'batch-ended' : 'offboarding-ended' };
  }
  if (row.scopeUserId !== null && !(await mayActOnItemsOf(db, row.userId, row.scopeUserId))) {
    await endSession(db, idHash);
    return { kind: 'ended', why: 'not-allowed' };
  }
  if (row.stale) await db.update(webSessions).set({ lastSeenAt: sql`now()` }).where(eq(webSessions.idHash, idHash));
  return {
    kind: 'active',
    viewer: { id: row.userId, name: row.name, email: row.email, isAdmin: row.isAdmin && row.status === 'active' },
    session: { idHash, via: row.via, scopeUserId: row.scopeUserId, batchId: row.batchId, flash: row.flash },
  };
}

/** Starts a session and sets its cookie; returns the ID (for loadSession) and its stored hash. */
export async function startSession(
  c: Context,
  db: Database,
  secure: boolean,
  values: { userId: number; via: SessionInfo['via']; scopeUserId: number | null; offboardingId?: number; batchId?: string },
): Promise<{ id: string; idHash: string }> {
  const id = randomToken();
  const idHash = sha256(id);
  await db.insert(webSessions).values({
    idHash,
    userId: values.userId,
    via: values.via,
    scopeUserId: values.scopeUserId,
    offboardingId: values.offboardingId ?? null,
    batchId: values.batchId ?? null,
    expiresAt: sql`now() + make_interval(days => ${SESSION_MAX_DAYS})`,
  });
  setCookie(c, sessionCookieName(secure), id, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: '/',
    maxAge: SESSION_MAX_DAYS * 24 * 3600,
  });
  return { id, idHash };
}

export async function endSession(db: Database, idHash: string): Promise<void> {
  await db.delete(webSessions).where(eq(webSessions.idHash, idHash));
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, sessionCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'Lax' });
}

export const sessionCookie = (c: Context, secure: boolean) => getCookie(c, sessionCookieName(secure));

/** The banner the next page shows once. */
export async function setFlash(db: Database, idHash: string, flash: Flash): Promise<void> {
  await db.update(webSessions).set({ flash }).where(eq(webSessions.idHash, idHash));
}

/** Takes the banner: shown once, then gone. */
export async function takeFlash(db: Database, session: SessionInfo): Promise<Flash | null> {
  if (!session.flash) return null;
  await db
    .update(webSessions)
    .set({ flash: null })
    .where(and(eq(webSessions.idHash, session.idHash)));
  return session.flash;
}
