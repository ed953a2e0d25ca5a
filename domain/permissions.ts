// Who may do what. Company directory admins (users.directory_permission = 'admin', active) start
// offboardings and reactivate; an admin or the user's manager acts on that user's items.
import { and, eq, sql } from 'drizzle-orm';
import { users } from '../db/schema';
import type { LoadPermissionsInput, UserPermissions } from '../workflows/contract';
import type { DbOrTx } from '../db/transaction';
import { isUserId } from '../workflows/contract';
import { refuse } from './refusal';

/** Active company directory admins, by ID. */
export async function activeAdminIds(db: DbOrTx): Promise<number[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.directoryPermission, 'admin'), eq(users.status, 'active')))
    .orderBy(users.id);
  return rows.map((r) => r.id);
}

export async function isActiveAdmin(db: DbOrTx, userId: number): Promise<boolean> {
  if (!isUserId(userId)) return false;
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.directoryPermission, 'admin'), eq(users.status, 'active')));
  return rows.length > 0;
}

/** The actor is active and either a company directory admin or the user's manager. */
export async function mayActOnItemsOf(db: DbOrTx, actorId: number, userId: number): Promise<boolean> {
  if (!isUserId(actorId) || !isUserId(userId)) return false;
  const rows = await db.execute<{ ok: boolean }>(sql`
    select exists (
      select 1 from users a
       where a.id = ${actorId} and a.status = 'active'
         and (a.directory_permission = 'admin'
              or exists (select 1 from users u where u.id = ${userId} and u.manager_id = a.id))
    ) as ok`);
  return rows[0]?.ok === true;
}

/**
 * Reactivation: an active company directory admin, or an active user with 'admin' permission on the
 * project-level directory of a project the user belongs to.
 */
export async function mayReactivate(db: DbOrTx, actorId: number, userId: number): Promise<boolean> {
  if (!isUserId(actorId) || !isUserId(userId)) return false;
  const rows = await db.execute<{ ok: boolean }>(sql`
    select exists (
      select 1 from users a
       where a.id = ${actorId} and a.status = 'active'
         and (a.directory_permission = 'admin'
              or exists (select 1 from project_members pa
                           join project_members pu on pu.project_id = pa.project_id and pu.user_id = ${userId}
                          where pa.user_id = a.id and pa.directory_permission = 'admin'))
    ) as ok`);
  return rows[0]?.ok === true;
}

/**
 * The final word on a batch-level request (remove a user, cancel): the actor must be an active
 * company directory admin now, whatever the batch loaded when it started. Returns the current admins
 * so the batch's validators give the early answer from fresh data next time.
 */
export async function authorizeBatchActor(db: DbOrTx, input: { actorId: number }): Promise<{ adminIds: number[] }> {
  const adminIds = await activeAdminIds(db);
  if (!isUserId(input.actorId) || !adminIds.includes(input.actorId)) {
    // The current admins travel with the refusal too, so the batch's cache is fresh either way.
    refuse('PERMISSION_DENIED', `User ${String(input.actorId)} is not an active company directory admin now, so may not change this batch.`, {
      adminIds,
    });
  }
  return { adminIds };
}

/**
 * The final word on a request about one user's items ("done, please re-check"): the actor must be an
 * active admin or the user's manager now. Returns the current permissions for the validators.
 */
export async function authorizeItemsActor(db: DbOrTx, input: { actorId: number; userId: number }): Promise<UserPermissions> {
  const permissions = await loadPermissions(db, { userId: input.userId });
  if (!(await mayActOnItemsOf(db, input.actorId, input.userId))) {
    // The current permissions travel with the refusal too, so the workflow's cache is fresh either way.
    refuse(
      'PERMISSION_DENIED',
      `User ${String(input.actorId)} is neither an active company directory admin nor user ${String(input.userId)}'s manager now.`,
      permissions,
    );
  }
  return permissions;
}

/** Loaded once at a workflow's start: the user's status and manager, and the active admins. */
export async function loadPermissions(db: DbOrTx, input: LoadPermissionsInput): Promise<UserPermissions> {
  const userId = input.userId;
  const rows = isUserId(userId)
    ? await db.select({ status: users.status, managerId: users.managerId }).from(users).where(eq(users.id, userId))
    : [];
  const user = rows[0];
  if (!user) refuse('USER_NOT_FOUND', `User ${String(userId)} was not found in the directory.`);
  return { userId, status: user.status, managerId: user.managerId, adminIds: await activeAdminIds(db) };
}
