// Sign-in by email: a random single-use token, valid 15 minutes, stored as its SHA-256. Looking at a
// token (the GET of the link, which mail scanners also do) never uses it; only the POST of "Sign in as
// <name>" consumes it, atomically, so a token works once however many tabs press the button.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { webSignInTokens } from '../../db/schema';
import { randomToken, sha256, TOKEN_PATTERN } from './keys';

export const SIGN_IN_TOKEN_MINUTES = 15;

export async function issueSignInToken(db: Database, userId: number): Promise<{ token: string; tokenHash: string; expiresAt: Date }> {
  const token = randomToken();
  const tokenHash = sha256(token);
  const [row] = await db
    .insert(webSignInTokens)
    .values({ tokenHash, userId, expiresAt: sql`now() + make_interval(mins => ${SIGN_IN_TOKEN_MINUTES})` })
    .returning({ expiresAt: webSignInTokens.expiresAt });
  return { token, tokenHash, expiresAt: row?.expiresAt ?? new Date() };
}

type Holder = { userId: number; name: string };

/** Who a still-usable token would sign in, without using it. */
export async function peekSignInToken(db: Database, token: unknown): Promise<Holder | undefined> {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return undefined;
  const [row] = await db.execute<Holder>(sql`
    select u.id as "userId", u.name from web_sign_in_tokens t join users u on u.id = t.user_id
     where t.token_hash = ${sha256(token)} and t.used_at is null and t.expires_at > now() and u.status = 'active' and u.deprovisioned_at is null`);
  return row;
}

/** Uses the token: the person it signs in, or undefined when it is unknown, used, expired or theirs is inactive. */
export async function consumeSignInToken(db: Database, token: unknown): Promise<Holder | undefined> {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return undefined;
  const [row] = await db.execute<Holder>(sql`
    with used as (
      update web_sign_in_tokens set used_at = now()
       where token_hash = ${sha256(token)} and used_at is null and expires_at > now()
      returning user_id)
    select u.id as "userId", u.name from used join users u on u.id = used.user_id where u.status = 'active' and u.deprovisioned_at is null`);
  return row;
}
