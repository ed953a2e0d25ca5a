// Handing a user's items to someone else in the requester's name: to the successor at the start, or
// to the manager at a deadline whose policy says so. One item that cannot go (the person is not on
// its project, is leaving too, …) stays for the manager; the report says which and why. What may go
// to whom is the contract's rule (contract/hand-over.ts).
import { log } from '@temporalio/workflow';
import { domain } from '../activity-proxies';
import { mayBeHandedOver, type OpenItem, refusalOf, TIMECARD_NOT_HANDED_OVER } from '../contract';
import type { HandOverReport, OffboardingRun } from './run';

export async function handOver(
  run: OffboardingRun,
  toUserId: number,
  purpose: 'successor' | 'deadline',
  options: { parallel: boolean },
): Promise<HandOverReport> {
  const report: HandOverReport = { userId: toUserId, took: [], notTaken: [] };
  const one = async (item: OpenItem): Promise<void> => {
    try {
      const res = await domain.reassignItem({
        requestId: `${run.runKey}:${purpose}:${item.key}`,
        itemKey: item.key,
        fromUserId: run.input.userId,
        toUserId,
        actorId: run.input.requestedBy,
        workflowId: run.workflowId,
      });
      run.recordResolution(res);
      report.took.push(res);
    } catch (err) {
      const r = refusalOf(err);
      if (!r) throw err;
      log.info('an item could not be handed over', { purpose, item: item.key, code: r.code });
      report.notTaken.push({ item, code: r.code, message: r.message });
    }
  };
  let items = [...run.state.pendingItems];
  if (run.version.tellOwners) {
    // A final timecard entry is recorded, never handed over: do not ask.
    for (const item of items.filter((i) => !mayBeHandedOver(i))) {
      report.notTaken.push({ item, code: 'INVALID_INPUT', message: TIMECARD_NOT_HANDED_OVER });
    }
    items = items.filter(mayBeHandedOver);
  }
  if (options.parallel) await Promise.all(items.map(one));
  else for (const item of items) await one(item);
  return report;
}
