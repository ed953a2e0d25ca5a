// Signed action links in notification emails: "open <user>'s offboarding page as <recipient>". The
// worker signs them when it renders an email; the web app verifies them. A link is bound to its
// recipient, the leaving user, the offboarding (the claim row, so a link from an earlier offboarding of
// the same person is dead) and a purpose, and expires after 14 days at most. It signs nobody in by
// itself: the page it opens asks the person to press "Continue as <name>" (mail scanners open links).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const ACTION_LINK_TTL_MS = 14 * 24 * 60 * 60 * 1000;
export const ACTION_LINK_PURPOSES = ['manage-items'] as const;
export type ActionLinkPurpose = (typeof ACTION_LINK_PURPOSES)[number];

export type ActionLinkClaims = {
  /** The recipient the email went to: the person the link signs in. */
  recipientId: number;
  /** The leaving user whose page it opens. */
  userId: number;
  /** offboardings.id of the offboarding the email was about. */
  offboardingId: number;
  purpose: ActionLinkPurpose;
  /** Unix seconds. */
  expiresAt: number;
};

/** Where links point and what signs them (WEB_PUBLIC_URL, WEB_LINK_SECRET). */
export type ActionLinkSigner = { publicUrl: string; secret: string };

const id = z.number().int().positive().max(2_147_483_647);
const wire = z.object({ v: z.literal(1), r: id, u: id, o: id, p: z.enum(ACTION_LINK_PURPOSES), e: z.number().int().positive() }).strict();

/** A key for one use only, derived from the secret, so a signature of one kind is never valid as another. */
export function derivedKey(secret: string, use: string): Buffer {
  return createHmac('sha256', secret).update(`offboarding-web/${use}`).digest();
}

const mac = (secret: string, payload: string) => createHmac('sha256', derivedKey(secret, 'action-link/v1')).update(payload).digest();

export function signActionLink(secret: string, claims: ActionLinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify({ v: 1, r: claims.recipientId, u: claims.userId, o: claims.offboardingId, p: claims.purpose, e: claims.expiresAt }),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function actionLinkUrl(signer: ActionLinkSigner, claims: ActionLinkClaims): string {
  return `${signer.publicUrl}/link?t=${signActionLink(signer.secret, claims)}`;
}

export type ActionLinkCheck = { ok: true; claims: ActionLinkClaims } | { ok: false; why: 'malformed' | 'forged' | 'expired' };

/** Checks the signature (in constant time) and the expiry; the offboarding and people are the caller's to check. */
export function verifyActionLink(secret: string, token: unknown, now: Date): ActionLinkCheck {
  if (typeof token !== 'string' || token.length > 600) return { ok: false, why: 'malformed' };
  const m = /^([A-Za-z0-9_-]{10,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, why: 'malformed' };
  const [, payload = '', signature = ''] = m;
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'forged' };
  let parsed: z.infer<typeof wire>;
  try {
    parsed = wire.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, why: 'malformed' };
  }
  if (parsed.e * 1000 <= now.getTime()) return { ok: false, why: 'expired' };
  return { ok: true, claims: { recipientId: parsed.r, userId: parsed.u, offboardingId: parsed.o, purpose: parsed.p, expiresAt: parsed.e } };
}
