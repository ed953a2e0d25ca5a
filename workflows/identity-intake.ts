// One intake per identity-provider connection (`identity-intake-<connectionId>`), started and fed by
// signal-with-start: deactivations that arrive within the collection window become ONE batch (at most
// MAX_INTAKE_BATCH people; the window closes early when full), started as a child that outlives the
// intake (ParentClosePolicy ABANDON). Requests that arrive while a batch is being started wait for the
// next window. Every run ends after its batch with continue-as-new, carrying the people still queued
// and the request IDs it has seen, so a history holds one window and never grows with the years.
//
// Why a child and not an activity calling the start path: starting a child is a command in this
// history, so a worker that dies between closing the window and the batch's start replays to the
// same batch ID and Temporal starts it exactly once; an activity would need its own Temporal client
// and its own "already started?" handling to be retried safely.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { domain } from './activity-proxies';
import {
  BATCH_WORKFLOW_TASK_TIMEOUT,
  batchWorkflowId,
  type IdentityIntakeInput,
  type IntakeBatch,
  type IntakeCarryOver,
  type IntakeRequest,
  type IntakeRescind,
  type IntakeRescindResult,
  type IntakeSettings,
  type IntakeState,
  INTAKE_REMEMBERED_BATCHES,
  INTAKE_REMEMBERED_REQUESTS,
  intakeStateQuery,
  isUserId,
  MAX_INTAKE_BATCH,
  offboardingRequestedSignal,
  refusal,
  rescindRequestUpdate,
} from './contract';
import { offboardingBatch } from './offboarding-batch';

const isRequestId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

export async function identityIntake(input: IdentityIntakeInput, carried?: IntakeCarryOver): Promise<void> {
  const { workflowId } = workflowInfo();
  const maxBatch = Math.min(Math.max(1, input.maxBatch ?? MAX_INTAKE_BATCH), MAX_INTAKE_BATCH);
  /** userId -> the request that queued them, in arrival order. */
  const queue = new Map<number, string>(carried?.queue ?? []);
  const seen = new Set<string>(carried?.requestIds ?? []);
  const recent: IntakeBatch[] = carried?.recent ?? [];
  let settings: IntakeSettings | null = carried?.settings ?? null;
  let starting: IntakeBatch | null = null;
  // Read through a function: the signal handler sets it, which the compiler's narrowing cannot see.
  const latestSettings = (): IntakeSettings | null => settings;

  setHandler(offboardingRequestedSignal, (req: IntakeRequest) => {
    // Signals cannot be refused: what is not a request is logged and dropped (the client checks first).
    if (!isUserId(req?.userId) || !isRequestId(req.requestId) || typeof req.settings !== 'object' || req.settings === null) {
      log.warn('malformed intake request ignored', { userId: String(req?.userId) });
      return;
    }
    settings = req.settings;
    if (seen.has(req.requestId)) return;
    seen.add(req.requestId);
    // Already waiting, or being handed to a batch right now: the repeated deactivation adds nobody.
    if (!queue.has(req.userId) && !starting?.userIds.includes(req.userId)) queue.set(req.userId, req.requestId);
  });

  setHandler(intakeStateQuery, (): IntakeState => ({ connectionId: input.connectionId, queued: [...queue.keys()], starting, recent }));

  setHandler(
    rescindRequestUpdate,
    async ({ userId, requestId, by }: IntakeRescind): Promise<IntakeRescindResult> => {
      const queuedBy = queue.get(userId);
      if (queuedBy !== undefined) {
        queue.delete(userId);
        await domain.recordIntakeDrop({ connectionId: input.connectionId, workflowId, actorId: by, userId, requestId, queuedRequestId: queuedBy });
        return { outcome: 'dropped' };
      }
      // Handed to a batch being started: answer once it has started, so the caller can remove them from it.
      if (starting?.userIds.includes(userId)) {
        const batchId = starting.batchId;
        await condition(() => starting?.batchId !== batchId);
        return { outcome: 'in-batch', batchId };
      }
      const batch = [...recent].reverse().find((b) => b.userIds.includes(userId));
      return batch ? { outcome: 'in-batch', batchId: batch.batchId } : { outcome: 'not-queued' };
    },
    {
      validator: ({ userId, requestId, by }: IntakeRescind) => {
        if (!isUserId(userId)) throw refusal('INVALID_INPUT', '"userId" must be a positive user ID');
        if (!isRequestId(requestId)) throw refusal('INVALID_INPUT', '"requestId" must be 1 to 200 characters');
        if (!isUserId(by)) throw refusal('INVALID_INPUT', '"by" must be a user ID');
      },
    },
  );

  // ---- one window --------------------------------------------------------------------------------
  await condition(() => queue.size > 0);
  // The window opens with its first request; it closes when its time is up or the batch is full.
  const windowMs = Math.max(1, settings?.windowMs ?? 1);
  await condition(() => queue.size >= maxBatch, windowMs);
  const taken = [...queue].slice(0, maxBatch);
  for (const [userId] of taken) queue.delete(userId);
  const now = new Date(Date.now());
  const batchId = `c${input.connectionId}-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${uuid4().slice(0, 8)}`;
  starting = { batchId, userIds: taken.map(([userId]) => userId) };
  const s = latestSettings();
  if (s === null) throw new Error('unreachable: a queued request always brings settings');
  const prepared = await domain.prepareIntakeBatch({
    connectionId: input.connectionId,
    batchId,
    workflowId,
    actorId: s.adminUserId,
    successor: s.successor,
    requests: taken.map(([userId, requestId]) => ({ userId, requestId })),
  });
  if (prepared.userIds.length > 0) {
    await startChild(offboardingBatch, {
      workflowId: batchWorkflowId(batchId),
      args: [
        {
          batchId,
          userIds: prepared.userIds,
          requestedBy: s.adminUserId,
          reason: s.reason,
          effectiveAt: null,
          successors: prepared.successors,
          policy: s.policy,
          company: s.company,
        },
      ],
      // The batch outlives this run: the intake continues as new right after starting it.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowTaskTimeout: BATCH_WORKFLOW_TASK_TIMEOUT,
      staticSummary: `Offboarding batch ${batchId}: ${prepared.userIds.length} user(s) from identity connection ${input.connectionId}, requested by user ${s.adminUserId}`,
    });
  }
  recent.push({ batchId, userIds: prepared.userIds });
  starting = null;

  await condition(allHandlersFinished);
  const next: IntakeCarryOver = {
    run: (carried?.run ?? 1) + 1,
    queue: [...queue],
    requestIds: [...seen].slice(-INTAKE_REMEMBERED_REQUESTS),
    recent: recent.slice(-INTAKE_REMEMBERED_BATCHES),
    settings,
  };
  await continueAsNew<typeof identityIntake>(input, next);
}
