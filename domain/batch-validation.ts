// Batch validation and the `offboardings` claims: "one offboarding per user at a time" is the
// partial unique index offboardings_one_open_per_user; the claim is what reassignment checks for
// TARGET_BEING_OFFBOARDED.
import { eq, sql } from 'drizzle-orm';
import { users } from '../db/schema';
import {
  BATCH_ID_PATTERN,
  type BatchRejection,
  MAX_BATCH_SIZE,
  MAX_EFFECTIVE_DELAY_DAYS,
  REASON_RULE,
  userWorkflowId,
  isUserId,
} from '../workflows/contract';
import { refuse } from './refusal';
import { parseIdText, textProblem, whyPersonIneligible } from '../workflows/contract';
import type { BatchRejectionCode } from '../workflows/contract';
import type {
  ClaimOffboardingInput,
  FinishOffboardingInput,
  ReleaseOffboardingsInput,
  ValidateBatchInput,
  ValidateBatchResult,
} from '../workflows/contract';
import { intArrayParam } from '../db/int-array';
import { type DbOrTx, type Tx, withTransaction } from '../db/transaction';
import { activeAdminIds } from './permissions';
import { offboardingsStarted } from './webhooks/facts';

export type BatchDeps = { db: DbOrTx; clock?: () => Date };

const DAY_MS = 24 * 60 * 60 * 1000;

type Claim = { userId: number; batchId: string | null; workflowId: string };

/** An ISO 8601 date-time with a zone (Z or ±hh:mm), as the per-user workflow waits for it. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks of the batch's own input that need no database: each is a batch-level refusal (nothing written). */
function checkBatchInput(input: ValidateBatchInput): void {
  if (typeof input.batchId !== 'string' || !BATCH_ID_PATTERN.test(input.batchId)) {
    refuse('INVALID_INPUT', `"${String(input.batchId).slice(0, 80)}" is not a batch ID (letters, digits, '.', '_', '-'; at most 64).`);
  }
  if (!Array.isArray(input.userIds) || input.userIds.length === 0) refuse('BATCH_EMPTY', `Batch ${input.batchId} names no users.`);
  if (input.userIds.length > MAX_BATCH_SIZE) {
    refuse('BATCH_TOO_LARGE', `Batch ${input.batchId} has ${input.userIds.length} users; at most ${MAX_BATCH_SIZE} fit in one batch.`);
  }
  const reason: unknown = input.reason;
  const reasonProblem = reason == null ? undefined : textProblem(reason, REASON_RULE);
  if (reasonProblem) refuse('INVALID_INPUT', reasonProblem.message);
  const effectiveAt: unknown = input.effectiveAt;
  if (effectiveAt != null && (typeof effectiveAt !== 'string' || !ISO_DATE_TIME.test(effectiveAt) || !Number.isFinite(Date.parse(effectiveAt)))) {
    refuse('INVALID_INPUT', `The effective date "${(typeof effectiveAt === 'string' ? effectiveAt : JSON.stringify(effectiveAt)).slice(0, 60)}" is not an ISO date-time with a zone, like 2030-01-31T17:00:00Z.`);
  }
  const successors: unknown = input.successors;
  if (successors == null) return;
  if (typeof successors !== 'object' || Array.isArray(successors)) refuse('INVALID_INPUT', 'Successors must map user IDs to user IDs.');
  const inBatch = new Set(input.userIds);
  for (const [key, value] of Object.entries(successors)) {
    const userId = parseIdText(key);
    if (!isUserId(userId) || !inBatch.has(userId)) refuse('INVALID_INPUT', `Successor given for "${key.slice(0, 40)}", who is not a user in batch ${input.batchId}.`);
    if (!isUserId(value)) refuse('INVALID_INPUT', `The successor of user ${userId} must be a user ID, got ${JSON.stringify(value)?.slice(0, 40)}.`);
    if (value === userId) refuse('TARGET_SAME_USER', `User ${userId} cannot be their own successor.`);
    if (inBatch.has(value)) refuse('TARGET_BEING_OFFBOARDED', `User ${value}, the successor of user ${userId}, is in batch ${input.batchId} too.`);
  }
}

