// Handing a user's items to someone else: to the successor at the start, or to the manager at a
// deadline whose policy says so, in the requester's name; or, at the manager's request (the
// handOverAll update), every item the person they chose may take, in the manager's name. One item
// that cannot go (the person is not on its project, is leaving too, …) stays for the manager; the
// report says which and why. What may go to whom is the contract's rule (contract/hand-over.ts).
import { condition, currentUpdateInfo, log } from '@temporalio/workflow';
import { domain } from '../activity-proxies';
import {
  asUpdateFailure,
  type HandOverAllAnswer,
  type HandOverAllRequest,
  ITEM_REFUSALS,
  mayBeHandedOver,
  type OpenItem,
  parseItemKey,
  refusal,
  refusalOf,
  TIMECARD_NOT_HANDED_OVER,
} from '../contract';
import { assertTargetId, assertWaitingAndAllowed } from './checks';
import type { HandOverReport, OffboardingRun } from './run';

export type HandOverOptions = {
  parallel: boolean;
  /** The manager's request: who acts, and the update it answers. Default: the requester, unasked. */
  by?: { actorId: number; requestKey: string };
  /** Only these pending items (default: every pending item). */
  items?: readonly OpenItem[];
};

export async function handOver(
  run: OffboardingRun,
  toUserId: number,
  purpose: 'successor' | 'deadline' | 'manager',
  options: HandOverOptions,
): Promise<HandOverReport> {
  const report: HandOverReport = { userId: toUserId, took: [], notTaken: [] };
  const one = async (item: OpenItem): Promise<void> => {
    try {
      const res = await domain.reassignItem({
        requestId: `${run.runKey}:${options.by?.requestKey ?? purpose}:${item.key}`,
        itemKey: item.key,
        fromUserId: run.input.userId,
        toUserId,
        actorId: options.by?.actorId ?? run.input.requestedBy,
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
  let items = [...(options.items ?? run.state.pendingItems)];
  if (run.version.tellOwners || options.by) {
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

/** More keys than any one person holds; keeps a request well under Temporal's payload limit. */
const MAX_KEYS = 5_000;
/** Refusals that say an item changed under us: the truth is re-read from the database. */
const CHANGED = new Set(['ITEM_NOT_OPEN', 'ITEM_NOT_HELD_BY_USER', 'ITEM_NOT_FOUND']);
/** Runs handing everything over right now: a second request waits and sees what the first left. */
const busy = new WeakSet<OffboardingRun>();

/** The handOverAll update's validator: refuses a bad request before it touches the history. */
export function validateHandOverAll(run: OffboardingRun, req: HandOverAllRequest): void {
  assertWaitingAndAllowed(run, req?.by);
  assertTargetId(req.toUserId);
  if (req.toUserId === run.input.userId) {
    throw refusal('TARGET_SAME_USER', `user ${run.input.userId} is the one being offboarded; choose someone else to take the items over`);
  }
  if (req.itemKeys === undefined) {
    if (!run.state.pendingItems.some(mayBeHandedOver)) {
      throw refusal('INVALID_INPUT', `none of user ${run.input.userId}'s open items can be handed over (${TIMECARD_NOT_HANDED_OVER})`);
    }
    return;
  }
  if (!Array.isArray(req.itemKeys) || req.itemKeys.length === 0 || req.itemKeys.length > MAX_KEYS) {
    throw refusal('INVALID_INPUT', `"itemKeys" must list 1 to ${MAX_KEYS} item keys`);
  }
  const bad = req.itemKeys.find((k) => !parseItemKey(k));
  if (bad !== undefined) throw refusal('ITEM_KEY_MALFORMED', `"${String(bad).slice(0, 80)}" is not an item key like rfi:42:assignee`);
}

/**
 * "Hand everything over to one person", as one update: the workflow's own hand-over of the pending
 * items asked for, in the manager's name. The update ID makes each item's request ID, so a repeated
 * request moves each item once. When nothing went and the refusal is not about single items (the
 * actor or the new person), the update fails with it: nothing changed.
 */
export async function handOverAll(run: OffboardingRun, req: HandOverAllRequest): Promise<HandOverAllAnswer> {
  await condition(() => !busy.has(run));
  busy.add(run);
  try {
    const wanted = req.itemKeys === undefined ? undefined : new Set(req.itemKeys);
    const items = run.state.pendingItems.filter((i) => wanted === undefined || wanted.has(i.key));
    const pending = new Set(items.map((i) => i.key));
    const requestKey = currentUpdateInfo()?.id ?? `hand-over-all:${req.toUserId}`;
    const report = await handOver(run, req.toUserId, 'manager', { parallel: true, by: { actorId: req.by, requestKey }, items });
    if (report.notTaken.some((x) => CHANGED.has(x.code))) run.recheckRequested = true;
    const whole = report.took.length === 0 ? report.notTaken.find((x) => !ITEM_REFUSALS.has(x.code)) : undefined;
    if (whole) throw refusal(whole.code, whole.message);
    const order = new Map(items.map((i, n) => [i.key, n]));
    return {
      took: report.took.sort((a, b) => (order.get(a.itemKey) ?? 0) - (order.get(b.itemKey) ?? 0)),
      notTaken: report.notTaken,
      notPending: [...(wanted ?? [])].filter((k) => !pending.has(k)),
      pendingItems: run.state.pendingItems,
    };
  } catch (err) {
    throw asUpdateFailure(err);
  } finally {
    busy.delete(run);
  }
}
