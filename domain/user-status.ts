// Inactivation and reactivation: one transaction each, the user's row locked `for update`.
// Inactivation re-scans the open items inside that transaction; reassignItem locks its target
// `for share`, so an item handed to the user concurrently is either committed before this lock (and
// found by the re-scan) or waits and then sees the user inactive (TARGET_INACTIVE).
import { and, desc, eq, sql } from 'drizzle-orm';
import { auditLog } from '../db/schema';
import { type OpenItem, REASON_RULE, isUserId } from '../workflows/contract';
import { refuse } from './refusal';
import { textProblem } from '../workflows/contract';
import { isUniqueViolation } from '../db/pg-errors';
import { type DbOrTx, type Tx, withTransaction } from '../db/transaction';
import type { InactivateUserInput, InactivateUserResult, ReactivateUserInput, ReactivateUserResult } from '../workflows/contract';
import { scanOpenItems } from './open-items';
import { mayReactivate } from './permissions';
import { userInactivated, userReactivated } from './webhooks/facts';

export type UserStatusDeps = { db: DbOrTx; clock: () => Date };

type LockedUser = {
  id: number;
  name: string;
  status: 'active' | 'inactive';
  inactivatedAt: string | null;
  inactivatedBy: number | null;
  inactivationReason: string | null;
  inactivationWorkflowId: string | null;
};

const iso = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());

async function lockUser(tx: Tx, userId: number): Promise<LockedUser | undefined> {
  if (!isUserId(userId)) return undefined;
  const [row] = await tx.execute<LockedUser>(sql`
    select id, name, status::text as status, to_json(inactivated_at) #>> '{}' as "inactivatedAt",
           inactivated_by as "inactivatedBy", inactivation_reason as "inactivationReason",
           inactivation_workflow_id as "inactivationWorkflowId"
      from users where id = ${userId} for update`);
  return row;
}

function checkReason(reason: string | null): void {
  const problem = reason === null ? undefined : textProblem(reason, REASON_RULE);
  if (problem) refuse('INVALID_INPUT', problem.message);
}

/**
 * An inactivation acts in the name of whoever requested the offboarding, so that person must still be
 * an active company directory admin at this moment (their row locked `for share` until commit): a batch
 * does not go on inactivating people for someone who has since lost the right to.
 */
async function checkRequesterNow(tx: Tx, actorId: number, userId: number): Promise<void> {
  const [actor] = isUserId(actorId)
    ? await tx.execute<{ name: string; status: string; permission: string }>(sql`
        select name, status::text as status, directory_permission::text as permission from users where id = ${actorId} for share`)
    : [];
  if (!actor) refuse('USER_NOT_FOUND', `The requester, user ${String(actorId)}, was not found in the directory.`);
  const restart = `An active company directory admin can start a new offboarding of user ${userId}; what was already handed over stays.`;
  if (actor.status !== 'active') {
    refuse('REQUESTER_INACTIVE', `${actor.name} (user ${actorId}), who requested this offboarding, is inactive now, so user ${userId} was not inactivated. ${restart}`);
  }
  if (actor.permission !== 'admin') {
    refuse('PERMISSION_DENIED', `${actor.name} (user ${actorId}), who requested this offboarding, is no longer a company directory admin, so user ${userId} was not inactivated. ${restart}`);
  }
}

export async function inactivateUser(deps: UserStatusDeps, input: InactivateUserInput): Promise<InactivateUserResult> {
  checkReason(input.reason);
  return withTransaction(deps.db, async (tx) => {
    const user = await lockUser(tx, input.userId);
    if (!user) refuse('USER_NOT_FOUND', `User ${String(input.userId)} was not found in the directory.`);
    if (user.status === 'inactive') {
      if (user.inactivationWorkflowId === input.workflowId && user.inactivatedAt !== null) {
        // A retry of this very inactivation: report what was recorded, write nothing.
        const [audit] = await tx
          .select({ after: auditLog.after })
          .from(auditLog)
          .where(
            and(eq(auditLog.subjectUserId, user.id), eq(auditLog.action, 'user.inactivated'), eq(auditLog.workflowId, input.workflowId)),
          )
          .orderBy(desc(auditLog.id))
          .limit(1);
        const after = audit?.after as { itemsLeftOpen?: OpenItem[] } | null | undefined;
        return { inactivatedAt: iso(user.inactivatedAt) ?? '', itemsLeftOpen: after?.itemsLeftOpen ?? [], alreadyDone: true };
      }
      refuse(
        'USER_ALREADY_INACTIVE',
        `User ${user.id} (${user.name}) was already inactivated${user.inactivationWorkflowId ? ` by ${user.inactivationWorkflowId}` : ''} at ${iso(user.inactivatedAt) ?? 'an unknown time'}.`,
      );
    }
    await checkRequesterNow(tx, input.actorId, user.id);
    const items = await scanOpenItems(tx, [user.id]);
    if (items.length > 0 && !input.force) {
      refuse(
        'OPEN_ITEMS_REMAIN',
        `User ${user.id} (${user.name}) still has ${items.length} open item(s): ${items
          .slice(0, 10)
          .map((i) => i.key)
          .join(', ')}${items.length > 10 ? ', …' : ''}.`,
        items,
      );
    }
    const [updated] = await tx.execute<{ inactivatedAt: string }>(sql`
      update users set status = 'inactive', inactivated_at = now(), inactivated_by = ${input.actorId},
             inactivation_reason = ${input.reason}, inactivation_workflow_id = ${input.workflowId}, updated_at = now()
       where id = ${user.id}
      returning to_json(inactivated_at) #>> '{}' as "inactivatedAt"`);
    const inactivatedAt = iso(updated?.inactivatedAt ?? null) ?? '';
    await tx.insert(auditLog).values({
      actorId: input.actorId,
      action: 'user.inactivated',
      entityType: 'user',
      entityId: String(user.id),
      subjectUserId: user.id,
      workflowId: input.workflowId,
      before: { status: user.status },
      after: { status: 'inactive', inactivatedAt, reason: input.reason, forced: input.force, itemsLeftOpen: items },
    });
    await userInactivated(tx, { userId: user.id, inactivatedAt, actorId: input.actorId, reason: input.reason, forced: input.force, itemsLeftOpen: items.length, workflowId: input.workflowId });
    return { inactivatedAt, itemsLeftOpen: items, alreadyDone: false };
  });
}

