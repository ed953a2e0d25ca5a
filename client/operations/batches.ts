// What HR does with a batch: review it (the dry run), start it, follow it, take a user out of it,
// cancel it. The actor is an argument; the batch's validators and activities check them again.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { reviewBatch, type ReviewedUser, reviewedPeople } from '../../domain/batch-review';
import { isActiveAdmin } from '../../domain/permissions';
import {
  type BatchComposition,
  type BatchRejection,
  type BatchStatus,
  batchStatusQuery,
  batchWorkflowId,
  type BatchSummary,
  cancelBatchUpdate,
  type OffboardingBatchInput,
  type OffboardingPolicy,
  removeUserUpdate,
} from '../../workflows/contract';
import { refuse } from '../../domain/refusal';
import type { offboardingBatch } from '../../workflows/offboarding-batch';
import { startBatchWorkflow } from '../start-batch';
import type { OperationsContext } from './context';
import { callRunning, orNotFound, statusOf } from './workflow-calls';

/** A batch as a person describes it before it starts. */
export type BatchDraft = {
  /** Fixed when the review is drawn, so confirming twice starts one batch; generated when absent. */
  batchId?: string;
  userIds: number[];
  reason: string | null;
  effectiveAt: string | null;
  /** userId -> successor userId */
  successors: Record<string, number>;
  policy?: Partial<OffboardingPolicy>;
};

export type { ReviewedUser };

/** What starting the draft would do: who is offboarded with their open items, who is skipped and why. */
export type BatchReview = { batchId: string; requestedBy: number; accepted: ReviewedUser[]; rejected: BatchRejection[] };

export function generateBatchId(now = new Date()): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `b-${date}-${randomBytes(3).toString('hex')}`;
}

/** The users with their manager and open items, in the order given. */
async function reviewedUsers(ctx: OperationsContext, ids: readonly number[]): Promise<ReviewedUser[]> {
  return ids.length === 0 ? [] : reviewedPeople(await ctx.db(), ids);
}

/**
 * The dry run: the batch's own validation in a transaction that is rolled back. Refusals of the whole
 * batch (the requester is not an admin, a successor is leaving too, a date out of range) are thrown.
 */
export async function previewBatch(ctx: OperationsContext, actorId: number, draft: BatchDraft): Promise<BatchReview> {
  const batchId = draft.batchId ?? generateBatchId();
  const review = await reviewBatch(await ctx.db(), { ...draft, batchId, requestedBy: actorId });
  return { batchId, requestedBy: actorId, accepted: await reviewedUsers(ctx, review.accepted), rejected: review.rejected };
}

/** The whole status: the query answers a page of users at a time (large batches). */
export async function batchStatus(ctx: OperationsContext, batchId: string): Promise<BatchStatus> {
  const handle = (await ctx.temporal()).workflow.getHandle(batchWorkflowId(batchId));
  const first = await orNotFound(() => handle.query(batchStatusQuery), 'BATCH_NOT_FOUND', `No batch has the ID "${batchId.slice(0, 80)}".`);
  const rows = [...first.users];
  while (rows.length < first.total) {
    const page = await handle.query(batchStatusQuery, { offset: rows.length });
    if (page.users.length === 0) break;
    rows.push(...page.users);
  }
  return { ...first, users: rows };
}

/** One page of a batch's users (the web's batch page; 10,000-user batches). */
export async function batchStatusPage(ctx: OperationsContext, batchId: string, offset: number, limit: number): Promise<BatchStatus> {
  const handle = (await ctx.temporal()).workflow.getHandle(batchWorkflowId(batchId));
  return orNotFound(() => handle.query(batchStatusQuery, { offset, limit }), 'BATCH_NOT_FOUND', `No batch has the ID "${batchId.slice(0, 80)}".`);
}

/** Waits until the batch has validated its users (the first workflow task may not have run yet). */
async function waitForValidation(handle: WorkflowHandle): Promise<BatchStatus> {
  const until = Date.now() + 60_000;
  for (;;) {
    const state = await statusOf(handle);
    if (state !== undefined && state !== 'RUNNING' && state !== 'CONTINUED_AS_NEW' && state !== 'COMPLETED') {
      await handle.result(); // throws: the refusal (e.g. PERMISSION_DENIED)
    }
    try {
      const s = await handle.query(batchStatusQuery);
      if (s.phase !== 'validating') return s;
    } catch {
      // the first workflow task may not have run yet
    }
    if (Date.now() > until) throw new Error(`batch ${handle.workflowId} is still validating after 60 s; see \`offboard status\``);
    await sleep(200);
  }
}

/** How many user IDs a BATCH_ID_TAKEN message lists on each side. */
const IDS_NAMED = 10;

/**
 * A start with the ID of an existing batch. The same users (in any order) are the same request again:
 * the existing batch is answered, so retrying is safe. Other users are BATCH_ID_TAKEN: answering with
 * the old batch would leave the new users silently not offboarded.
 */
