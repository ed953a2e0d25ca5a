// A batch: validate, then run one userOffboarding child per accepted user through a sliding window,
// collect their reports (children signal progress and results, so results reach us whichever run
// started them), continue-as-new well before history limits, and end with an emailed summary.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { domain } from './activity-proxies';
import { deliverNotification } from './email-delivery';
import {
  type BatchComposition,
  type RemoveUserRequest,
  type BatchStatus,
  BATCH_STATUS_PAGE,
  type BatchStatusRequest,
  type BatchSummary,
  type BatchUserRow,
  batchStatusQuery,
  cancelSignal,
  cancelBatchUpdate,
  DEFAULT_POLICY,
  FINAL_STAGES,
  type OffboardingBatchInput,
  type OffboardingPolicy,
  refreshPermissionsUpdate,
  removeUserUpdate,
  searchAttributes,
  stopSignal,
  USER_STAGES,
  type UserProgress,
  userProgressSignal,
  type UserStage,
  userWorkflowId,
} from './contract';
import { asUpdateFailure, refusalOf } from './contract';
import { refusal } from './contract';
import { type BatchCarryOver, pack, unpack } from './batch-carry-over';
import { renderBatchDetails } from './current-details';
import { DetailsPublisher } from './details-publisher';
import { userOffboarding } from './user-offboarding';

/** Children running at once: far below Temporal's 2,000 pending-children limit. */
export const BATCH_WINDOW = 200;
/** Continue-as-new at this many events: well under the 10,240-event warning. */
export const CONTINUE_AS_NEW_AT_EVENTS = 4_000;
/** Children started per refill: small refills keep the run's length checked between them. */
export const REFILL_CHUNK = 50;

type RowStage = UserStage | 'queued';

const isFinal = (stage: RowStage): boolean => stage !== 'queued' && FINAL_STAGES.includes(stage);
const isRunning = (row: BatchUserRow | undefined): boolean => row !== undefined && row.stage !== 'queued' && !isFinal(row.stage);
/** When the user started waiting for reassignment, or Infinity when they are not waiting for it. */
const waitingSinceMs = (row: BatchUserRow): number =>
  row.stage === 'awaiting-reassignment' && row.waitingSince !== null ? Date.parse(row.waitingSince) : Infinity;
/**
 * Whether a user waiting since `sinceMs` has waited longer than `than`. Equal waits go to the lower
 * user ID, so the answer does not depend on the order in which the children's reports arrived.
 */
const waitsLonger = (userId: number, sinceMs: number, than: { userId: number; since: string } | null): boolean => {
  if (sinceMs === Infinity) return false;
  if (than === null) return true;
  const thanMs = Date.parse(than.since);
  return sinceMs < thanMs || (sinceMs === thanMs && userId < than.userId);
};

