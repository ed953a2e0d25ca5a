// One user's offboarding: scan -> (successor takes over) -> manager reassigns/closes, with reminders,
// escalation and an optional deadline -> re-check -> effective date -> inactivate -> notify.
// Deterministic: time comes from the workflow clock, IDs from workflowInfo, side effects from activities.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UserPermissions } from '../activities/inputs';
import { domain, scans } from './activity-proxies';
import { deliverNotification } from './email-delivery';
import {
  batchWorkflowId,
  NOTE_RULE,
  type ItemNotTaken,
  type ItemResolution,
  type Notification,
  type OpenItem,
  parseItemKey,
  reassignItemUpdate,
  closeItemUpdate,
  reassignmentDoneSignal,
  reassignmentDoneUpdate,
  refreshPermissionsUpdate,
  searchAttributes,
  stopSignal,
  type StopRequest,
  type UserOffboardingInput,
  type UserOffboardingResult,
  type UserOffboardingStatus,
  type UserStage,
  userProgressSignal,
  userStatusQuery,
} from './definitions';
import { asUpdateFailure, refusalOf } from './refusal-of';
import { refusal } from './refusals';
import { textProblem } from './text';

/** A manager's hand-overs to one person are told in one message once this long passes without another. */
export const RECEIPTS_QUIET_MS = 15 * 60 * 1000;

