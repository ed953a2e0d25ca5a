// What the identity-provider intake reads and records when a collection window closes: who is already
// being offboarded (left out, so nobody is offboarded twice), each person's manager as successor when
// the connection says so, and an audit row per request (who asked: the connection, in its admin's
// name). Refusals of people (unknown, another company, inactive) are the batch's own validation, so
// they show where HR looks: on the batch's page, with the batch's words.
import { sql } from 'drizzle-orm';
import { intArrayParam } from '../db/int-array';
import { auditLog } from '../db/schema';
import { type DbOrTx, withTransaction } from '../db/transaction';
import { isUserId, type PrepareIntakeBatchInput, type PrepareIntakeBatchResult, type RecordIntakeDropInput } from '../workflows/contract';
import { whyPersonIneligible } from '../workflows/contract';

/** The audit row's request ID of one intake step: unique, so a retried activity writes it once. */
const auditRequestId = (connectionId: number, what: string, requestId: string) => `identity-intake:${connectionId}:${what}:${requestId}`;

type Person = { id: number; status: 'active' | 'inactive'; email: string | null; managerId: number | null; offboardingWorkflowId: string | null };

async function people(db: DbOrTx, ids: readonly number[]): Promise<Map<number, Person>> {
  if (ids.length === 0) return new Map();
  const rows = await db.execute<Person>(sql`
    select u.id, u.status::text as status, u.email, u.manager_id as "managerId",
           (select o.workflow_id from offboardings o where o.user_id = u.id and o.ended_at is null limit 1) as "offboardingWorkflowId"
      from users u where u.id = any(${intArrayParam(ids)})`);
  return new Map(rows.map((p) => [p.id, p]));
}

/**
 * Whether a deactivation needs the intake at all, in one statement (a SCIM request's answer waits for
 * it, and under load each round trip to PostgreSQL queues behind the others): someone already being
 * offboarded or already inactive is not queued again. Unknown people go on: the batch says why not.
 */
export async function intakeNeeded(db: DbOrTx, userId: number): Promise<'open-offboarding' | 'inactive' | 'queue'> {
  const [row] = await db.execute<{ status: string | null; open: boolean }>(sql`
    select (select u.status::text from users u where u.id = ${userId}) as status,
           exists (select 1 from offboardings o where o.user_id = ${userId} and o.ended_at is null) as open`);
  if (row?.open) return 'open-offboarding';
  if (row?.status === 'inactive') return 'inactive';
  return 'queue';
}

/**
 * The batch's users and successors for a closed window. Runs before the batch starts, so an open
 * claim is always someone else's offboarding. A manager takes over only when the batch would accept
 * them as successor (active, staying, reachable, not leaving in this batch): one manager who cannot
 * must not make the whole batch refuse to start.
 */
export async function prepareIntakeBatch(db: DbOrTx, input: PrepareIntakeBatchInput): Promise<PrepareIntakeBatchResult> {
  return withTransaction(db, async (tx) => {
    const ids = [...new Set(input.requests.map((r) => r.userId))];
    const known = await people(tx, ids.filter(isUserId));
    const alreadyOffboarding = ids.filter((id) => known.get(id)?.offboardingWorkflowId != null);
    const userIds = ids.filter((id) => !alreadyOffboarding.includes(id));
    const successors: Record<string, number> = {};
    if (input.successor === 'manager') {
      const leaving = new Set(userIds);
      const managerIds = [...new Set(userIds.flatMap((id) => known.get(id)?.managerId ?? []))].filter((m) => !leaving.has(m));
      const managers = await people(tx, managerIds);
      for (const id of userIds) {
        const managerId = known.get(id)?.managerId;
        if (managerId == null || leaving.has(managerId)) continue;
        if (whyPersonIneligible(managers.get(managerId)) === null) successors[String(id)] = managerId;
      }
    }
    const inBatch = new Set(userIds);
    const rows = input.requests.map((r) => ({
      actorId: input.actorId,
      action: inBatch.has(r.userId) ? 'offboarding.requested' : 'offboarding.request-ignored',
      entityType: 'identity-connection',
      entityId: String(input.connectionId),
      subjectUserId: known.has(r.userId) ? r.userId : null,
      workflowId: input.workflowId,
      requestId: auditRequestId(input.connectionId, 'requested', r.requestId),
      after: inBatch.has(r.userId)
        ? { userId: r.userId, batchId: input.batchId, requestId: r.requestId, successorId: successors[String(r.userId)] ?? null }
        : { userId: r.userId, requestId: r.requestId, why: 'already being offboarded' },
    }));
    for (let i = 0; i < rows.length; i += 500) await tx.insert(auditLog).values(rows.slice(i, i + 500)).onConflictDoNothing();
    return { userIds, successors, alreadyOffboarding };
  });
}

/** A rescinded termination took the user out of the window before any batch started for them. */
export async function recordIntakeDrop(db: DbOrTx, input: RecordIntakeDropInput): Promise<void> {
  await db
    .insert(auditLog)
    .values({
      actorId: input.actorId,
      action: 'offboarding.request-dropped',
      entityType: 'identity-connection',
      entityId: String(input.connectionId),
      subjectUserId: isUserId(input.userId) && (await people(db, [input.userId])).has(input.userId) ? input.userId : null,
      workflowId: input.workflowId,
      requestId: auditRequestId(input.connectionId, 'dropped', input.requestId),
      after: { userId: input.userId, requestId: input.requestId, queuedBy: input.queuedRequestId },
    })
    .onConflictDoNothing();
}
