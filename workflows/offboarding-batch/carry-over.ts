// What a batch carries from one run to the next when it continues as new: its rows packed small
// (10,000 users fit in ~280 KiB, well under the 2 MB input limit), who may act, who removed whom or
// cancelled, and the newest report seen from each running child.
import { allHandlersFinished, condition, continueAsNew } from '@temporalio/workflow';
import { type BatchRejection, type BatchUserRow, USER_STAGES } from '../contract';
import type { DigestsCarryOver } from './digests';
import type { offboardingBatch } from './index';
import { isFinal } from './rows';
import type { BatchRun } from './run';

/** Compact row: [userId, stage index (-1 = queued), openItems, waitingSince, reminders, result]. */
export type PackedRow = [number, number, number, string | null, number, string | null];

export type BatchCarryOver = {
  run: number;
  adminIds: number[];
  rejected: BatchRejection[];
  rows: PackedRow[];
  cancelledBy: number | null;
  removedBy: Record<string, number>;
  reportSeq: Record<string, number>;
  /** When the batch's first run started, for the details (absent in carry-overs written before). */
  startedAt?: string;
  /** The digests' rounds and timers ('batch-digests'); absent: the batch's people send their own emails. */
  digests?: DigestsCarryOver;
};

export const pack = (r: BatchUserRow): PackedRow => [
  r.userId,
  r.stage === 'queued' ? -1 : USER_STAGES.indexOf(r.stage),
  r.openItems,
  r.waitingSince,
  r.remindersSent,
  r.result,
];

export const unpack = (p: PackedRow): BatchUserRow => ({
  userId: p[0],
  stage: p[1] < 0 ? 'queued' : (USER_STAGES[p[1]] ?? 'failed'),
  openItems: p[2],
  waitingSince: p[3],
  remindersSent: p[4],
  result: p[5],
});

/** Ends this run once its handlers are done and starts the next with what it carries. */
export async function continueAsNewNow(batch: BatchRun): Promise<never> {
  await condition(allHandlersFinished);
  if (batch.digests) await batch.digests.idle();
  const next: BatchCarryOver = {
    run: batch.run + 1,
    adminIds: batch.adminIds,
    rejected: batch.rejected,
    rows: batch.rows.packed(),
    cancelledBy: batch.cancelledBy,
    removedBy: Object.fromEntries(batch.removedBy),
    // Finished users send no more reports: only the running ones need their sequence carried.
    reportSeq: Object.fromEntries([...batch.reportSeq].filter(([id]) => !isFinal(batch.rows.get(id)?.stage ?? 'failed'))),
    startedAt: batch.startedAt,
    ...(batch.digests ? { digests: batch.digests.carryOver() } : {}),
  };
  return continueAsNew<typeof offboardingBatch>(batch.input, next);
}
