// Signed team links in a batch's digests (issue 25): "open the people of this batch you may act on, as
// <recipient>". One link per recipient and batch, instead of one per person: the worker signs it when
// it renders a digest, the web app verifies it. It is bound to its recipient and the batch, expires
// after 14 days at most (ACTION_LINK_TTL_MS, as the personal links), and signs nobody in by itself:
// the page it opens asks for "Continue as <name>" (mail scanners open links). Its key is derived for
// this one use, so a team link is never valid as a personal action link, nor the other way round.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { BATCH_ID_PATTERN } from '../workflows/contract';
import { type ActionLinkSigner, derivedKey } from './action-links';

export type TeamLinkClaims = {
  /** The recipient the digest went to: the person the link signs in. */
  recipientId: number;
  /** The batch whose people the session may open. */
  batchId: string;
  /** Unix seconds. */
  expiresAt: number;
};

const wire = z
  .object({ v: z.literal(1), r: z.number().int().positive().max(2_147_483_647), b: z.string().regex(BATCH_ID_PATTERN), p: z.literal('team-digest'), e: z.number().int().positive() })
  .strict();

const mac = (secret: string, payload: string) => createHmac('sha256', derivedKey(secret, 'team-link/v1')).update(payload).digest();

export function signTeamLink(secret: string, claims: TeamLinkClaims): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, r: claims.recipientId, b: claims.batchId, p: 'team-digest', e: claims.expiresAt })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function teamLinkUrl(signer: ActionLinkSigner, claims: TeamLinkClaims): string {
  return `${signer.publicUrl}/team-link?t=${signTeamLink(signer.secret, claims)}`;
}

export type TeamLinkCheck = { ok: true; claims: TeamLinkClaims } | { ok: false; why: 'malformed' | 'forged' | 'expired' };

/** Checks the signature (in constant time) and the expiry; the batch and the people are the caller's to check. */
export function verifyTeamLink(secret: string, token: unknown, now: Date): TeamLinkCheck {
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
  return { ok: true, claims: { recipientId: parsed.r, batchId: parsed.b, expiresAt: parsed.e } };
}