/**
 * A successor must be able to take items: known, active, not being offboarded themselves, and someone
 * who can be told (the project-independent part of domain/assignee-eligibility.ts; membership is
 * checked item by item when they take them).
 */
async function checkSuccessors(tx: Tx, successorIds: number[]): Promise<void> {
  const found = new Map<number, { status: 'active' | 'inactive'; email: string | null; offboardingWorkflowId: string | null }>();
  for (const r of await tx.execute<{ id: number; status: 'active' | 'inactive'; email: string | null; offboardingWorkflowId: string | null }>(sql`
    select u.id, u.status::text as status, u.email,
           (select o.workflow_id from offboardings o where o.user_id = u.id and o.ended_at is null limit 1) as "offboardingWorkflowId"
      from users u where u.id = any(${intArrayParam(successorIds)})`)) {
    found.set(r.id, r);
  }
  for (const id of successorIds) {
    const successor = found.get(id);
    const why = whyPersonIneligible(successor);
    if (why === null) continue;
    const message = {
      TARGET_NOT_FOUND: `Successor ${id} was not found in the directory.`,
      TARGET_INACTIVE: `Successor ${id} is inactive and cannot take over items.`,
      TARGET_BEING_OFFBOARDED: `Successor ${id} is being offboarded (${successor?.offboardingWorkflowId ?? ''}) and could take nothing over; choose someone staying.`,
      TARGET_NO_EMAIL: `Successor ${id} has no email address, so nobody could tell them about the items; choose someone who has one.`,
    }[why];
    refuse(why, message);
  }
}

