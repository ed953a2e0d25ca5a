// What an identity provider's deprovisioning does here (SCIM `active`): a deactivation queues the
// person for the connection's next batch (workflows/identity-intake.ts), a rescinded termination takes
// them out again — from the window, from their running batch, or back from inactive — and each
// person's offboarding can be read back for SCIM's extension attribute. The connection acts in its
// admin's name; the batch's validators and activities check that admin at each step, as for a person.
//
// "Queued" is answered by the intake workflows themselves (a query), not by a table written before
// the signal: the window lives in the workflow's history, durable across worker restarts, so a second
// copy in PostgreSQL would be one more thing to keep in step (and one more migration). The price: an
// intake started a moment ago may take a second to appear in Temporal's visibility list.
import { and, inArray, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema';
import { latestOffboardings } from '../../domain/batches';
import { intakeNeeded } from '../../domain/identity-intake';
import type { IdentityConnection } from '../../domain/connection-policy';
import {
  DEFAULT_INTAKE_WINDOW_MS,
  type IdentityIntakeInput,
  type IntakeRescindResult,
  type IntakeSettings,
  type IntakeState,
  intakeStateQuery,
  intakeWorkflowId,
  isUserId,
  offboardingRequestedSignal,
  rescindRequestUpdate,
} from '../../workflows/contract';
import { refuse } from '../../domain/refusal';
import { refusalOf } from '../refusals';
import type { identityIntake } from '../../workflows/identity-intake';
import { policyOf } from '../batch-options';
import { batchStatus, removeFromBatch } from './batches';
import type { OperationsContext } from './context';
import { reactivateUser } from './reactivation';
import { isNotFound, statusOf } from './workflow-calls';

const lifecycleRequest = z.object({
  userId: z.custom<number>(isUserId, 'must be a user ID'),
  requestId: z.string().min(1).max(200),
});

function checkRequest(req: { userId: number; requestId: string }): void {
  const parsed = lifecycleRequest.safeParse(req);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse('INVALID_INPUT', `${issue?.path.join('.') || 'The request'}: ${issue?.message ?? 'invalid'}`);
  }
}

/** The connection's word, as the intake sends it to the batch: the policy in the batch's own units. */
function intakeSettings(ctx: OperationsContext, connection: IdentityConnection): IntakeSettings {
  const p = connection.policy;
  return {
    adminUserId: connection.adminUserId,
    company: connection.company,
    reason: p.reason,
    policy: policyOf({
      'remind-every': p.remindEveryDays,
      'escalate-after': p.escalateAfterDays,
      deadline: p.deadlineDays,
      'deadline-action': p.deadlineAction,
      force: false,
    }),
    successor: p.successor,
    windowMs: ctx.intakeWindowMs ?? DEFAULT_INTAKE_WINDOW_MS,
  };
}

/**
 * Queues the user for the connection's next batch (idempotent per requestId and per user). The caller
 * has marked them deprovisioned (users.deprovisioned_at) first, as the SCIM routes do: offboardingStates
 * looks for queued people only among the deprovisioned.
 */
export async function requestOffboarding(ctx: OperationsContext, connection: IdentityConnection, req: { userId: number; requestId: string }): Promise<void> {
  checkRequest(req);
  const settings = intakeSettings(ctx, connection);
  // Already being offboarded: the repeated deactivation adds nobody (the intake checks again at the
  // window's end). Already inactive (an identity provider re-sends deactivations when it reconciles):
  // nothing to do. Unknown people and other companies' go on to the batch, whose page shows why they
  // were skipped. One statement for both: the answer waits for it.
  if ((await intakeNeeded(await ctx.db(), req.userId)) !== 'queue') return;
  const input: IdentityIntakeInput = { connectionId: connection.id };
  await (await ctx.temporal()).workflow.signalWithStart<typeof identityIntake, [typeof req & { settings: IntakeSettings }]>('identityIntake', {
    workflowId: intakeWorkflowId(connection.id),
    taskQueue: ctx.taskQueue,
    args: [input],
    signal: offboardingRequestedSignal,
    signalArgs: [{ userId: req.userId, requestId: req.requestId, settings }],
    staticSummary: `Identity connection ${connection.id}: gathers deactivations into batches`,
  });
}

/** Where the connection's intake stands on this user, or not-queued when it has none running. */
async function rescindInIntake(ctx: OperationsContext, connection: IdentityConnection, req: { userId: number; requestId: string }): Promise<IntakeRescindResult> {
  const handle = (await ctx.temporal()).workflow.getHandle<typeof identityIntake>(intakeWorkflowId(connection.id));
  if ((await statusOf(handle)) !== 'RUNNING') return { outcome: 'not-queued' };
  try {
    return await handle.executeUpdate(rescindRequestUpdate, {
      args: [{ userId: req.userId, requestId: req.requestId, by: connection.adminUserId }],
      updateId: `rescind-${req.requestId}`,
    });
  } catch (e) {
    // Between two runs (continue-as-new) or just ended: the claims below answer.
    if (isNotFound(e)) return { outcome: 'not-queued' };
    throw e;
  }
}

/**
 * A rescinded termination: drops a queued user, removes them from their running batch, or reactivates
 * them (reactivation workflow) when already inactive.
 */
