// Connections of other systems (an identity provider over SCIM; the JSON API later): created by an IT
// admin for one company, with the offboarding policy its batches run with and the company directory
// admin in whose name it acts. Its bearer tokens are shown once, kept as their SHA-256, scoped, and
// revoked rather than deleted (the audit log names them). Each use checks again, against the
// database, that the admin is still an active, not deprovisioned, company directory admin.
// Creating a connection, issuing a token and revoking one are audited in the same transaction as
// the change (`connection.*` actions, never a token's value), whoever does it: the CLI or HR's page.
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { auditLog, connections, connectionTokens, users } from '../db/schema';
import { refuse } from '../workflows/contract';
import { type ConnectionPolicy, connectionPolicySchema, type IdentityConnection } from './connection-policy';

export const SCIM_SCOPE = 'scim';
/**
 * What a token may do: SCIM provisioning, the JSON API's reads and changes of offboardings, pushing
 * the directory's projects and items, and webhook subscriptions. A token holds only those it was given.
 */
export const TOKEN_SCOPES = ['offboardings:read', 'offboardings:write', 'directory:write', 'webhooks', SCIM_SCOPE] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const isTokenScope = (s: string): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s);

/** The scopes asked for, each known and named once; none means SCIM's (the connection's first use). */
export function checkScopes(scopes: readonly string[] | undefined): TokenScope[] {
  if (scopes === undefined || scopes.length === 0) return [SCIM_SCOPE];
  const unknown = scopes.filter((s) => !isTokenScope(s));
  if (unknown.length > 0) refuse('INVALID_INPUT', `Unknown scope ${unknown.map((s) => `"${s.slice(0, 40)}"`).join(', ')}; a token's scopes are ${TOKEN_SCOPES.join(', ')}.`);
  return [...new Set(scopes)].filter(isTokenScope);
}
/** `con_` and 32 random bytes in base64url: recognisable in a leaked log, never guessable. */
export const CONNECTION_TOKEN_PATTERN = /^con_[A-Za-z0-9_-]{43}$/;
/** How many SCIM changes the HR page shows per connection. */
export const RECENT_CHANGES = 50;

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

export type ConnectionTokenInfo = {
  id: number;
  connectionId: number;
  scopes: string[];
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

export type ConnectionInfo = IdentityConnection & {
  adminName: string;
  createdBy: string;
  createdAt: Date;
  disabledAt: Date | null;
  tokens: ConnectionTokenInfo[];
};

const TOKEN_INFO = {
  id: connectionTokens.id,
  connectionId: connectionTokens.connectionId,
  scopes: connectionTokens.scopes,
  createdBy: connectionTokens.createdBy,
  createdAt: connectionTokens.createdAt,
  lastUsedAt: connectionTokens.lastUsedAt,
  revokedAt: connectionTokens.revokedAt,
};

async function requireActiveAdmin(db: Database, userId: number): Promise<void> {
  const [owner] = await db
    .select({ status: users.status, permission: users.directoryPermission, deprovisionedAt: users.deprovisionedAt })
    .from(users)
    .where(eq(users.id, userId));
  if (!owner) refuse('USER_NOT_FOUND', `No user has the ID ${userId}.`);
  if (owner.status !== 'active' || owner.permission !== 'admin' || owner.deprovisionedAt !== null) {
    refuse('PERMISSION_DENIED', `User ${userId} is not an active company directory admin: a connection acts in the name of one.`);
  }
}

/** Who changes a connection: a person of the directory (HR's page) or nobody named (the CLI's `--by`-less commands). */
export type ConnectionActor = { actorId?: number | null; createdBy: string; /** The form's nonce: a second submit changes nothing. */ requestId?: string };

async function issueToken(db: Database, connectionId: number, actor: ConnectionActor, scopes: readonly string[], audit: boolean): Promise<{ token: string; info: ConnectionTokenInfo }> {
  const token = `con_${randomBytes(32).toString('base64url')}`;
  const [info] = await db.insert(connectionTokens).values({ connectionId, tokenHash: hashOf(token), scopes: [...scopes], createdBy: actor.createdBy }).returning(TOKEN_INFO);
  if (audit) {
    await db.insert(auditLog).values({
      actorId: actor.actorId ?? null,
      action: 'connection.token-create',
      entityType: 'connection-token',
      entityId: String(info!.id),
      requestId: actor.requestId ?? null,
      after: { connection: connectionId, token: info!.id, scopes: [...scopes], createdBy: actor.createdBy },
    });
  }
  return { token, info: info! };
}

/** The connection or token a form's nonce already made (a double submit), if any. */
export async function doneByRequest(db: Database, requestId: string): Promise<{ action: string; entityId: string } | undefined> {
  const [row] = await db.select({ action: auditLog.action, entityId: auditLog.entityId }).from(auditLog).where(eq(auditLog.requestId, requestId));
  return row;
}

/** Creates a connection and its first token; the token's value is returned only here. */
export async function createConnection(
  db: Database,
  input: { name: string; company: string; policy: unknown; adminUserId: number; createdBy: string; scopes?: readonly string[]; actorId?: number | null; requestId?: string },
): Promise<{ token: string; connection: ConnectionInfo }> {
  const name = input.name.trim();
  const company = input.company.trim();
  if (name.length < 1 || name.length > 100) refuse('INVALID_INPUT', 'A connection’s name is 1 to 100 characters, e.g. "Okta".');
  if (company.length < 1 || company.length > 200) refuse('INVALID_INPUT', 'A connection’s company is 1 to 200 characters: the company its people belong to.');
  const policy = connectionPolicySchema.safeParse(input.policy);
  if (!policy.success) {
    const issue = policy.error.issues[0];
    refuse('INVALID_INPUT', `The connection’s policy is not valid: ${issue?.path.join('.') || 'policy'} ${issue?.message ?? 'is invalid'}.`);
  }
  const scopes = checkScopes(input.scopes);
  await requireActiveAdmin(db, input.adminUserId);
  const { id, token } = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(connections)
      .values({ name, company, policy: policy.data, adminUserId: input.adminUserId, createdBy: input.createdBy })
      .returning({ id: connections.id });
    const issued = await issueToken(tx, row!.id, { createdBy: input.createdBy }, scopes, false);
    await tx.insert(auditLog).values({
      actorId: input.actorId ?? null,
      action: 'connection.create',
      entityType: 'connection',
      entityId: String(row!.id),
      requestId: input.requestId ?? null,
      after: { connection: row!.id, name, company, policy: policy.data, adminUserId: input.adminUserId, token: issued.info.id, scopes, createdBy: input.createdBy },
    });
    return { id: row!.id, token: issued.token };
  });
  const [connection] = await listConnections(db, [id]);
  return { token, connection: connection! };
}

