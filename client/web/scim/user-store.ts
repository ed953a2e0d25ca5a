// The directory rows SCIM reads and writes. A connection sees the people of its company who were not
// SCIM-deleted; it creates people there and changes their SCIM attributes, each write in one
// transaction with its audit row (actor: the connection's admin; before and after; the request's ID).
// It never deletes a row and never sets the status: a deprovisioning sets a marker (and ends the
// person's sessions) — the offboarding it starts decides, through the item gate, when they are inactive.
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../../db/client';
import { isUniqueViolation, pgErrorOf } from '../../../db/pg-errors';
import { auditLog, users, webSessions } from '../../../db/schema';
import type { IdentityConnection } from '../../../domain/connection-policy';
import { eq } from 'drizzle-orm';
import { badRequest, ScimError } from './errors';
import { displayNameOf, emailOf, profileOf, type ScimUserInput, type UserRow } from './user-resource';

const COLUMNS = sql`u.id, u.name, u.email, u.job_title as "jobTitle", u.status::text as status, u.manager_id as "managerId",
  u.scim_user_name as "scimUserName", u.external_id as "externalId", u.employee_number as "employeeNumber",
  u.scim_manager_ref as "scimManagerRef", u.scim_profile as "scimProfile", u.deprovisioned_at as "deprovisionedAt",
  u.created_at as "createdAt", u.updated_at as "updatedAt"`;

type RawRow = Omit<UserRow, 'deprovisionedAt' | 'createdAt' | 'updatedAt'> & { deprovisionedAt: Date | string | null; createdAt: Date | string; updatedAt: Date | string };

const asDate = (d: Date | string) => (d instanceof Date ? d : new Date(d));
const toRow = (r: RawRow): UserRow => ({ ...r, deprovisionedAt: r.deprovisionedAt === null ? null : asDate(r.deprovisionedAt), createdAt: asDate(r.createdAt), updatedAt: asDate(r.updatedAt) });

/** Who a connection sees: its company's people, not SCIM-deleted. */
const visible = (connection: IdentityConnection) => sql`u.company = ${connection.company} and u.scim_deleted_at is null`;

export async function findUser(db: Database, connection: IdentityConnection, id: string): Promise<UserRow | undefined> {
  if (!/^[1-9][0-9]{0,8}$/.test(id)) return undefined;
  const [row] = await db.execute<RawRow>(sql`select ${COLUMNS} from users u where u.id = ${Number(id)} and ${visible(connection)}`);
  return row ? toRow(row) : undefined;
}

export async function listUsers(
  db: Database,
  connection: IdentityConnection,
  condition: SQL | undefined,
  page: { startIndex: number; count: number },
): Promise<{ total: number; rows: UserRow[] }> {
  const where = condition ? sql`${visible(connection)} and ${condition}` : visible(connection);
  const [totals, rows] = await Promise.all([
    db.execute<{ total: number }>(sql`select count(*)::int as total from users u where ${where}`),
    page.count === 0
      ? Promise.resolve([])
      : db.execute<RawRow>(sql`select ${COLUMNS} from users u where ${where} order by u.id limit ${page.count} offset ${page.startIndex - 1}`),
  ]);
  return { total: totals[0]?.total ?? 0, rows: [...rows].map(toRow) };
}

export type WriteContext = { connection: IdentityConnection; tokenId: number; requestId: string };
export type Deprovisioning = 'set' | 'clear' | 'keep';

/** The columns a SCIM User sets, and the manager it names resolved to a user here when there is one. */
async function columnsOf(db: Database, connection: IdentityConnection, input: ScimUserInput, selfId: number | null) {
  let managerId: number | null = null;
  if (input.managerRef !== null && /^[1-9][0-9]{0,8}$/.test(input.managerRef) && Number(input.managerRef) !== selfId) {
    const [manager] = await db.execute<{ id: number }>(sql`select u.id from users u where u.id = ${Number(input.managerRef)} and ${visible(connection)}`);
    managerId = manager?.id ?? null;
  }
  if (selfId !== null && input.managerRef === String(selfId)) throw badRequest('invalidValue', 'A person cannot be their own manager.');
  return {
    name: displayNameOf(input),
    email: emailOf(input),
    jobTitle: input.title,
    scimUserName: input.userName,
    externalId: input.externalId,
    employeeNumber: input.employeeNumber,
    scimManagerRef: input.managerRef,
    managerId,
    scimProfile: profileOf(input),
  };
}

