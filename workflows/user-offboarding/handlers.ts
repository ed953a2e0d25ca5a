// The messages a user's offboarding answers. Validators refuse a bad request before it touches the
// history (from the state and the permissions loaded at the start); the activities behind the
// updates check again against the database, and that answer is the one that counts.
import { currentUpdateInfo, log, setHandler } from '@temporalio/workflow';
import type { ActorRequest, CloseItemRequest, HandOverAllRequest, ReassignItemRequest, UserPermissions } from '../contract';
import { domain } from '../activity-proxies';
import {
  closeItemUpdate,
  handOverAllUpdate,
  type ItemResolution,
  NOTE_RULE,
  type OpenItem,
  parseItemKey,
  reassignItemUpdate,
  reassignmentDoneSignal,
  confirmReassignmentDoneUpdate,
  refreshPermissionsUpdate,
  reportBySignalSignal,
  stopSignal,
  userStatusQuery,
} from '../contract';
import { asUpdateFailure, refusalOf } from '../contract';
import { refusal } from '../contract';
import { textProblem } from '../contract';
import { assertTargetId, assertWaitingAndAllowed } from './checks';
import { handOverAll, validateHandOverAll } from './hand-over';
import type { OffboardingRun } from './run';

export function registerHandlers(run: OffboardingRun): void {
  const { input, state } = run;

  setHandler(userStatusQuery, () => state);

  setHandler(stopSignal, (req) => {
    // Checked only between steps: once the inactivation activity is scheduled it wins if it succeeds,
    // and the final report tells the batch which of the two happened.
    run.stopRequest ??= req;
  });

  // The batch continues as new: the end of this run would no longer reach it in the result.
  setHandler(reportBySignalSignal, () => run.progress.reportBySignal());

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
      run.recordResolution(await resolve(`${run.runKey}:${currentUpdateInfo()?.id ?? fallbackId}`));
    } catch (err) {
      // The item changed under us (closed or taken elsewhere): re-read the truth from the database.
      const code = refusalOf(err)?.code;
      if (code === 'ITEM_NOT_OPEN' || code === 'ITEM_NOT_HELD_BY_USER' || code === 'ITEM_NOT_FOUND') run.recheckRequested = true;
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
            workflowId: run.workflowId,
          }),
        `reassign:${req.itemKey}`,
      ),
    {
      validator: (req: ReassignItemRequest) => {
        assertWaitingAndAllowed(run, req?.by);
        assertPendingItem(req.itemKey);
        assertTargetId(req.toUserId);
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
          domain.closeItem({ requestId, itemKey: req.itemKey, userId: input.userId, actorId: req.by, workflowId: run.workflowId, note: req.note ?? null }),
        `close:${req.itemKey}`,
      ),
    {
      validator: (req: CloseItemRequest) => {
        assertWaitingAndAllowed(run, req?.by);
        assertPendingItem(req.itemKey);
        const problem = req.note == null ? undefined : textProblem(req.note, NOTE_RULE);
        if (problem) throw refusal(problem.kind === 'length' ? 'NOTE_TOO_LONG' : 'INVALID_INPUT', problem.message);
      },
    },
  );

  // "Hand everything over to one person": the workflow's own hand-over, in one update.
  setHandler(handOverAllUpdate, (req) => handOverAll(run, req), {
    validator: (req: HandOverAllRequest) => validateHandOverAll(run, req),
  });

  setHandler(reassignmentDoneSignal, (req) => {
    // Signals cannot be refused; an unauthorised one is logged and ignored.
    if (state.stage === 'awaiting-reassignment' && run.mayAct(req?.by)) run.recheckRequested = true;
    else log.warn('reassignmentDone ignored', { by: req?.by, stage: state.stage });
  });

  setHandler(
    confirmReassignmentDoneUpdate,
    async (req) => {
      if (run.version.checkedNow) {
        try {
          run.permissions = await domain.authorizeItemsActor({ actorId: req.by, userId: input.userId });
        } catch (err) {
          // The refusal carries the current permissions: the validator answers from them next time.
          const fresh = refusalOf(err)?.details[0] as UserPermissions | undefined;
          if (fresh?.userId === input.userId) run.permissions = fresh;
          throw asUpdateFailure(err);
        }
      }
      await run.rescan();
      return state.pendingItems;
    },
    { validator: (req: ActorRequest) => assertWaitingAndAllowed(run, req?.by) },
  );

  // Validators answer from the permissions loaded at the start; a manager or admin appointed since
  // asks for a reload (the clients do when the database says yes and the validator said no).
  setHandler(refreshPermissionsUpdate, async () => {
    run.permissions = await domain.loadPermissions({ userId: input.userId });
  });
}