export async function offboardingBatch(input: OffboardingBatchInput, carried?: BatchCarryOver): Promise<BatchSummary> {
  const workflowId = workflowInfo().workflowId;
  // Runs started before this change trusted the admins loaded at validation for removeUser and
  // cancel; new runs also ask the database at the moment of each request.
  const checkedNow = patched('permissions-checked-at-request');
  const windowSize = Math.min(Math.max(1, input.tuning?.window ?? BATCH_WINDOW), 1_000);
  const continueAsNewAt = Math.min(Math.max(200, input.tuning?.continueAsNewAtEvents ?? CONTINUE_AS_NEW_AT_EVENTS), 8_000);
  const policy: OffboardingPolicy = { ...DEFAULT_POLICY, ...input.policy };
  const rows = new Map<number, BatchUserRow>((carried?.rows ?? []).map((p) => [p[0], unpack(p)]));
  // Children started and not yet finished, kept as a count: the wait conditions read it after every
  // activation, and scanning 10,000 rows each time made the parent's workflow tasks slow. The details'
  // counts by stage and oldest wait are kept the same way, for the same reason.
  let runningCount = [...rows.values()].filter(isRunning).length;
  const stageCounts = Object.fromEntries([...USER_STAGES, 'queued'].map((s) => [s, 0])) as BatchStatus['counts'];
  for (const r of rows.values()) stageCounts[r.stage] += 1;
  /** The user waiting longest for reassignment; undefined when it left that wait and must be looked up again. */
  let oldestWait: { userId: number; since: string } | null | undefined;
  function setRow(userId: number, row: BatchUserRow): void {
    const before = rows.get(userId);
    runningCount += (isRunning(row) ? 1 : 0) - (isRunning(before) ? 1 : 0);
    if (before) stageCounts[before.stage] -= 1;
    stageCounts[row.stage] += 1;
    rows.set(userId, row);
    const since = waitingSinceMs(row);
    if (oldestWait?.userId === userId && since !== Date.parse(oldestWait.since)) oldestWait = undefined;
    else if (oldestWait !== undefined && waitsLonger(userId, since, oldestWait)) oldestWait = { userId, since: row.waitingSince ?? '' };
    details.refresh();
  }
  function findOldestWait(): { userId: number; since: string } | null {
    let oldest: { userId: number; since: string } | null = null;
    for (const r of rows.values()) if (waitsLonger(r.userId, waitingSinceMs(r), oldest)) oldest = { userId: r.userId, since: r.waitingSince ?? '' };
    return oldest;
  }
  let adminIds = carried?.adminIds ?? [];
  let rejected = carried?.rejected ?? [];
  let phase: BatchStatus['phase'] = carried ? 'running' : 'validating';
  let cancelledBy: number | null = carried?.cancelledBy ?? null;
  const removedBy = new Map<number, number>(Object.entries(carried?.removedBy ?? {}).map(([k, v]) => [Number(k), v]));
  /** The newest report seen per user (children's signals may arrive out of order). */
  const reportSeq = new Map<number, number>(Object.entries(carried?.reportSeq ?? {}).map(([k, v]) => [Number(k), v]));
  /** Users whose child has not been started yet, in input order. */
  const queue = [...rows.values()].filter((r) => r.stage === 'queued').map((r) => r.userId);
  // Runs carried over before the start time was carried show their own start instead.
  const startedAt = carried?.startedAt ?? workflowInfo().startTime.toISOString();
  const details = new DetailsPublisher(() => {
    oldestWait ??= findOldestWait();
    return renderBatchDetails({
      batchId: input.batchId,
      phase,
      requestedBy: input.requestedBy,
      startedAt,
      run: carried?.run ?? 1,
      counts: stageCounts,
      rejected: rejected.length,
      running: runningCount,
      window: windowSize,
      queued: queue.length,
      oldestWait,
      cancelledBy,
    });
  });
  details.refresh();

  // ---- handlers --------------------------------------------------------------------------------

  setHandler(batchStatusQuery, (request?: BatchStatusRequest): BatchStatus => {
    const counts = Object.fromEntries([...USER_STAGES, 'queued'].map((s) => [s, 0])) as BatchStatus['counts'];
    for (const r of rows.values()) counts[r.stage] += 1;
    return {
      batchId: input.batchId,
      requestedBy: input.requestedBy,
      phase,
      total: rows.size,
      counts,
      // A page of users: a 10,000-user answer would be ~1 MB (over the SDK's payload warning).
      users: [...rows.values()].slice(
        Math.max(0, request?.offset ?? 0),
        Math.max(0, request?.offset ?? 0) + Math.min(Math.max(1, request?.limit ?? BATCH_STATUS_PAGE), BATCH_STATUS_PAGE),
      ),
      usersOffset: Math.max(0, request?.offset ?? 0),
      rejected,
      run: carried?.run ?? 1,
    };
  });

  setHandler(userProgressSignal, (p: UserProgress) => {
    const row = rows.get(p.userId);
    if (!row || isFinal(row.stage) || p.seq <= (reportSeq.get(p.userId) ?? 0)) return;
    reportSeq.set(p.userId, p.seq);
    setRow(p.userId, {
      userId: p.userId,
      stage: p.stage,
      openItems: p.openItems,
      waitingSince: p.waitingSince,
      remindersSent: p.remindersSent,
      result: p.result,
    });
  });

  const assertAdmin = (by: unknown): void => {
    if (!Number.isSafeInteger(by) || !adminIds.includes(by as number)) {
      throw refusal('PERMISSION_DENIED', `user ${String(by)} is not an active company directory admin`);
    }
  };

  /**
   * The final answer: the actor is an active admin right now (the validator answered from the cache).
   * Either way the cache is refreshed, so the validator refuses the next such request early.
   */
  async function authorizeNow(by: number): Promise<void> {
    if (!checkedNow) return;
    try {
      adminIds = (await domain.authorizeBatchActor({ actorId: by })).adminIds;
    } catch (err) {
      const fresh = refusalOf(err)?.details[0] as { adminIds?: number[] } | undefined;
      if (Array.isArray(fresh?.adminIds)) adminIds = fresh.adminIds;
      throw asUpdateFailure(err);
    }
  }

  const composition = (): BatchComposition => ({
    batchId: input.batchId,
    userIds: [...rows.values()].filter((r) => r.stage !== 'removed').map((r) => r.userId),
    removed: [...rows.values()].filter((r) => r.stage === 'removed').map((r) => r.userId),
  });

  setHandler(
    removeUserUpdate,
    async ({ userId, by }) => {
      await condition(() => phase !== 'validating');
      assertAdmin(by);
      await authorizeNow(by);
      const row = rows.get(userId);
      if (!row) throw refusal('USER_NOT_IN_BATCH', `user ${userId} is not in batch ${input.batchId}`);
      if (row.stage === 'removed') return composition();
      if (row.stage === 'queued') {
        queue.splice(queue.indexOf(userId), 1);
        await domain.releaseOffboardings({ batchId: input.batchId, userIds: [userId], outcome: 'removed' });
        setRow(userId, { ...row, stage: 'removed', result: `removed by user ${by}` });
        removedBy.set(userId, by);
        return composition();
      }
      if (!isFinal(row.stage)) {
        removedBy.set(userId, by);
        await getExternalWorkflowHandle(userWorkflowId(userId)).signal(stopSignal, { kind: 'removed', by });
        await condition(() => isFinal(rows.get(userId)?.stage ?? 'failed'));
      }
      const final = rows.get(userId)?.stage;
      if (final === 'removed') return composition();
      if (final === 'inactivated') {
        throw refusal('USER_ALREADY_INACTIVATED', `user ${userId} was inactivated before the removal could take effect`);
      }
      throw refusal('BATCH_FINISHED', `user ${userId}'s offboarding already ended (${final ?? 'unknown'})`);
    },
    {
      validator: ({ userId, by }: RemoveUserRequest) => {
        if (!Number.isSafeInteger(userId) || userId <= 0) throw refusal('INVALID_INPUT', `"userId" must be a positive user ID`);
        if (phase === 'validating') return; // admins and users are known once validation is done
        assertAdmin(by);
        const row = rows.get(userId);
        if (!row) throw refusal('USER_NOT_IN_BATCH', `user ${userId} is not in batch ${input.batchId}`);
        if (row.stage === 'inactivated') {
          throw refusal('USER_ALREADY_INACTIVATED', `user ${userId} is already inactivated; a user can only be removed before their inactivation`);
        }
        if (phase === 'finished') throw refusal('BATCH_FINISHED', `batch ${input.batchId} has ended`);
      },
    },
  );

  const requestCancel = (by: number): void => {
    if (cancelledBy === null) cancelledBy = by;
    details.refresh();
  };
  /** Cancel signals waiting for the database's word on their sender (signals cannot be refused). */
  const cancelSignals: number[] = [];
  setHandler(cancelSignal, ({ by }) => {
    if (phase !== 'validating' && !adminIds.includes(by)) log.warn('cancel ignored: not an admin', { by });
    else if (checkedNow) cancelSignals.push(by);
    else requestCancel(by);
  });
  async function honourCancelSignals(): Promise<void> {
    for (const by of cancelSignals.splice(0)) {
      try {
        await authorizeNow(by);
        requestCancel(by);
      } catch (err) {
        if (!refusalOf(err)) throw err;
        log.warn('cancel ignored: not an admin now', { by });
      }
    }
  }
  setHandler(
    cancelBatchUpdate,
    async ({ by }) => {
      await condition(() => phase !== 'validating');
      assertAdmin(by);
      await authorizeNow(by);
      requestCancel(by);
      await condition(() => phase === 'finished' || [...rows.values()].every((r) => isFinal(r.stage)));
      return composition();
    },
    {
      validator: ({ by }) => {
        if (phase === 'validating') return;
        assertAdmin(by);
        if (phase === 'finished') throw refusal('BATCH_FINISHED', `batch ${input.batchId} has ended`);
      },
    },
  );

  // Validators answer from the admins cached here; someone made admin after the batch started asks
  // for a refresh (the clients do when the database says yes and the validator said no).
  setHandler(refreshPermissionsUpdate, async () => {
    await condition(() => phase !== 'validating');
    adminIds = (await domain.loadAdmins()).adminIds;
  });

  // ---- the flow --------------------------------------------------------------------------------

  upsertSearchAttributes([{ key: searchAttributes.batchId, value: input.batchId }]);

  if (!carried) {
    try {
      const v = await domain.validateBatch({
        batchId: input.batchId,
        workflowId,
        requestedBy: input.requestedBy,
        userIds: input.userIds,
        effectiveAt: input.effectiveAt,
        reason: input.reason,
        successors: input.successors,
        // Absent for HR's batches (and in every recorded history): a field of the activity's input adds no command.
        ...(input.company !== undefined ? { company: input.company } : {}),
      });
      adminIds = v.adminIds;
      rejected = v.rejected;
      for (const userId of v.accepted) {
        setRow(userId, { userId, stage: 'queued', openItems: 0, waitingSince: null, remindersSent: 0, result: null });
        queue.push(userId);
      }
    } catch (err) {
      // The requester may not start a batch at all: the workflow fails with the refusal.
      if (refusalOf(err)) log.warn('batch refused', { error: String(err) });
      throw err;
    }
    // A cancel that arrived before we knew the admins is honoured only if it came from one.
    if (cancelledBy !== null && !adminIds.includes(cancelledBy)) cancelledBy = null;
  }
  phase = 'running';
  details.refresh();

  const running = () => runningCount;
  const stopsSent = new Set<number>();

  async function startUsers(userIds: number[]): Promise<void> {
    const notStarted: number[] = [];
    await Promise.all(
      userIds.map(async (userId) => {
        setRow(userId, { ...rows.get(userId)!, stage: 'validating' });
        try {
          const child = await startChild(userOffboarding, {
            workflowId: userWorkflowId(userId),
            args: [
              {
                userId,
                requestedBy: input.requestedBy,
                batchId: input.batchId,
                reason: input.reason,
                effectiveAt: input.effectiveAt,
                successorId: input.successors[String(userId)] ?? null,
                policy,
              },
            ],
            // Children outlive this run when it continues as new; they report back by signal.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            staticSummary: `Offboarding user ${userId} (batch ${input.batchId})`,
            typedSearchAttributes: [
              { key: searchAttributes.stage, value: 'validating' },
              { key: searchAttributes.batchId, value: input.batchId },
              { key: searchAttributes.userId, value: userId },
              { key: searchAttributes.openItems, value: 0 },
            ],
          });
          // A child that ends without its final report (terminated or failed by hand in the Web UI)
          // would keep the batch waiting: while this run is open, its completion says so.
          void child.result().then(
            () => undefined,
            (err: unknown) => markFailed(userId, `the user's workflow ended abnormally: ${String(err)}`),
          );
        } catch (err) {
          log.warn('could not start user offboarding', { userId, error: String(err) });
          setRow(userId, { ...rows.get(userId)!, stage: 'failed', result: `ALREADY_IN_OFFBOARDING: ${String(err)}` });
          notStarted.push(userId);
        }
      }),
    );
    // Their claims were taken at validation: give them back, or those users stay "being offboarded".
    if (notStarted.length > 0) {
      await domain.releaseOffboardings({ batchId: input.batchId, userIds: notStarted, outcome: 'failed' });
    }
  }

  function markFailed(userId: number, reason: string): void {
    const row = rows.get(userId);
    if (!row || isFinal(row.stage)) return;
    setRow(userId, { ...row, stage: 'failed', result: reason });
    releases.push(
      domain
        .finishOffboarding({ userId, workflowId: userWorkflowId(userId), outcome: 'failed' })
        .then(
          () => undefined,
          (err: unknown) => log.warn('could not release the claim', { userId, error: String(err) }),
        ),
    );
  }
  const releases: Promise<void>[] = [];

  const tooLong = () => workflowInfo().historyLength > continueAsNewAt || workflowInfo().continueAsNewSuggested;
  async function continueAsNewNow(): Promise<never> {
    await condition(allHandlersFinished);
    const next: BatchCarryOver = {
      run: (carried?.run ?? 1) + 1,
      adminIds,
      rejected,
      rows: [...rows.values()].map(pack),
      cancelledBy,
      removedBy: Object.fromEntries(removedBy),
      // Finished users send no more reports: only the running ones need their sequence carried.
      reportSeq: Object.fromEntries([...reportSeq].filter(([id]) => !isFinal(rows.get(id)?.stage ?? 'failed'))),
      startedAt,
    };
    return continueAsNew<typeof offboardingBatch>(input, next);
  }
  // Runs started before this change refilled the whole window before checking the run's length,
  // which overshot the threshold by thousands of events; new runs check first and refill in chunks.
  const steadyRefill = patched('batch-steady-refill');

  for (;;) {
    if (steadyRefill && tooLong() && (queue.length > 0 || running() > 0)) return await continueAsNewNow();
    if (cancelSignals.length > 0) await honourCancelSignals();
    if (cancelledBy !== null) {
      const by = cancelledBy;
      if (queue.length > 0) {
        const never = queue.splice(0, queue.length);
        await domain.releaseOffboardings({ batchId: input.batchId, userIds: never, outcome: 'cancelled' });
        for (const userId of never) setRow(userId, { ...rows.get(userId)!, stage: 'cancelled', result: `cancelled by user ${by}` });
      }
      const toStop = [...rows.values()].filter((r) => r.stage !== 'queued' && !isFinal(r.stage) && !stopsSent.has(r.userId));
      await Promise.all(
        toStop.map(async (r) => {
          stopsSent.add(r.userId);
          await getExternalWorkflowHandle(userWorkflowId(r.userId))
            .signal(stopSignal, { kind: 'cancelled', by })
            .catch((err: unknown) => log.warn('could not signal stop', { userId: r.userId, error: String(err) }));
        }),
      );
    } else if (queue.length > 0) {
      const room = Math.min(windowSize - running(), steadyRefill ? REFILL_CHUNK : Infinity);
      if (room > 0) await startUsers(queue.splice(0, room));
    }

    if (queue.length === 0 && running() === 0) break;

    if (tooLong()) return await continueAsNewNow();

    const runningBefore = running();
    const cancelBefore = cancelledBy;
    await condition(
      () =>
        running() < runningBefore ||
        cancelledBy !== cancelBefore ||
        cancelSignals.length > 0 ||
        (queue.length === 0 && running() === 0) ||
        tooLong() ||
        (steadyRefill && cancelledBy === null && queue.length > 0 && running() < windowSize),
    );
  }

  // Only when there is something to wait for: an extra await would reorder this activation's
  // commands and break replay of histories recorded before this step existed.
  if (releases.length > 0) await Promise.all(releases);
  phase = 'finished';
  details.refresh();
  const summary: BatchSummary = {
    batchId: input.batchId,
    requestedBy: input.requestedBy,
    inactivated: [],
    removed: [],
    cancelled: [],
    failed: [],
    rejected,
  };
  for (const r of rows.values()) {
    if (r.stage === 'inactivated') summary.inactivated.push(r.userId);
    else if (r.stage === 'removed') summary.removed.push(r.userId);
    else if (r.stage === 'cancelled') summary.cancelled.push(r.userId);
    else summary.failed.push({ userId: r.userId, reason: r.result ?? r.stage });
  }
  const sent = await deliverNotification({
    idempotencyKey: `${workflowId}/${workflowInfo().firstExecutionRunId}:batch-summary`,
    workflowId,
    notification: { kind: 'batch-summary', batchId: input.batchId, requestedBy: input.requestedBy, summary },
  });
  if (!sent) log.error('batch summary email given up after a day of delivery rounds');
  await condition(allHandlersFinished);
  return summary;
}
