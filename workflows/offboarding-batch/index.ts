// A batch: validate, then run one userOffboarding child per accepted user through a sliding window,
// collect their reports (children signal progress and results, so results reach us whichever run
// started them), continue-as-new well before history limits, and end with an emailed summary.
// The state and its operations are in run.ts and rows.ts, the first run's check in validation.ts,
// the messages in handlers.ts, the window in window.ts, what the next run carries in carry-over.ts
// and the end in summary.ts; this function wires them. Each step is awaited here as it was before the split: the commands keep their order.
import { condition, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import {
  type ActorRequest,
  type BatchSummary,
  batchStatusQuery,
  cancelBatchUpdate,
  cancelSignal,
  type OffboardingBatchInput,
  refreshPermissionsUpdate,
  type RemoveUserRequest,
  removeUserUpdate,
  searchAttributes,
  userProgressSignal,
} from '../contract';
import { domain } from '../activity-proxies';
import { type BatchCarryOver, continueAsNewNow } from './carry-over';
import { BatchHandlers } from './handlers';
import { BatchRun } from './run';
import { finish } from './summary';
import { validate } from './validation';
import { BatchWindow } from './window';

export type { BatchCarryOver } from './carry-over';
export { BATCH_WINDOW, CONTINUE_AS_NEW_AT_EVENTS } from './run';
export { REFILL_CHUNK } from './window';

export async function offboardingBatch(input: OffboardingBatchInput, carried?: BatchCarryOver): Promise<BatchSummary> {
  const batch = new BatchRun(input, carried);
  const window = new BatchWindow(batch);

  // Handlers first, so no message is ever dropped.
  const handlers = new BatchHandlers(batch);
  setHandler(batchStatusQuery, (request) => handlers.status(request));
  setHandler(userProgressSignal, (p) => handlers.progress(p));
  setHandler(removeUserUpdate, (req) => handlers.removeUser(req), { validator: (req: RemoveUserRequest) => handlers.validateRemoveUser(req) });
  setHandler(cancelSignal, (req) => handlers.cancelSignal(req));
  setHandler(cancelBatchUpdate, (req) => handlers.cancel(req), { validator: (req: ActorRequest) => handlers.validateCancel(req) });
  setHandler(refreshPermissionsUpdate, () => handlers.refreshPermissions());

  upsertSearchAttributes([{ key: searchAttributes.batchId, value: input.batchId }]);
  if (!carried) await validate(batch);
  batch.phase = 'running';
  batch.details.refresh();
  batch.digests?.start();

  // Runs started before this change refilled the whole window before checking the run's length,
  // which overshot the threshold by thousands of events; new runs check first and refill in chunks.
  const steadyRefill = patched('batch-steady-refill');

  const continueAsNew = async () => {
    if (batch.reportsByResult) await window.handOffReports();
    return await continueAsNewNow(batch);
  };

  for (;;) {
    if (steadyRefill && batch.tooLong() && !window.idle()) return await continueAsNew();
    if (batch.cancelSignals.length > 0) await batch.honourCancelSignals();
    if (batch.cancelledBy !== null) {
      const by = batch.cancelledBy;
      if (batch.queue.length > 0) {
        const never = window.takeQueue();
        await domain.releaseOffboardings({ batchId: input.batchId, userIds: never, outcome: 'cancelled' });
        window.markCancelled(never, by);
      }
      await Promise.all(window.stopRunning(by));
    } else if (batch.queue.length > 0) {
      const room = window.room(steadyRefill);
      if (room > 0) await window.startUsers(batch.queue.splice(0, room));
    }

    if (window.idle()) break;

    if (batch.tooLong()) return await continueAsNew();

    await condition(window.changed(steadyRefill));
  }

  return finish(batch, window);
}