export async function validateBatch(deps: BatchDeps, input: ValidateBatchInput): Promise<ValidateBatchResult> {
  checkBatchInput(input);
  return withTransaction(deps.db, async (tx) => {
    // Checks that depend on time or on other batches answer on the first run only: a retry after
    // this batch claimed its users (the worker died before reporting) must answer as that run did.
    const [ran] = await tx.execute<{ one: number }>(sql`select 1 as one from offboardings where batch_id = ${input.batchId} limit 1`);
    if (!ran && input.effectiveAt != null) {
      const at = Date.parse(input.effectiveAt);
      const now = (deps.clock ?? (() => new Date()))().getTime();
      if (at <= now) refuse('EFFECTIVE_DATE_IN_PAST', `The effective date ${input.effectiveAt} of batch ${input.batchId} is not in the future.`);
      if (at > now + MAX_EFFECTIVE_DELAY_DAYS * DAY_MS) {
        refuse('EFFECTIVE_DATE_TOO_FAR', `The effective date ${input.effectiveAt} of batch ${input.batchId} is more than ${MAX_EFFECTIVE_DELAY_DAYS} days away.`);
      }
    }
    const successorIds = [...new Set(Object.values(input.successors ?? {}))];
    if (successorIds.length > 0 && !ran) await checkSuccessors(tx, successorIds);
    const [requester] = isUserId(input.requestedBy)
      ? await tx
          .select({ status: users.status, permission: users.directoryPermission })
          .from(users)
          .where(eq(users.id, input.requestedBy))
      : [];
    if (!requester) refuse('USER_NOT_FOUND', `The requester, user ${String(input.requestedBy)}, was not found in the directory.`);
    if (requester.status !== 'active') refuse('REQUESTER_INACTIVE', `The requester, user ${input.requestedBy}, is inactive.`);
    if (requester.permission !== 'admin') {
      refuse('PERMISSION_DENIED', `User ${input.requestedBy} is not a company directory admin and may not start an offboarding.`);
    }

    const candidates = [...new Set(input.userIds.filter(isUserId))];
    const known = new Map<number, string>();
    const companyOf = new Map<number, string>();
    const claims = new Map<number, Claim>();
    const thisBatch = new Set<number>();
    if (candidates.length > 0) {
      const ids = intArrayParam(candidates);
      for (const r of await tx.execute<{ id: number; status: string; company: string }>(
        sql`select id, status::text as status, company from users where id = any(${ids})`,
      )) {
        known.set(r.id, r.status);
        companyOf.set(r.id, r.company);
      }
      // Any row of this batch (open or ended) makes a re-run answer as the first run did.
      for (const r of await tx.execute<Claim & { open: boolean }>(sql`
        select user_id as "userId", batch_id as "batchId", workflow_id as "workflowId", ended_at is null as open
          from offboardings where user_id = any(${ids}) and (ended_at is null or batch_id = ${input.batchId})`)) {
        if (r.batchId === input.batchId && r.workflowId === userWorkflowId(r.userId)) thisBatch.add(r.userId);
        else if (r.open) claims.set(r.userId, r);
      }
    }

    const seen = new Set<number>();
    const verdicts: ({ userId: number; accepted: true } | (BatchRejection & { accepted: false }))[] = [];
    const reject = (userId: number, code: BatchRejectionCode, message: string) => verdicts.push({ userId, code, message, accepted: false });
    for (const raw of input.userIds) {
      if (!isUserId(raw)) {
        reject(typeof raw === 'number' && Number.isFinite(raw) ? raw : 0, 'INVALID_INPUT', `${String(raw)} is not a user ID (a positive whole number).`);
        continue;
      }
      const id = raw;
      if (seen.has(id)) {
        reject(id, 'DUPLICATE_USER', `User ${id} is named more than once in batch ${input.batchId}; offboarded once.`);
        continue;
      }
      seen.add(id);
      const status = known.get(id);
      if (status === undefined) reject(id, 'USER_NOT_FOUND', `User ${id} was not found in the directory.`);
      else if (id === input.requestedBy) reject(id, 'REQUESTER_IN_BATCH', `User ${id} requested this batch and cannot offboard themselves.`);
      else if (thisBatch.has(id)) verdicts.push({ userId: id, accepted: true });
      // An identity provider's batch speaks for one company: someone else's person is not found there.
      else if (input.company !== undefined && companyOf.get(id) !== input.company) {
        reject(id, 'USER_NOT_FOUND', `User ${id} is not one of ${input.company.slice(0, 80)}'s people, so this connection cannot offboard them.`);
      }
      else if (status !== 'active') reject(id, 'USER_ALREADY_INACTIVE', `User ${id} is already inactive.`);
      else if (claims.has(id)) {
        const c = claims.get(id);
        reject(id, 'ALREADY_IN_OFFBOARDING', `User ${id} is already being offboarded by ${c?.workflowId ?? 'another workflow'}${c?.batchId ? ` (batch ${c.batchId})` : ''}.`);
      } else verdicts.push({ userId: id, accepted: true });
    }

    // Claim every newly accepted user in one statement. A claim taken concurrently by someone else
    // makes the insert skip that user, who is then reported as ALREADY_IN_OFFBOARDING.
    const toClaim = verdicts.filter((v) => v.accepted && !thisBatch.has(v.userId)).map((v) => v.userId);
    if (toClaim.length > 0) {
      const inserted = await tx.execute<{ id: number; userId: number; workflowId: string }>(sql`
        insert into offboardings (user_id, batch_id, workflow_id, requested_by)
        select u, ${input.batchId}, 'offboarding-user-' || u, ${input.requestedBy}
          from unnest(${intArrayParam(toClaim)}) as u
        on conflict (user_id) where ended_at is null do nothing
        returning id, user_id as "userId", workflow_id as "workflowId"`);
      const claimed = new Set(inserted.map((r) => r.userId));
      await offboardingsStarted(tx, inserted.map((r) => ({ claimId: r.id, userId: r.userId, batchId: input.batchId, workflowId: r.workflowId, requestedBy: input.requestedBy })));
      for (let i = 0; i < verdicts.length; i++) {
        const v = verdicts[i];
        if (v?.accepted && !thisBatch.has(v.userId) && !claimed.has(v.userId)) {
          verdicts[i] = {
            userId: v.userId,
            accepted: false,
            code: 'ALREADY_IN_OFFBOARDING',
            message: `User ${v.userId} was claimed by another offboarding while batch ${input.batchId} was validated.`,
          };
        }
      }
    }
    return {
      accepted: verdicts.filter((v) => v.accepted).map((v) => v.userId),
      rejected: verdicts.flatMap((v) => (v.accepted ? [] : [{ userId: v.userId, code: v.code, message: v.message }])),
      adminIds: await activeAdminIds(tx),
    };
  });
}

