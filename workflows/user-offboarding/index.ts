// One user's offboarding: scan -> (successor takes over) -> manager reassigns/closes, with reminders,
// escalation and an optional deadline -> re-check -> effective date -> inactivate -> notify.
// Deterministic: time comes from the workflow clock, IDs from workflowInfo, side effects from
// activities. The state and shared steps are in run.ts, the messages in handlers.ts.
import { allHandlersFinished, CancellationScope, condition, isCancellation, patched } from '@temporalio/workflow';
import { domain, scans } from '../activity-proxies';
import type { OpenItem, UserOffboardingInput, UserOffboardingResult } from '../contract';
import { refusalOf } from '../contract';
import { effectiveDateTimer } from '../summaries';
import { registerHandlers } from './handlers';
import { handOver } from './hand-over';
import { OffboardingRun } from './run';
import { waitForReassignment } from './waiting';

export { RECEIPTS_QUIET_MS } from './notices';

export async function userOffboarding(input: UserOffboardingInput): Promise<UserOffboardingResult> {
  const run = new OffboardingRun(input, {
    // Runs started before this change reported every item the successor took and handed items
    // over one at a time; new runs hand over in parallel and report once the stage changes.
    quietHandover: patched('quiet-parallel-handover'),
    // Runs started before this change let "done, please re-check" through on the permissions loaded
    // at the start; new runs ask the database at the moment of the request, as reassign and close do.
    checkedNow: patched('permissions-checked-at-request'),
    // Runs started before this change told nobody who received items, did not say what the
    // successor took, and did not tell the manager when the offboarding stopped.
    tellOwners: patched('tell-owners-and-stops'),
  });
  const { state, notices, progress } = run;
  const force = input.policy.inactivateWithOpenItems;

  // Handlers first, so no message is ever dropped.
  registerHandlers(run);
  if (run.version.tellOwners) notices.startReceiptsWhenQuiet();

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
    await domain.finishOffboarding({ userId: input.userId, workflowId: run.workflowId, outcome });
    if (run.version.tellOwners) {
      notices.sendReceipts();
      if (run.noticeSent && (outcome === 'removed' || outcome === 'cancelled')) {
        notices.notify({ kind: 'offboarding-stopped', ...run.common, outcome, by: run.stopRequest?.by ?? null, itemsLeft: state.pendingItems });
      }
    }
    state.result = result;
    run.setStage(outcome);
    progress.flush();
    await progress.settle();
    await notices.settle();
    await condition(allHandlersFinished);
    return result;
  }

  const stopped = () => {
    const kind = run.stopRequest?.kind ?? 'cancelled';
    return finish(kind, { reason: `${kind} by user ${run.stopRequest?.by ?? 'unknown'}` });
  };

  try {
    progress.publish();
    const loaded = await domain.loadPermissions({ userId: input.userId });
    run.permissions = loaded;
    if (loaded.status === 'inactive') {
      return await finish('failed', { reason: 'USER_ALREADY_INACTIVE: the user was already inactive' });
    }
    await domain.claimOffboarding({ userId: input.userId, batchId: input.batchId, workflowId: run.workflowId, requestedBy: input.requestedBy });
    state.pendingItems = await scans.listOpenItems({ userIds: [input.userId] });
    progress.publish();
    if (input.successorId !== null && state.pendingItems.length > 0) {
      const report = await handOver(run, input.successorId, 'successor', { parallel: run.version.quietHandover });
      if (run.version.tellOwners) {
        run.successorReport = report;
        notices.sendReceipts();
      }
    }

    let newItems: OpenItem[] = [];
    for (;;) {
      if (run.stopRequest) return await stopped();
      if (state.pendingItems.length > 0 && !force) {
        notices.notify({
          kind: 'items-assigned',
          ...run.common,
          effectiveAt: input.effectiveAt,
          items: run.noticeSent ? newItems : state.pendingItems,
          newSinceLastNotice: run.noticeSent,
          ...(run.version.tellOwners && !run.noticeSent ? { successor: run.successorReport } : {}),
        });
        run.noticeSent = true;
        await waitForReassignment(run);
        if (run.stopRequest) return await stopped();
      }
      // Confirm against the database: items may have appeared while we waited.
      newItems = await run.rescan();
      if (state.pendingItems.length > 0 && !force) continue;

      const effectiveMs = input.effectiveAt ? Date.parse(input.effectiveAt) : NaN;
      if (Number.isFinite(effectiveMs) && effectiveMs > Date.now()) {
        run.setStage('waiting-effective-date');
        const summary = effectiveDateTimer(effectiveMs);
        run.wakeUps = [{ what: summary, at: effectiveMs }];
        await condition(() => run.stopRequest !== undefined, effectiveMs - Date.now(), { summary });
        run.wakeUps = [];
        continue; // re-check after the wait
      }
      if (run.stopRequest) return await stopped();

      run.setStage('inactivating');
      try {
        const res = await domain.inactivateUser({ userId: input.userId, actorId: input.requestedBy, reason: input.reason, workflowId: run.workflowId, force });
        notices.notify({ kind: 'inactivated', ...run.common, inactivatedAt: res.inactivatedAt, resolutions: state.resolutions, itemsLeftOpen: res.itemsLeftOpen });
        return await finish('inactivated', { inactivatedAt: res.inactivatedAt, itemsLeftOpen: res.itemsLeftOpen });
      } catch (err) {
        const r = refusalOf(err);
        if (r?.code !== 'OPEN_ITEMS_REMAIN') throw err;
        // Something was assigned between our scan and the inactivation's own check: back to waiting.
        newItems = await run.rescan();
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