/** Another token for a connection (to rotate: create, switch the provider over, revoke the old one). */
export async function createConnectionToken(
  db: Database,
  connectionId: number,
  createdBy: string | ConnectionActor,
  requestedScopes?: readonly string[],
): Promise<{ token: string; info: ConnectionTokenInfo }> {
  const actor: ConnectionActor = typeof createdBy === 'string' ? { createdBy } : createdBy;
  const scopes = checkScopes(requestedScopes);
  const [row] = await db.select({ id: connections.id, disabledAt: connections.disabledAt }).from(connections).where(eq(connections.id, connectionId));
  if (!row) refuse('INVALID_INPUT', `No connection has the ID ${connectionId}; \`offboard connections list\` shows them.`);
  if (row.disabledAt) refuse('INVALID_INPUT', `Connection ${connectionId} is disabled: it gets no new tokens.`);
  return db.transaction((tx) => issueToken(tx, connectionId, actor, scopes, true));
}

/** The people a connection may act for: active, not deprovisioned company directory admins, by name. */
export async function connectionAdminChoices(db: Database): Promise<{ id: number; name: string; email: string | null }[]> {
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.status, 'active'), eq(users.directoryPermission, 'admin'), isNull(users.deprovisionedAt)))
    .orderBy(asc(users.name));
}

/** Every connection (or those named) with its tokens, never their values. */
export async function listConnections(db: Database, ids?: readonly number[]): Promise<ConnectionInfo[]> {
  const rows = await db
    .select({
      id: connections.id,
      name: connections.name,
      company: connections.company,
      adminUserId: connections.adminUserId,
      policy: connections.policy,
      adminName: users.name,
      createdBy: connections.createdBy,
      createdAt: connections.createdAt,
      disabledAt: connections.disabledAt,
    })
    .from(connections)
    .innerJoin(users, eq(users.id, connections.adminUserId))
    .where(ids ? inArray(connections.id, [...ids]) : undefined)
    .orderBy(asc(connections.id));
  if (rows.length === 0) return [];
  const tokens = await db
    .select(TOKEN_INFO)
    .from(connectionTokens)
    .where(inArray(connectionTokens.connectionId, rows.map((r) => r.id)))
    .orderBy(asc(connectionTokens.id));
  return rows.map((r) => ({ ...r, tokens: tokens.filter((t) => t.connectionId === r.id) }));
}

/**
 * Revokes a token at once (the next request with it gets 401); revoking twice changes nothing (and
 * is audited once). `strict` (HR's page): a token already revoked, or not of `connectionId`, is refused.
 */