async function recordedReactivation(db: DbOrTx, requestId: string): Promise<ReactivateUserResult | undefined> {
  const [row] = await db.select({ action: auditLog.action, after: auditLog.after }).from(auditLog).where(eq(auditLog.requestId, requestId));
  if (!row) return undefined;
  if (row.action !== 'user.reactivated') {
    refuse('INVALID_INPUT', `Request ID ${requestId} was already used for '${row.action}'; use a new request ID.`);
  }
  const after = row.after as { reactivatedAt: string };
  return { reactivatedAt: after.reactivatedAt, alreadyDone: true };
}

/**
 * When this request reactivated this user, if it did: a second submit of the same form answers with
 * the first one's outcome instead of "already active".
 */
export async function reactivatedAtFor(db: DbOrTx, requestId: string, userId: number): Promise<string | undefined> {
  const [done] = await db
    .select({ after: auditLog.after })
    .from(auditLog)
    .where(and(eq(auditLog.requestId, requestId), eq(auditLog.action, 'user.reactivated'), eq(auditLog.subjectUserId, userId)));
  const at = (done?.after as { reactivatedAt?: unknown } | undefined)?.reactivatedAt;
  return typeof at === 'string' ? at : undefined;
}

export async function reactivateUser(deps: UserStatusDeps, input: ReactivateUserInput): Promise<ReactivateUserResult> {
  checkReason(input.reason);
  if (typeof input.requestId !== 'string' || input.requestId.length === 0 || input.requestId.length > 200) {
    refuse('INVALID_INPUT', 'A reactivation needs a request ID (1–200 characters) so a retry is recognised.');
  }
  try {
    return await withTransaction(deps.db, async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`audit-request:${input.requestId}`}))`);
      const recorded = await recordedReactivation(tx, input.requestId);
      if (recorded) return recorded;
      const user = await lockUser(tx, input.userId);
      if (!user) refuse('USER_NOT_FOUND', `User ${String(input.userId)} was not found in the directory.`);
      if (!(await mayReactivate(tx, input.actorId, user.id))) {
        refuse(
          'PERMISSION_DENIED',
          `User ${String(input.actorId)} may not reactivate user ${user.id}: only an active company directory admin, or an admin of the directory of a project user ${user.id} belongs to, may.`,
        );
      }
      if (user.status === 'active') refuse('USER_ALREADY_ACTIVE', `User ${user.id} (${user.name}) is already active.`);
      const [updated] = await tx.execute<{ at: string }>(sql`
        update users set status = 'active', inactivated_at = null, inactivated_by = null, inactivation_reason = null,
               inactivation_workflow_id = null, updated_at = now()
         where id = ${user.id}
        returning to_json(updated_at) #>> '{}' as at`);
      const reactivatedAt = iso(updated?.at ?? null) ?? '';
      await tx.insert(auditLog).values({
        actorId: input.actorId,
        action: 'user.reactivated',
        entityType: 'user',
        entityId: String(user.id),
        subjectUserId: user.id,
        workflowId: input.workflowId,
        requestId: input.requestId,
        before: {
          status: user.status,
          inactivatedAt: iso(user.inactivatedAt),
          inactivatedBy: user.inactivatedBy,
          inactivationReason: user.inactivationReason,
          inactivationWorkflowId: user.inactivationWorkflowId,
        },
        after: { status: 'active', reactivatedAt, reason: input.reason },
      });
      await userReactivated(tx, { userId: user.id, reactivatedAt, actorId: input.actorId, reason: input.reason, requestId: input.requestId });
      return { reactivatedAt, alreadyDone: false };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'audit_log_request_unique')) {
      const recorded = await recordedReactivation(deps.db, input.requestId);
      if (recorded) return recorded;
    }
    throw error;
  }
}