export async function userOffboarding(input: UserOffboardingInput): Promise<UserOffboardingResult> {
  const info = workflowInfo();
  const workflowId = info.workflowId;
  // Stable across retries and replays, and distinct for a later offboarding of the same user.
  const runKey = `${workflowId}/${info.firstExecutionRunId}`;
  const policy = input.policy;
  // Runs started before this change reported every item the successor took and handed items over
  // one at a time; new runs hand over in parallel and report once the stage changes.
  const quietHandover = patched('quiet-parallel-handover');
  // Runs started before this change let "done, please re-check" through on the permissions loaded at
  // the start; new runs ask the database at the moment of the request, as reassign and close do.
  const checkedNow = patched('permissions-checked-at-request');
  // Runs started before this change told nobody who received items, did not say what the successor
  // took, and did not tell the manager when the offboarding stopped.
  const tellOwners = patched('tell-owners-and-stops');
  const force = policy.inactivateWithOpenItems;

  const state: UserOffboardingStatus = {
    userId: input.userId,
    batchId: input.batchId,
    stage: 'validating',
    pendingItems: [],
    resolutions: [],
    waitingSince: null,
    remindersSent: 0,
    escalated: false,
    emailFailures: 0,
    emailsPending: 0,
    result: null,
  };
  let permissions: UserPermissions | undefined;
  let stopRequest: StopRequest | undefined;
  /** The manager (or whoever stood in) was asked to act: they hear when that is no longer needed. */
  let noticeSent = false;
  let successorReport: { userId: number; took: ItemResolution[]; notTaken: ItemNotTaken[] } | null = null;
  let recheckRequested = false;
  const emails: Promise<void>[] = [];
  let emailSeq = 0;

  // ---- handlers first, so no message is ever dropped -------------------------------------------

  setHandler(userStatusQuery, () => state);

  setHandler(stopSignal, (req) => {
    // Checked only between steps: once the inactivation activity is scheduled it wins if it succeeds,
    // and the final report tells the batch which of the two happened.
    stopRequest ??= req;
  });

  const mayAct = (by: number): boolean =>
    permissions !== undefined && (permissions.adminIds.includes(by) || permissions.managerId === by);

  const assertWaitingAndAllowed = (by: unknown): void => {
    if (!Number.isSafeInteger(by) || (by as number) <= 0) {
      throw refusal('INVALID_INPUT', `"by" must be a positive user ID, got ${JSON.stringify(by)}`);
    }
    if (state.stage !== 'awaiting-reassignment') {
      throw refusal('OFFBOARDING_NOT_WAITING', `user ${input.userId}'s offboarding is ${state.stage}, not awaiting reassignment`);
    }
    if (!mayAct(by as number)) {
      throw refusal('PERMISSION_DENIED', `user ${String(by)} is neither user ${input.userId}'s manager nor a directory admin`);
    }
  };

  const assertPendingItem = (itemKey: unknown): OpenItem => {
    if (!parseItemKey(itemKey)) {
      throw refusal('ITEM_KEY_MALFORMED', `"${String(itemKey).slice(0, 80)}" is not an item key like rfi:42:assignee`);
    }
    const item = state.pendingItems.find((i) => i.key === itemKey);
    if (!item) throw refusal('ITEM_NOT_PENDING', `${String(itemKey)} is not pending in user ${input.userId}'s offboarding`);
    return item;
  };

  /** Runs one item activity for an update; a refusal fails only the update, the wait goes on. */
  async function resolveItem(resolve: (requestId: string) => Promise<ItemResolution>, fallbackId: string): Promise<OpenItem[]> {
    try {
      recordResolution(await resolve(`${runKey}:${currentUpdateInfo()?.id ?? fallbackId}`));
    } catch (err) {
      onItemRefused(err);
      throw asUpdateFailure(err);
    }
    return state.pendingItems;
  }

  setHandler(
    reassignItemUpdate,
    (req) =>
      resolveItem(
        (requestId) =>
          domain.reassignItem({
            requestId,
            itemKey: req.itemKey,
            fromUserId: input.userId,
            toUserId: req.toUserId,
            actorId: req.by,
            workflowId,
          }),
        `reassign:${req.itemKey}`,
      ),
    {
      validator: (req) => {
        assertWaitingAndAllowed(req?.by);
        assertPendingItem(req.itemKey);
        if (!Number.isSafeInteger(req.toUserId) || req.toUserId <= 0) {
          throw refusal('INVALID_INPUT', `"toUserId" must be a positive user ID, got ${JSON.stringify(req.toUserId)}`);
        }
        if (req.toUserId === input.userId) {
          throw refusal('TARGET_SAME_USER', `item ${req.itemKey} already belongs to user ${input.userId}, who is being offboarded`);
        }
      },
    },
  );

  setHandler(
    closeItemUpdate,
    (req) =>
      resolveItem(
        (requestId) =>
          domain.closeItem({ requestId, itemKey: req.itemKey, userId: input.userId, actorId: req.by, workflowId, note: req.note ?? null }),
        `close:${req.itemKey}`,
      ),
    {
      validator: (req) => {
        assertWaitingAndAllowed(req?.by);
        assertPendingItem(req.itemKey);
        const problem = req.note == null ? undefined : textProblem(req.note, NOTE_RULE);
        if (problem) throw refusal(problem.kind === 'length' ? 'NOTE_TOO_LONG' : 'INVALID_INPUT', problem.message);
      },
    },
  );

  setHandler(reassignmentDoneSignal, (req) => {
    // Signals cannot be refused; an unauthorised one is logged and ignored.
    if (state.stage === 'awaiting-reassignment' && mayAct(req?.by)) recheckRequested = true;
    else log.warn('reassignmentDone ignored', { by: req?.by, stage: state.stage });
  });

  setHandler(
    reassignmentDoneUpdate,
    async (req) => {
      if (checkedNow) {
        try {
          permissions = await domain.authorizeItemsActor({ actorId: req.by, userId: input.userId });
        } catch (err) {
          // The refusal carries the current permissions: the validator answers from them next time.
          const fresh = refusalOf(err)?.details[0] as UserPermissions | undefined;
          if (fresh?.userId === input.userId) permissions = fresh;
          throw asUpdateFailure(err);
        }
      }
      await rescan();
      return state.pendingItems;
    },
    { validator: (req) => assertWaitingAndAllowed(req?.by) },
  );

  // Validators answer from the permissions loaded at the start; a manager or admin appointed since
  // asks for a reload (the clients do when the database says yes and the validator said no).
  setHandler(refreshPermissionsUpdate, async () => {
    permissions = await domain.loadPermissions({ userId: input.userId });
  });

  // ---- helpers -------------------------------------------------------------------------------

  function recordResolution(res: ItemResolution): void {
    if (!state.resolutions.some((r) => r.requestId === res.requestId)) {
      state.resolutions.push(res);
      if (tellOwners && res.action === 'reassigned' && res.toUserId !== null) addReceipt(res.toUserId, res);
    }
    state.pendingItems = state.pendingItems.filter((i) => i.key !== res.itemKey);
    publish();
  }

  // Whoever receives items hears once per batch of hand-overs, not once per item: the successor's
  // right after the hand-over, a manager's reassignments after a quarter of an hour without another
  // one to the same person (or when the offboarding ends).
  const receipts = new Map<number, ItemResolution[]>();
  let receiptsAdded = 0;
  function addReceipt(recipientId: number, res: ItemResolution): void {
    receipts.set(recipientId, [...(receipts.get(recipientId) ?? []), res]);
    receiptsAdded += 1;
  }
  function sendReceipts(): void {
    for (const [recipientId, received] of receipts) notify({ kind: 'items-received', ...common(), recipientId, received });
    receipts.clear();
  }
  async function sendReceiptsWhenQuiet(): Promise<void> {
    for (;;) {
      await condition(() => receipts.size > 0);
      for (;;) {
        const seen = receiptsAdded;
        const more = await condition(() => receiptsAdded !== seen || receipts.size === 0, RECEIPTS_QUIET_MS);
        if (!more || receipts.size === 0) break;
      }
      sendReceipts();
    }
  }
  if (tellOwners) {
    sendReceiptsWhenQuiet().catch((err: unknown) => {
      // Cancelled with the workflow: finish() sends what is left.
      if (!isCancellation(err)) log.error('receipts loop failed', { error: String(err) });
    });
  }

  /** The item changed under us (closed or taken elsewhere): re-read the truth from the database. */
  function onItemRefused(err: unknown): void {
    const code = refusalOf(err)?.code;
    if (code === 'ITEM_NOT_OPEN' || code === 'ITEM_NOT_HELD_BY_USER' || code === 'ITEM_NOT_FOUND') recheckRequested = true;
  }

  async function rescan(): Promise<OpenItem[]> {
    const before = new Set(state.pendingItems.map((i) => i.key));
    state.pendingItems = await scans.listOpenItems({ userIds: [input.userId] });
    publish();
    return state.pendingItems.filter((i) => !before.has(i.key));
  }

  function setStage(stage: UserStage): void {
    state.stage = stage;
    publish();
  }

  // What the Web UI and the batch already know. The batch starts each child as 'validating' with
  // nothing open (search attributes included), so that needs no upsert and no report.
  const startedWith = info.typedSearchAttributes;
  let lastUpserted =
    startedWith.get(searchAttributes.stage) === 'validating' && startedWith.get(searchAttributes.openItems) === 0
      ? JSON.stringify(['validating', 0, null])
      : '';
  let lastReported = JSON.stringify({ stage: 'validating', openItems: 0, waitingSince: null, remindersSent: 0, result: null });
  let progressSeq = 0;
  let flushScheduled = false;
  const progressSignals: Promise<void>[] = [];

  /**
   * Keeps the Web UI's search attributes and the batch's status current. Changes made in one
   * activation are coalesced into at most one upsert and one signal (a microtask runs before the
   * activation completes), which keeps both histories short.
   */
  function publish(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    void Promise.resolve().then(flush);
  }

  function flush(): void {
    flushScheduled = false;
    // While scanning and handing over to the successor nobody waits on this user yet: report once
    // the stage changes, instead of once per reassigned item.
    if (quietHandover && state.stage === 'validating') return;
    const attributes = JSON.stringify([state.stage, state.pendingItems.length, state.waitingSince]);
    if (attributes !== lastUpserted) {
      lastUpserted = attributes;
      upsertSearchAttributes([
        { key: searchAttributes.stage, value: state.stage },
        { key: searchAttributes.openItems, value: state.pendingItems.length },
        { key: searchAttributes.waitingSince, value: state.waitingSince ? new Date(state.waitingSince) : null },
      ]);
    }
    if (!input.batchId) return;
    const progress = {
      stage: state.stage,
      openItems: state.pendingItems.length,
      waitingSince: state.waitingSince,
      remindersSent: state.remindersSent,
      result: state.result?.reason ?? null,
    };
    const fingerprint = JSON.stringify(progress);
    if (fingerprint === lastReported) return;
    lastReported = fingerprint;
    progressSeq += 1;
    // A batch that is gone must not break the user's offboarding; finish() awaits these so the
    // final report is sent before the workflow completes.
    progressSignals.push(
      getExternalWorkflowHandle(batchWorkflowId(input.batchId))
        .signal(userProgressSignal, { seq: progressSeq, userId: input.userId, ...progress })
        .catch((err: unknown) => log.warn('could not report progress to the batch', { error: String(err) })),
    );
  }

  function notify(notification: Notification): void {
    emailSeq += 1;
    const idempotencyKey = `${runKey}:${notification.kind}:${emailSeq}`;
    state.emailsPending += 1;
    emails.push(
      deliverNotification({ idempotencyKey, workflowId, notification }, () => {
        state.emailFailures += 1;
      }).then((sent) => {
        state.emailsPending -= 1;
        if (!sent) log.error('notification given up after a day of delivery rounds', { kind: notification.kind });
      }),
    );
  }

  const common = () => ({ userId: input.userId, requestedBy: input.requestedBy, batchId: input.batchId });

  async function handOverToSuccessor(successorId: number): Promise<void> {
    const report = { userId: successorId, took: [] as ItemResolution[], notTaken: [] as ItemNotTaken[] };
    const handOver = async (item: OpenItem): Promise<void> => {
      try {
        const res = await domain.reassignItem({
          requestId: `${runKey}:successor:${item.key}`,
          itemKey: item.key,
          fromUserId: input.userId,
          toUserId: successorId,
          actorId: input.requestedBy,
          workflowId,
        });
        recordResolution(res);
        report.took.push(res);
      } catch (err) {
        const r = refusalOf(err);
        if (!r) throw err;
        // Not eligible (e.g. not a member of that project): the item stays for the manager.
        log.info('successor could not take an item', { item: item.key, code: r.code });
        report.notTaken.push({ item, code: r.code, message: r.message });
      }
    };
    let items = [...state.pendingItems];
    if (tellOwners) {
      // A final timecard entry is recorded, never handed over: do not ask.
      for (const item of items.filter((i) => i.tool === 'timecard')) {
        report.notTaken.push({ item, code: 'INVALID_INPUT', message: 'a final timecard entry is recorded, not handed over' });
      }
      items = items.filter((i) => i.tool !== 'timecard');
    }
    if (quietHandover) await Promise.all(items.map(handOver));
    else for (const item of items) await handOver(item);
    if (tellOwners) {
      successorReport = report;
      sendReceipts();
    }
  }

  /** The deadline's explicit action: hand every pending item to the user's manager where allowed. */
  async function reassignToManager(): Promise<void> {
    const managerId = permissions?.managerId;
    if (!managerId) return;
    for (const item of [...state.pendingItems]) {
      try {
        const res = await domain.reassignItem({
          requestId: `${runKey}:deadline:${item.key}`,
          itemKey: item.key,
          fromUserId: input.userId,
          toUserId: managerId,
          actorId: input.requestedBy,
          workflowId,
        });
        recordResolution(res);
      } catch (err) {
        if (!refusalOf(err)) throw err;
      }
    }
  }

  async function waitForReassignment(): Promise<void> {
    setStage('awaiting-reassignment');
    const now = Date.now();
    if (!state.waitingSince) state.waitingSince = new Date(now).toISOString();
    publish();
    const waitingSinceMs = Date.parse(state.waitingSince);
    let lastNoticeMs = now;
    let deadlineHandled = policy.deadlineMs === null;
    while (state.pendingItems.length > 0 && !stopRequest) {
      const nextReminder = lastNoticeMs + policy.reminderIntervalMs;
      const escalation = state.escalated ? Infinity : waitingSinceMs + policy.escalateAfterMs;
      const deadline = deadlineHandled ? Infinity : waitingSinceMs + (policy.deadlineMs ?? 0);
      const wakeAt = Math.min(nextReminder, escalation, deadline);
      const settled = await condition(
        () => state.pendingItems.length === 0 || stopRequest !== undefined || recheckRequested,
        Math.max(1, wakeAt - Date.now()),
      );
      if (recheckRequested) {
        recheckRequested = false;
        await rescan();
        continue;
      }
      if (settled) continue;
      const t = Date.now();
      const items = state.pendingItems;
      if (t >= deadline) {
        deadlineHandled = true;
        if (policy.deadlineAction === 'reassign-to-manager') await reassignToManager();
        if (state.pendingItems.length > 0) {
          state.escalated = true;
          notify({ kind: 'escalation', ...common(), items: state.pendingItems, waitingSince: state.waitingSince, reason: 'deadline' });
        }
      } else if (t >= escalation) {
        state.escalated = true;
        notify({ kind: 'escalation', ...common(), items, waitingSince: state.waitingSince, reason: 'escalate-after' });
      }
      if (t >= nextReminder && state.pendingItems.length > 0) {
        state.remindersSent += 1;
        lastNoticeMs = t;
        notify({ kind: 'reminder', ...common(), items: state.pendingItems, waitingSince: state.waitingSince, reminderNumber: state.remindersSent });
      }
      publish();
    }
  }

  async function finish(outcome: UserOffboardingResult['outcome'], extra: Partial<UserOffboardingResult>): Promise<UserOffboardingResult> {
    const result: UserOffboardingResult = {
      userId: input.userId,
      outcome,
      inactivatedAt: null,
      resolutions: state.resolutions,
      itemsLeftOpen: outcome === 'inactivated' ? [] : state.pendingItems,
      reason: null,
      ...extra,
    };
    await domain.finishOffboarding({ userId: input.userId, workflowId, outcome });
    if (tellOwners) {
      sendReceipts();
      if (noticeSent && (outcome === 'removed' || outcome === 'cancelled')) {
        notify({ kind: 'offboarding-stopped', ...common(), outcome, by: stopRequest?.by ?? null, itemsLeft: state.pendingItems });
      }
    }
    state.result = result;
    setStage(outcome);
    flush();
    await Promise.all(progressSignals);
    await Promise.all(emails);
    await condition(allHandlersFinished);
    return result;
  }

  const stopped = () =>
    finish(stopRequest?.kind ?? 'cancelled', { reason: `${stopRequest?.kind ?? 'cancelled'} by user ${stopRequest?.by ?? 'unknown'}` });

  // ---- the flow ------------------------------------------------------------------------------

  try {
    publish();
    const loaded = await domain.loadPermissions({ userId: input.userId });
    permissions = loaded;
    if (loaded.status === 'inactive') {
      return await finish('failed', { reason: 'USER_ALREADY_INACTIVE: the user was already inactive' });
    }
    await domain.claimOffboarding({ userId: input.userId, batchId: input.batchId, workflowId, requestedBy: input.requestedBy });
    state.pendingItems = await scans.listOpenItems({ userIds: [input.userId] });
    publish();
    if (input.successorId !== null && state.pendingItems.length > 0) await handOverToSuccessor(input.successorId);

    let newItems: OpenItem[] = [];
    for (;;) {
      if (stopRequest) return await stopped();
      if (state.pendingItems.length > 0 && !force) {
        notify({
          kind: 'items-assigned',
          ...common(),
          effectiveAt: input.effectiveAt,
          items: noticeSent ? newItems : state.pendingItems,
          newSinceLastNotice: noticeSent,
          ...(tellOwners && !noticeSent ? { successor: successorReport } : {}),
        });
        noticeSent = true;
        await waitForReassignment();
        if (stopRequest) return await stopped();
      }
      // Confirm against the database: items may have appeared while we waited.
      newItems = await rescan();
      if (state.pendingItems.length > 0 && !force) continue;

      const effectiveMs = input.effectiveAt ? Date.parse(input.effectiveAt) : NaN;
      if (Number.isFinite(effectiveMs) && effectiveMs > Date.now()) {
        setStage('waiting-effective-date');
        await condition(() => stopRequest !== undefined, effectiveMs - Date.now());
        continue; // re-check after the wait
      }
      if (stopRequest) return await stopped();

      setStage('inactivating');
      try {
        const res = await domain.inactivateUser({
          userId: input.userId,
          actorId: input.requestedBy,
          reason: input.reason,
          workflowId,
          force,
        });
        notify({
          kind: 'inactivated',
          ...common(),
          inactivatedAt: res.inactivatedAt,
          resolutions: state.resolutions,
          itemsLeftOpen: res.itemsLeftOpen,
        });
        return await finish('inactivated', { inactivatedAt: res.inactivatedAt, itemsLeftOpen: res.itemsLeftOpen });
      } catch (err) {
        const r = refusalOf(err);
        if (r?.code !== 'OPEN_ITEMS_REMAIN') throw err;
        // Something was assigned between our scan and the inactivation's own check: back to waiting.
        newItems = await rescan();
      }
    }
  } catch (err) {
    if (isCancellation(err)) {
      // Cancelled from outside (Web UI / CLI): release the claim and report, whatever happens.
      return await CancellationScope.nonCancellable(() => finish('cancelled', { reason: 'workflow cancelled' }));
    }
    const r = refusalOf(err);
    if (r) return await finish('failed', { reason: `${r.code}: ${r.message}` });
    throw err;
  }
}