export async function revokeConnectionToken(
  db: Database,
  tokenId: number,
  actor: ConnectionActor = { createdBy: 'cli' },
  strict?: { connectionId: number },
): Promise<ConnectionTokenInfo> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select(TOKEN_INFO).from(connectionTokens).where(eq(connectionTokens.id, tokenId)).for('update');
    if (!before || (strict && before.connectionId !== strict.connectionId)) {
      refuse('INVALID_INPUT', `No connection token has the ID ${tokenId}${strict ? ` in connection ${strict.connectionId}` : ''}; \`offboard connections list\` shows them.`);
    }
    if (before.revokedAt) {
      if (strict) refuse('INVALID_INPUT', `Token ${tokenId} was already revoked on ${before.revokedAt.toISOString()}.`);
      return before;
    }
    const [revoked] = await tx.update(connectionTokens).set({ revokedAt: sql`now()` }).where(eq(connectionTokens.id, tokenId)).returning(TOKEN_INFO);
    await tx.insert(auditLog).values({
      actorId: actor.actorId ?? null,
      action: 'connection.token-revoke',
      entityType: 'connection-token',
      entityId: String(tokenId),
      requestId: actor.requestId ?? null,
      before: { revokedAt: null },
      after: { connection: before.connectionId, token: tokenId, revokedAt: revoked!.revokedAt, by: actor.createdBy },
    });
    return revoked!;
  });
}

export type ConnectionHolder =
  | { kind: 'ok'; tokenId: number; connection: IdentityConnection }
  | { kind: 'unknown' }
  /** The token is valid, but its connection may not act now (admin no longer one, disabled, no scope). */
  | { kind: 'refused'; tokenId: number; why: string; /** The token is fine, it only lacks the scope (HTTP's 403, not 401). */ missingScope: boolean };

/** The connection a bearer token acts for, as the database says now; marks the token used. */
export async function connectionTokenHolder(db: Database, token: string, scope: string): Promise<ConnectionHolder> {
  if (!CONNECTION_TOKEN_PATTERN.test(token)) return { kind: 'unknown' };
  const [row] = await db
    .select({
      tokenId: connectionTokens.id,
      scopes: connectionTokens.scopes,
      lastUsedAt: connectionTokens.lastUsedAt,
      id: connections.id,
      name: connections.name,
      company: connections.company,
      adminUserId: connections.adminUserId,
      policy: connections.policy,
      disabledAt: connections.disabledAt,
      adminStatus: users.status,
      adminPermission: users.directoryPermission,
      adminDeprovisionedAt: users.deprovisionedAt,
    })
    .from(connectionTokens)
    .innerJoin(connections, eq(connections.id, connectionTokens.connectionId))
    .innerJoin(users, eq(users.id, connections.adminUserId))
    .where(and(eq(connectionTokens.tokenHash, hashOf(token)), isNull(connectionTokens.revokedAt)));
  if (!row) return { kind: 'unknown' };
  if (!row.scopes.includes(scope)) return { kind: 'refused', tokenId: row.tokenId, why: `the token has no ${scope} scope`, missingScope: true };
  if (row.disabledAt) return { kind: 'refused', tokenId: row.tokenId, why: `connection ${row.id} is disabled`, missingScope: false };
  if (row.adminStatus !== 'active' || row.adminPermission !== 'admin' || row.adminDeprovisionedAt !== null) {
    return { kind: 'refused', tokenId: row.tokenId, why: `user ${row.adminUserId}, in whose name the connection acts, is no longer an active company directory admin`, missingScope: false };
  }
  // At most once a minute: a burst of provisioning requests is not a write each.
  if (row.lastUsedAt === null || row.lastUsedAt.getTime() < Date.now() - 60_000) {
    await db
      .update(connectionTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(and(eq(connectionTokens.id, row.tokenId), sql`(${connectionTokens.lastUsedAt} is null or ${connectionTokens.lastUsedAt} < now() - interval '1 minute')`));
  }
  const policy: ConnectionPolicy = connectionPolicySchema.parse(row.policy);
  return { kind: 'ok', tokenId: row.tokenId, connection: { id: row.id, name: row.name, company: row.company, adminUserId: row.adminUserId, policy } };
}

export type ScimChange = { id: number; at: Date; action: string; userId: number | null; userName: string | null; requestId: string | null; before: unknown; after: unknown };

/** The last SCIM changes of a connection, newest first (from the append-only audit log). */
export async function recentScimChanges(db: Database, connectionId: number, limit: number = RECENT_CHANGES): Promise<ScimChange[]> {
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      userId: auditLog.subjectUserId,
      userName: users.name,
      requestId: auditLog.requestId,
      before: auditLog.before,
      after: auditLog.after,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.subjectUserId))
    .where(and(sql`${auditLog.action} like 'scim.%'`, sql`((${auditLog.after} ->> 'connectionId')::int) = ${connectionId}`))
    .orderBy(desc(sql`((${auditLog.after} ->> 'connectionId')::int)`), desc(auditLog.id))
    .limit(limit);
}