const AUDITED = ['name', 'email', 'jobTitle', 'scimUserName', 'externalId', 'employeeNumber', 'scimManagerRef', 'managerId', 'deprovisioned'] as const;
type Audited = Record<(typeof AUDITED)[number], unknown>;

const audited = (row: Omit<UserRow, 'scimProfile'>): Audited => ({
  name: row.name,
  email: row.email,
  jobTitle: row.jobTitle,
  scimUserName: row.scimUserName,
  externalId: row.externalId,
  employeeNumber: row.employeeNumber,
  scimManagerRef: row.scimManagerRef,
  managerId: row.managerId,
  deprovisioned: row.deprovisionedAt !== null,
});

/** Only what changed, before and after. */
function diff(before: Audited | null, after: Audited): { before: Partial<Audited> | null; after: Partial<Audited> } {
  if (before === null) return { before: null, after };
  const keys = AUDITED.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])) };
}

function refusalOfWrite(e: unknown): never {
  if (isUniqueViolation(e, 'users_scim_user_name_unique')) throw new ScimError(409, 'Another user already has this userName.', 'uniqueness');
  if (isUniqueViolation(e, 'users_email_lower_unique')) throw new ScimError(409, 'Another user already has this email address.', 'uniqueness');
  if (pgErrorOf(e)?.code === '23514') throw badRequest('invalidValue', 'A value is too long or not allowed here.');
  throw e;
}

/**
 * Creates (existing null) or replaces a user with what the provider sent, sets or clears the
 * deprovisioning marker, SCIM-deletes when asked, and writes the audit row, in one transaction.
 */
export async function writeUser(
  db: Database,
  ctx: WriteContext,
  write: { existing: UserRow | null; input: ScimUserInput; action: 'created' | 'replaced' | 'patched' | 'deleted'; deprovisioning: Deprovisioning; deleted?: boolean },
): Promise<UserRow> {
  const { connection } = ctx;
  try {
    return await db.transaction(async (tx) => {
      const columns = await columnsOf(tx, connection, write.input, write.existing?.id ?? null);
      const marker = write.deprovisioning === 'set' ? sql`coalesce(deprovisioned_at, now())` : write.deprovisioning === 'clear' ? sql`null` : sql`deprovisioned_at`;
      let id: number;
      if (write.existing === null) {
        const [created] = await tx
          .insert(users)
          .values({ ...columns, company: connection.company, scimConnectionId: connection.id, ...(write.deprovisioning === 'set' ? { deprovisionedAt: sql`now()` } : {}) })
          .returning({ id: users.id });
        id = created!.id;
      } else {
        id = write.existing.id;
        await tx
          .update(users)
          .set({
            ...columns,
            scimConnectionId: connection.id,
            deprovisionedAt: marker,
            ...(write.deleted ? { scimDeletedAt: sql`coalesce(scim_deleted_at, now())` } : {}),
            updatedAt: sql`now()`,
          })
          .where(eq(users.id, id));
      }
      // Deprovisioned: every web session of the person ends now, not at their next request.
      if (write.deprovisioning === 'set') await tx.delete(webSessions).where(eq(webSessions.userId, id));
      const [raw] = await tx.execute<RawRow>(sql`select ${COLUMNS} from users u where u.id = ${id}`);
      const row = toRow(raw!);
      const changes = diff(write.existing ? audited(write.existing) : null, audited(row));
      await tx.insert(auditLog).values({
        actorId: connection.adminUserId,
        action: `scim.user.${write.action}`,
        entityType: 'user',
        entityId: String(id),
        subjectUserId: id,
        requestId: ctx.requestId,
        before: changes.before,
        after: { ...changes.after, connectionId: connection.id, tokenId: ctx.tokenId },
      });
      return row;
    });
  } catch (e) {
    refusalOfWrite(e);
  }
}

/** Records what the offboarding side did for a request (queued, dropped, removed, reactivated). */
export async function auditLifecycle(db: Database, ctx: WriteContext, userId: number, what: string): Promise<void> {
  await db
    .insert(auditLog)
    .values({
      actorId: ctx.connection.adminUserId,
      action: `scim.offboarding.${what}`,
      entityType: 'user',
      entityId: String(userId),
      subjectUserId: userId,
      requestId: `${ctx.requestId}:offboarding`,
      after: { connectionId: ctx.connection.id, tokenId: ctx.tokenId },
    })
    .onConflictDoNothing();
}