async function existingBatch(ctx: OperationsContext, batchId: string, userIds: readonly number[]): Promise<BatchStatus> {
  await waitForValidation((await ctx.temporal()).workflow.getHandle(batchWorkflowId(batchId)));
  const status = await batchStatus(ctx, batchId);
  // Whom the batch was asked for: the users it took on and those it skipped at validation.
  const theirs = new Set([...status.users.map((u) => u.userId), ...status.rejected.map((r) => r.userId)]);
  const mine = new Set(userIds);
  const notInIt = [...mine].filter((id) => !theirs.has(id));
  const notNamed = [...theirs].filter((id) => !mine.has(id));
  if (notInIt.length > 0 || notNamed.length > 0) {
    const ids = (list: number[]) => `${list.slice(0, IDS_NAMED).join(', ')}${list.length > IDS_NAMED ? `, … (${list.length})` : ''}`;
    const parts = [...(notInIt.length ? [`not in it: ${ids(notInIt)}`] : []), ...(notNamed.length ? [`in it but not named here: ${ids(notNamed)}`] : [])];
    refuse('BATCH_ID_TAKEN', `Batch ${status.batchId} already exists for other users (${parts.join('; ')}); nothing was started.`);
  }
  return status;
}

/**
 * What a start with this batch ID would meet: undefined when the ID is free, the existing batch when
 * it was started for the same users (a start answers with it and starts nothing), BATCH_ID_TAKEN when
 * for other users. The caller checks the requester first.
 */
export async function batchWithId(ctx: OperationsContext, batchId: string, userIds: readonly number[]): Promise<BatchStatus | undefined> {
  const handle = (await ctx.temporal()).workflow.getHandle(batchWorkflowId(batchId));
  if ((await statusOf(handle)) === undefined) return undefined;
  return existingBatch(ctx, batchId, userIds);
}

export type StartedBatch = { batchId: string; created: boolean; status: BatchStatus };

/**
 * Starts the batch, once: the same request again (a double submit, a retried command) answers with the
 * batch it started. The requester is checked first, so only an active admin learns anything about an
 * existing batch ID.
 */
export async function startBatch(ctx: OperationsContext, actorId: number, draft: BatchDraft): Promise<StartedBatch> {
  const batchId = draft.batchId ?? generateBatchId();
  // Pre-flight: the requester checks answer here instead of as a failed workflow.
  await reviewBatch(await ctx.db(), { ...draft, batchId, requestedBy: actorId });
  const existing = await batchWithId(ctx, batchId, draft.userIds);
  if (existing) return { batchId, created: false, status: existing };
  const client = await ctx.temporal();
  const handle = client.workflow.getHandle(batchWorkflowId(batchId));
  const input: OffboardingBatchInput = {
    batchId,
    userIds: draft.userIds,
    requestedBy: actorId,
    reason: draft.reason,
    effectiveAt: draft.effectiveAt,
    successors: draft.successors,
    policy: draft.policy ?? {},
  };
  try {
    await startBatchWorkflow(client, ctx.taskQueue, input);
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // Started by the same request a moment ago (a double submit).
    return { batchId, created: false, status: await existingBatch(ctx, batchId, draft.userIds) };
  }
  return { batchId, created: true, status: await waitForValidation(handle) };
}

/** How an ended batch ended, from its summary (or Temporal's status when it did not complete). */
async function howItEnded(handle: WorkflowHandle<typeof offboardingBatch>, state: string): Promise<string> {
  if (state !== 'COMPLETED') return state.toLowerCase().replaceAll('_', ' ');
  const s: BatchSummary = await handle.result();
  const skipped = s.rejected.length > 0 ? `, ${s.rejected.length} skipped at validation` : '';
  return `${s.inactivated.length} inactivated, ${s.removed.length} removed, ${s.cancelled.length} cancelled, ${s.failed.length} failed${skipped}`;
}

async function updateBatch<T>(
  ctx: OperationsContext,
  actorId: number,
  batchId: string,
  unchanged: string,
  send: (handle: WorkflowHandle<typeof offboardingBatch>) => Promise<T>,
): Promise<T> {
  const handle = (await ctx.temporal()).workflow.getHandle<typeof offboardingBatch>(batchWorkflowId(batchId));
  return callRunning({
    handle,
    notFound: { code: 'BATCH_NOT_FOUND', message: `No batch has the ID "${batchId.slice(0, 80)}".` },
    ended: async (state) => refuse('BATCH_FINISHED', `Batch ${batchId.slice(0, 80)} has already ended (${await howItEnded(handle, state)}); ${unchanged}.`),
    send: () => send(handle),
    allowedNow: async () => isActiveAdmin(await ctx.db(), actorId),
  });
}

/** Takes one user out of a batch before they are inactivated (the ✕ next to their name). */
export async function removeFromBatch(
  ctx: OperationsContext,
  actorId: number,
  batchId: string,
  user: { id: number; name: string },
  options: { requestId?: string } = {},
): Promise<BatchComposition> {
  return updateBatch(ctx, actorId, batchId, `${user.name} (${user.id}) was not removed`, (handle) =>
    handle.executeUpdate(removeUserUpdate, { args: [{ userId: user.id, by: actorId }], ...(options.requestId ? { updateId: options.requestId } : {}) }),
  );
}

/** Cancels the rest of a batch: users not yet inactivated stay active. */
export async function cancelBatch(ctx: OperationsContext, actorId: number, batchId: string, options: { requestId?: string } = {}): Promise<BatchComposition> {
  return updateBatch(ctx, actorId, batchId, 'nothing was cancelled', (handle) =>
    handle.executeUpdate(cancelBatchUpdate, { args: [{ by: actorId }], ...(options.requestId ? { updateId: options.requestId } : {}) }),
  );
}