/** Claims the user for a workflow started without a batch; idempotent for the same workflow ID. */
export async function claimOffboarding(deps: BatchDeps, input: ClaimOffboardingInput): Promise<{ alreadyClaimed: boolean }> {
  return withTransaction(deps.db, async (tx) => {
    const [user] = isUserId(input.userId)
      ? await tx.execute<{ status: string }>(sql`select status::text as status from users where id = ${input.userId} for update`)
      : [];
    if (!user) refuse('USER_NOT_FOUND', `User ${String(input.userId)} was not found in the directory.`);
    const [open] = await tx.execute<Claim>(sql`
      select user_id as "userId", batch_id as "batchId", workflow_id as "workflowId"
        from offboardings where user_id = ${input.userId} and ended_at is null`);
    if (open) {
      if (open.workflowId === input.workflowId) return { alreadyClaimed: true };
      refuse(
        'ALREADY_IN_OFFBOARDING',
        `User ${input.userId} is already being offboarded by ${open.workflowId}${open.batchId ? ` (batch ${open.batchId})` : ''}.`,
      );
    }
    if (user.status !== 'active') refuse('USER_ALREADY_INACTIVE', `User ${input.userId} is already inactive.`);
    const [claim] = await tx.execute<{ id: number }>(sql`
      insert into offboardings (user_id, batch_id, workflow_id, requested_by)
      values (${input.userId}, ${input.batchId}, ${input.workflowId}, ${input.requestedBy})
      returning id`);
    if (claim) await offboardingsStarted(tx, [{ claimId: claim.id, userId: input.userId, batchId: input.batchId, workflowId: input.workflowId, requestedBy: input.requestedBy }]);
    return { alreadyClaimed: false };
  });
}

/** Ends the open claim of this user and workflow; a no-op when it has already ended. */
export async function finishOffboarding(deps: BatchDeps, input: FinishOffboardingInput): Promise<{ ended: boolean }> {
  if (!isUserId(input.userId)) return { ended: false };
  const rows = await deps.db.execute<{ id: number }>(sql`
    update offboardings set ended_at = now(), outcome = ${outcomeOf(input.outcome)}
     where user_id = ${input.userId} and workflow_id = ${input.workflowId} and ended_at is null
    returning id`);
  return { ended: rows.length > 0 };
}

/** Ends the open claims of a batch's users who never started (removed or cancelled while queued). */
export async function releaseOffboardings(deps: BatchDeps, input: ReleaseOffboardingsInput): Promise<{ released: number }> {
  const userIds = input.userIds.filter(isUserId);
  if (userIds.length === 0) return { released: 0 };
  const outcome = outcomeOf(input.outcome);
  const rows = await deps.db.execute<{ id: number }>(sql`
    update offboardings set ended_at = now(), outcome = ${outcome}
     where batch_id = ${input.batchId} and ended_at is null
       and user_id = any(${intArrayParam(userIds)})
    returning id`);
  return { released: rows.length };
}

function outcomeOf(outcome: FinishOffboardingInput['outcome']): FinishOffboardingInput['outcome'] {
  if (outcome === 'inactivated' || outcome === 'removed' || outcome === 'cancelled' || outcome === 'failed') return outcome;
  return refuse('INVALID_INPUT', `"${String(outcome)}" is not an offboarding outcome.`);
}
