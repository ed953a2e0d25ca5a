// Bearer tokens for the codec server (client/web/routes/codec.ts): created for a company directory
// admin, shown once, kept as their SHA-256, revoked rather than deleted. Each use checks again that
// the admin it acts for is still an active admin, as a person's request would be checked.
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { auditLog, type CodecToken, codecTokens, users } from '../db/schema';
import { refuse } from './refusal';

export const CODEC_SCOPE = 'codec';
/** `cdc_` and 32 random bytes in base64url: recognisable in a leaked log, never guessable. */
export const CODEC_TOKEN_PATTERN = /^cdc_[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

export type CodecTokenInfo = Pick<CodecToken, 'id' | 'name' | 'actsForUserId' | 'scopes' | 'createdAt' | 'createdBy' | 'lastUsedAt' | 'revokedAt'>;

const INFO = {
  id: codecTokens.id,
  name: codecTokens.name,
  actsForUserId: codecTokens.actsForUserId,
  scopes: codecTokens.scopes,
  createdAt: codecTokens.createdAt,
  createdBy: codecTokens.createdBy,
  lastUsedAt: codecTokens.lastUsedAt,
  revokedAt: codecTokens.revokedAt,
};

/** Creates a token acting for `actsForUserId` (an active company directory admin); the value is returned only here. */
export async function createCodecToken(
  db: Database,
  input: { name: string; actsForUserId: number; createdBy: string },
): Promise<{ token: string; info: CodecTokenInfo }> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) refuse('INVALID_INPUT', 'A token’s name is 1 to 100 characters, e.g. "ops laptop of Sam".');
  const [owner] = await db.select({ status: users.status, permission: users.directoryPermission }).from(users).where(eq(users.id, input.actsForUserId));
  if (!owner) refuse('USER_NOT_FOUND', `No user has the ID ${input.actsForUserId}.`);
  if (owner.status !== 'active' || owner.permission !== 'admin') {
    refuse('PERMISSION_DENIED', `User ${input.actsForUserId} is not an active company directory admin: a codec token acts for one.`);
  }
  const token = `cdc_${randomBytes(32).toString('base64url')}`;
  const [info] = await db
    .insert(codecTokens)
    .values({ tokenHash: hashOf(token), name, actsForUserId: input.actsForUserId, scopes: [CODEC_SCOPE], createdBy: input.createdBy })
    .returning(INFO);
  return { token, info: info! };
}

export async function listCodecTokens(db: Database): Promise<CodecTokenInfo[]> {
  return db.select(INFO).from(codecTokens).orderBy(asc(codecTokens.id));
}

/** Revokes a token at once (the next request with it gets 401); revoking twice changes nothing. */
export async function revokeCodecToken(db: Database, id: number): Promise<CodecTokenInfo> {
  const [revoked] = await db
    .update(codecTokens)
    .set({ revokedAt: sql`coalesce(${codecTokens.revokedAt}, now())` })
    .where(eq(codecTokens.id, id))
    .returning(INFO);
  if (!revoked) refuse('INVALID_INPUT', `No codec token has the ID ${id}.`);
  return revoked;
}

export type TokenHolder =
  | { kind: 'ok'; tokenId: number; userId: number }
  | { kind: 'unknown' }
  /** The token is valid but its admin no longer is one, or it lacks the scope. */
  | { kind: 'forbidden'; tokenId: number; why: string };

/** Who a bearer token acts for, as the database says now; marks it used. */
export async function codecTokenHolder(db: Database, token: string, scope: string = CODEC_SCOPE): Promise<TokenHolder> {
  if (!CODEC_TOKEN_PATTERN.test(token)) return { kind: 'unknown' };
  const [row] = await db
    .select({ id: codecTokens.id, userId: codecTokens.actsForUserId, scopes: codecTokens.scopes, status: users.status, permission: users.directoryPermission })
    .from(codecTokens)
    .innerJoin(users, eq(users.id, codecTokens.actsForUserId))
    .where(and(eq(codecTokens.tokenHash, hashOf(token)), isNull(codecTokens.revokedAt)));
  if (!row) return { kind: 'unknown' };
  if (!row.scopes.includes(scope)) return { kind: 'forbidden', tokenId: row.id, why: `the token has no ${scope} scope` };
  if (row.status !== 'active' || row.permission !== 'admin') {
    return { kind: 'forbidden', tokenId: row.id, why: `user ${row.userId}, whom the token acts for, is no longer an active company directory admin` };
  }
  // At most once a minute: a page of decodes is not a write each.
  await db
    .update(codecTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(codecTokens.id, row.id), sql`(${codecTokens.lastUsedAt} is null or ${codecTokens.lastUsedAt} < now() - interval '1 minute')`));
  return { kind: 'ok', tokenId: row.id, userId: row.userId };
}

/** One call of the codec server, as the audit log keeps it: who, what, in which namespace and workflow. */
export type CodecCall = {
  actorId: number | null;
  op: 'encode' | 'decode';
  namespace: string;
  workflowId: string | null;
  payloads: number;
  /** Decode only: payloads that were not ours to read and went back as they came. */
  passedThrough: number;
  via: string;
  detail: Record<string, unknown>;
};

export async function recordCodecCall(db: Database, call: CodecCall): Promise<void> {
  await db.insert(auditLog).values({
    actorId: call.actorId,
    action: `codec.${call.op}`,
    entityType: 'namespace',
    entityId: call.namespace,
    workflowId: call.workflowId,
    after: { payloads: call.payloads, ...(call.op === 'decode' ? { passedThrough: call.passedThrough } : {}), via: call.via, ...call.detail },
  });
}
