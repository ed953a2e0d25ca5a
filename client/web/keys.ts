// The web app's secrets, all derived from WEB_LINK_SECRET (one secret to rotate), and the random
// values it hands out. What it stores of a secret value is its SHA-256, never the value.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { derivedKey } from '../../domain/action-links';

/** csrf: the forms' tokens; review: the seal of HR's review form (its batch ID and people). */
export type WebKeys = { csrf: Buffer; review: Buffer };

export function webKeys(secret: string): WebKeys {
  return { csrf: derivedKey(secret, 'csrf/v1'), review: derivedKey(secret, 'hr-review/v1') };
}

/** 32 random bytes, base64url (43 characters): session IDs, sign-in tokens, anonymous form keys. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export const hmac = (key: Buffer, value: string): string => createHmac('sha256', key).update(value).digest('base64url');

/** Equal strings, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
