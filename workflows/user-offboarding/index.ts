// One user's offboarding: scan -> (successor takes over) -> manager reassigns/closes, with reminders,
// escalation and an optional deadline -> re-check -> effective date -> inactivate -> notify.
// Deterministic: time comes from the workflow clock, IDs from workflowInfo, side effects from
// activities. The state and shared steps are in run.ts, the messages in handlers.ts.
import { allHandlersFinished, CancellationScope, condition, isCancellation, patched } from '@temporalio/workflow';
import { domain, scans } from '../activity-proxies';
import type { InactivateUserResult, OpenItem, UserOffboardingInput, UserOffboardingResult } from '../contract';
import { refusalOf } from '../contract';
import { effectiveDateTimer } from '../summaries';
import { registerHandlers } from './handlers';
import { handOver } from './hand-over';
import { handOverAtOnce } from './hand-over-at-once';
import { OffboardingRun } from './run';
import { waitForReassignment } from './waiting';

export { RECEIPTS_QUIET_MS } from './notices';

export async function userOffboarding(input: UserOffboardingInput): Promise<UserOffboardingResult> {
  // Runs started before 'half-work-per-person' (issue 25) ran a step per activity: begin in three,
  // one reassignment per item, a re-scan before the inactivation and the end of the claim apart from
  // it, an email activity per email, and reported 'inactivating' to the batch. Runs under it check it
  // alone: it implies the three before it, whose markers (and search-attribute upserts) their
  // histories do without.
  // Runs started before 'local-steps' ran begin, the hand-over at once, complete and the end of the
  // claim as activity tasks; new ones run them as local activities, inside the workflow task
  // (activity-proxies.ts, localSteps). It implies 'half-work-per-person', which new runs then do
  // not mark (a patch marker costs a search-attribute upsert).
  // Runs started before 'complete-when-clear' took a second local step to inactivate someone with
  // nothing open; new ones ask begin to do it in its own transaction when nothing would make them
  // wait. It implies 'local-steps', which new runs then do not mark.
  const whenClear = patched('complete-when-clear');
  const localSteps = whenClear || patched('local-steps');
  const oneGo = localSteps || patched('half-work-per-person');
  const run = new OffboardingRun(
    input,
    oneGo
      ? { quietHandover: true, checkedNow: true, tellOwners: true, oneGo, digests: input.digests === true, localSteps, whenClear }
      : {
          // Runs started before this change reported every item the successor took and handed items
          // over one at a time; new runs hand over in parallel and report once the stage changes.
          quietHandover: patched('quiet-parallel-handover'),
          // Runs started before this change let "done, please re-check" through on the permissions loaded
          // at the start; new runs ask the database at the moment of the request, as reassign and close do.
          checkedNow: patched('permissions-checked-at-request'),
          // Runs started before this change told nobody who received items, did not say what the
          // successor took, and did not tell the manager when the offboarding stopped.
          tellOwners: patched('tell-owners-and-stops'),
          oneGo,
          digests: false,
          localSteps: false,
          whenClear: false,
        },
  );
  const { state, notices, progress } = run;
  const force = input.policy.inactivateWithOpenItems;

  // Handlers first, so no message is ever dropped.
  registerHandlers(run);
  if (run.version.tellOwners && !run.version.digests) notices.startReceiptsWhenQuiet();

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
    if (!run.claimEnded) await run.steps.finishOffboarding({ userId: input.userId, workflowId: run.workflowId, outcome });
    if (run.version.tellOwners) {
      notices.sendHeld();
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
    // 'report-by-result': the batch run that started this one reads the final report here.
    const report = progress.unsentFinalReport();
    return report ? { ...result, report } : result;
  }

  const stopped = () => {
    const kind = run.stopRequest?.kind ?? 'cancelled';
    return finish(kind, { reason: `${kind} by user ${run.stopRequest?.by ?? 'unknown'}` });
  };

  const effectiveMs = input.effectiveAt ? Date.parse(input.effectiveAt) : NaN;
  const effectiveDateAhead = () => Number.isFinite(effectiveMs) && effectiveMs > Date.now();
  const inactivation = { userId: input.userId, actorId: input.requestedBy, reason: input.reason, workflowId: run.workflowId, force };
  const alreadyInactive = () => finish('failed', { reason: 'USER_ALREADY_INACTIVE: the user was already inactive' });
  async function inactivated(res: InactivateUserResult): Promise<UserOffboardingResult> {
    // Under digests the manager reads it in the batch's digest, HR in the batch summary.
    if (!run.version.digests) notices.notify({ kind: 'inactivated', ...run.common, inactivatedAt: res.inactivatedAt, resolutions: state.resolutions, itemsLeftOpen: res.itemsLeftOpen });
    return finish('inactivated', { inactivatedAt: res.inactivatedAt, itemsLeftOpen: res.itemsLeftOpen });
  }

  try {
    progress.publish();
    const claim = { userId: input.userId, batchId: input.batchId, workflowId: run.workflowId, requestedBy: input.requestedBy };
    if (run.version.oneGo) {
      // Permissions, claim and scan in one activity; with nothing to wait for once nothing is open
      // (no effective date ahead, no stop asked for), the completion too, in the same transaction.
      const completeIfClear = run.version.whenClear && !run.stopRequest && !effectiveDateAhead() ? inactivation : undefined;
      const begun = await run.steps.beginOffboarding(completeIfClear ? { ...claim, completeIfClear } : claim);
      run.permissions = begun.permissions;
      if (begun.permissions.status === 'inactive') {
        if (!run.version.localSteps) return await alreadyInactive();
        // Local steps are recorded only when their workflow task completes: a worker that died after
        // this run's own completion committed runs begin again, and finds the user inactive. The
        // completion, idempotent, tells this run's inactivation (alreadyDone) from anyone else's.
        try {
          const res = await run.steps.completeOffboarding(inactivation);
          run.claimEnded = true;
          return await inactivated(res);
        } catch (err) {
          if (refusalOf(err)?.code === 'USER_ALREADY_INACTIVE') return await alreadyInactive();
          throw err;
        }
      }
      state.pendingItems = begun.items;
      if (begun.completed) {
        run.claimEnded = true;
        return await inactivated(begun.completed);
      }
    } else {
      const loaded = await domain.loadPermissions({ userId: input.userId });
      run.permissions = loaded;
      if (loaded.status === 'inactive') return await alreadyInactive();
      await domain.claimOffboarding(claim);
      state.pendingItems = await scans.listOpenItems({ userIds: [input.userId] });
    }
    progress.publish();
    if (input.successorId !== null && state.pendingItems.length > 0) {
      if (run.version.oneGo) {
        const report = await handOverAtOnce(run, input.successorId, 'successor');
        run.successorReport = report;
        // One receipt, sent with whatever the flow says next: the manager's notice, or the inactivation's.
        if (report.took.length > 0 && !run.version.digests) notices.hold({ kind: 'items-received', ...run.common, recipientId: input.successorId, received: report.took });
      } else {
        const report = await handOver(run, input.successorId, 'successor', { parallel: run.version.quietHandover });
        if (run.version.tellOwners) {
          run.successorReport = report;
          notices.sendReceipts();
        }
      }
    }

    let newItems: OpenItem[] = [];
    for (;;) {
      if (run.stopRequest) return await stopped();
      if (state.pendingItems.length > 0 && !force) {
        notices.sendHeld();
        // Under digests the batch asks the manager, once it hears this person waits (their report).
        if (!run.version.digests) notices.notify({
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
      const dateAhead = effectiveDateAhead();
      // Confirm against the database: items may have appeared while we waited. oneGo runs about to
      // inactivate leave that to the inactivation, which re-scans in its own locked transaction and
      // refuses with the items it found (handled below, as this re-scan's answer would be).
      if (!run.version.oneGo || dateAhead) {
        newItems = await run.rescan();
        if (state.pendingItems.length > 0 && !force) continue;
      }

      if (dateAhead) {
        notices.sendHeld();
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
        let res;
        if (run.version.oneGo) {
          // The inactivation and the end of the claim in one transaction.
          res = await run.steps.completeOffboarding(inactivation);
          run.claimEnded = true;
          state.pendingItems = res.itemsLeftOpen;
        } else {
          res = await domain.inactivateUser(inactivation);
        }
        return await inactivated(res);
      } catch (err) {
        const r = refusalOf(err);
        if (r?.code !== 'OPEN_ITEMS_REMAIN') throw err;
        // Something was assigned between our scan and the inactivation's own check: back to waiting.
        const found = r.details[0];
        newItems = run.version.oneGo && Array.isArray(found) ? run.adoptScan(found as OpenItem[]) : await run.rescan();
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