export async function rescindOffboarding(
  ctx: OperationsContext,
  connection: IdentityConnection,
  req: { userId: number; requestId: string },
): Promise<'dropped' | 'removed' | 'reactivated' | 'none'> {
  checkRequest(req);
  const fromIntake = await rescindInIntake(ctx, connection, req);
  if (fromIntake.outcome === 'dropped') return 'dropped';
  const db = await ctx.db();
  const [user] = await db.select({ id: users.id, name: users.name, status: users.status }).from(users).where(inArray(users.id, [req.userId]));
  if (!user) return 'none';
  const [latest] = await latestOffboardings(db, [user.id]);
  const batchId = latest?.open ? latest.batchId : fromIntake.outcome === 'in-batch' ? fromIntake.batchId : null;
  if (batchId !== null) {
    try {
      await removeFromBatch(ctx, connection.adminUserId, batchId, user, { requestId: `rescind-${req.requestId}` });
      return 'removed';
    } catch (e) {
      const code = refusalOf(e)?.code;
      // Skipped at the batch's validation, or inactivated a moment ago: what the directory says decides below.
      if (code !== 'USER_NOT_IN_BATCH' && code !== 'USER_ALREADY_INACTIVATED' && code !== 'BATCH_FINISHED') throw e;
    }
  }
  const [now] = await db.select({ status: users.status }).from(users).where(inArray(users.id, [user.id]));
  if (now?.status !== 'inactive') return 'none';
  await reactivateUser(ctx, connection.adminUserId, { ...user, status: 'inactive' }, `Termination rescinded in the identity provider (connection ${connection.id})`, {
    requestId: `rescind-${req.requestId}`,
  });
  return 'reactivated';
}

/** The running intakes (one per connection that has ever sent a deactivation), and what each holds. */
async function intakeStates(ctx: OperationsContext): Promise<IntakeState[]> {
  const client = await ctx.temporal();
  const states: IntakeState[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'identityIntake' AND ExecutionStatus = 'Running'` })) {
    try {
      states.push(await client.workflow.getHandle(wf.workflowId).query(intakeStateQuery));
    } catch (e) {
      // Ended (or continuing as new) since it was listed: its people are in a batch or the next run.
      if (!isNotFound(e)) throw e;
    }
  }
  return states;
}

/** Where each user's offboarding stands (for SCIM's extension attribute): queued, or stage + batch. */
export async function offboardingStates(
  ctx: OperationsContext,
  userIds: readonly number[],
): Promise<Map<number, { stage: string; batchId: string | null }>> {
  const wanted = new Set(userIds.filter(isUserId));
  const states = new Map<number, { stage: string; batchId: string | null }>();
  if (wanted.size === 0) return states;
  const claims = await latestOffboardings(await ctx.db(), [...wanted]);
  // A running batch answers its users' stages in one query (strongly consistent, unlike visibility).
  const batches = new Map<string, Map<number, string> | null>();
  for (const batchId of new Set(claims.flatMap((c) => (c.open && c.batchId !== null ? [c.batchId] : [])))) {
    try {
      const status = await batchStatus(ctx, batchId);
      batches.set(batchId, new Map(status.users.map((u) => [u.userId, u.stage])));
    } catch (e) {
      if (!refusalOf(e)) throw e;
      batches.set(batchId, null);
    }
  }
  for (const c of claims) {
    if (c.open) states.set(c.userId, { stage: (c.batchId !== null ? batches.get(c.batchId)?.get(c.userId) : undefined) ?? 'validating', batchId: c.batchId });
    else states.set(c.userId, { stage: c.outcome ?? 'failed', batchId: c.batchId });
  }
  // Only a deprovisioned person can wait in an intake (the SCIM routes request an offboarding after
  // setting the marker, and a rescind takes the person out of the intake before clearing it), and an
  // open claim answers for itself. Everyone else — nearly every user of a provider's lookups — is
  // answered without the visibility list and a query to each running intake, most of a GET's time.
  const open = new Set(claims.filter((c) => c.open).map((c) => c.userId));
  const withoutClaim = [...wanted].filter((id) => !open.has(id));
  const maybeQueued = new Set(
    withoutClaim.length === 0
      ? []
      : (await (await ctx.db()).select({ id: users.id }).from(users).where(and(inArray(users.id, withoutClaim), isNotNull(users.deprovisionedAt)))).map((r) => r.id),
  );
  if (maybeQueued.size === 0) return states;
  // Waiting in a window (or handed to a batch still being started): newer than any ended offboarding.
  const intakes = await intakeStates(ctx);
  // Handed to a batch that has not claimed them: still validating, or skipped by it (its page says why).
  for (const batch of intakes.flatMap((i) => i.recent)) {
    const unclaimed = batch.userIds.filter((id) => maybeQueued.has(id) && !claims.some((c) => c.userId === id && (c.open || c.batchId === batch.batchId)));
    if (unclaimed.length === 0) continue;
    const status = await batchStatus(ctx, batch.batchId).catch((e: unknown) => {
      if (refusalOf(e)) return undefined;
      throw e;
    });
    for (const id of unclaimed) {
      const rejected = status?.rejected.some((r) => r.userId === id);
      states.set(id, { stage: rejected ? 'rejected' : 'validating', batchId: batch.batchId });
    }
  }
  for (const intake of intakes) {
    for (const id of intake.queued) if (maybeQueued.has(id) && !claims.some((c) => c.userId === id && c.open)) states.set(id, { stage: 'queued', batchId: null });
    for (const id of intake.starting?.userIds ?? []) {
      if (maybeQueued.has(id) && !claims.some((c) => c.userId === id && c.open)) states.set(id, { stage: 'starting', batchId: intake.starting?.batchId ?? null });
    }
  }
  return states;
}
