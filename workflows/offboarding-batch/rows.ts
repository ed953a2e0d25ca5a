// The batch's rows, one per accepted user, and the figures the details show kept current as rows
// change: how many children run, how many users are at each stage, and who has waited longest. The
// wait conditions read them after every activation, and scanning 10,000 rows each time made the
// parent's workflow tasks slow; so each change adjusts them instead.
import { type BatchComposition, type BatchStatus, type BatchUserRow, FINAL_STAGES, USER_STAGES, type UserStage } from '../contract';
import { type PackedRow, pack, unpack } from './carry-over';

export type RowStage = UserStage | 'queued';
export type OldestWait = { userId: number; since: string };

export const isFinal = (stage: RowStage): boolean => stage !== 'queued' && FINAL_STAGES.includes(stage);
const isRunning = (row: BatchUserRow | undefined): boolean => row !== undefined && row.stage !== 'queued' && !isFinal(row.stage);
/** When the user started waiting for reassignment, or Infinity when they are not waiting for it. */
const waitingSinceMs = (row: BatchUserRow): number =>
  row.stage === 'awaiting-reassignment' && row.waitingSince !== null ? Date.parse(row.waitingSince) : Infinity;
/**
 * Whether a user waiting since `sinceMs` has waited longer than `than`. Equal waits go to the lower
 * user ID, so the answer does not depend on the order in which the children's reports arrived.
 */
const waitsLonger = (userId: number, sinceMs: number, than: OldestWait | null): boolean => {
  if (sinceMs === Infinity) return false;
  if (than === null) return true;
  const thanMs = Date.parse(than.since);
  return sinceMs < thanMs || (sinceMs === thanMs && userId < than.userId);
};

const zeroCounts = (): BatchStatus['counts'] => Object.fromEntries([...USER_STAGES, 'queued'].map((s) => [s, 0])) as BatchStatus['counts'];

export class BatchRows {
  private readonly rows: Map<number, BatchUserRow>;
  /** Children started and not yet finished. */
  private runningCount: number;
  /** Users at each stage, for the details. */
  readonly stageCounts = zeroCounts();
  /** The user waiting longest for reassignment; undefined when it left that wait and must be looked up again. */
  private oldestWait: OldestWait | null | undefined;

  /** `changed` is told after every change (the details refresh). */
  constructor(
    carried: readonly PackedRow[],
    private readonly changed: () => void,
  ) {
    this.rows = new Map(carried.map((p) => [p[0], unpack(p)]));
    this.runningCount = [...this.rows.values()].filter(isRunning).length;
    for (const r of this.rows.values()) this.stageCounts[r.stage] += 1;
  }

  get(userId: number): BatchUserRow | undefined {
    return this.rows.get(userId);
  }

  values(): IterableIterator<BatchUserRow> {
    return this.rows.values();
  }

  get size(): number {
    return this.rows.size;
  }

  get running(): number {
    return this.runningCount;
  }

  set(userId: number, row: BatchUserRow): void {
    const before = this.rows.get(userId);
    this.runningCount += (isRunning(row) ? 1 : 0) - (isRunning(before) ? 1 : 0);
    if (before) this.stageCounts[before.stage] -= 1;
    this.stageCounts[row.stage] += 1;
    this.rows.set(userId, row);
    const since = waitingSinceMs(row);
    if (this.oldestWait?.userId === userId && since !== Date.parse(this.oldestWait.since)) this.oldestWait = undefined;
    else if (this.oldestWait !== undefined && waitsLonger(userId, since, this.oldestWait)) this.oldestWait = { userId, since: row.waitingSince ?? '' };
    this.changed();
  }

  /** Changes one user's stage (and result), keeping the rest of their row. */
  setStage(userId: number, stage: RowStage, result?: string): void {
    const row = this.rows.get(userId)!;
    this.set(userId, result === undefined ? { ...row, stage } : { ...row, stage, result });
  }

  oldest(): OldestWait | null {
    // null is an answer (nobody waits), not a reason to look again: `??=` would scan every row on
    // every activation of a batch where nobody waits.
    if (this.oldestWait === undefined) this.oldestWait = this.findOldestWait();
    return this.oldestWait;
  }

  private findOldestWait(): OldestWait | null {
    let oldest: OldestWait | null = null;
    for (const r of this.rows.values()) if (waitsLonger(r.userId, waitingSinceMs(r), oldest)) oldest = { userId: r.userId, since: r.waitingSince ?? '' };
    return oldest;
  }

  /** Users at each stage, counted now (the status query's answer). */
  countNow(): BatchStatus['counts'] {
    const counts = zeroCounts();
    for (const r of this.rows.values()) counts[r.stage] += 1;
    return counts;
  }

  /** Up to `limit` rows from `offset`, in input order. */
  page(offset: number, limit: number): BatchUserRow[] {
    return [...this.rows.values()].slice(offset, offset + limit);
  }

  /** Users whose child has not been started yet, in input order. */
  queued(): number[] {
    return [...this.rows.values()].filter((r) => r.stage === 'queued').map((r) => r.userId);
  }

  /** Children started that have not ended, and have not been asked to stop yet. */
  runningExcept(stopsSent: ReadonlySet<number>): BatchUserRow[] {
    return [...this.rows.values()].filter((r) => r.stage !== 'queued' && !isFinal(r.stage) && !stopsSent.has(r.userId));
  }

  allFinal(): boolean {
    return [...this.rows.values()].every((r) => isFinal(r.stage));
  }

  composition(batchId: string): BatchComposition {
    return {
      batchId,
      userIds: [...this.rows.values()].filter((r) => r.stage !== 'removed').map((r) => r.userId),
      removed: [...this.rows.values()].filter((r) => r.stage === 'removed').map((r) => r.userId),
    };
  }

  packed(): PackedRow[] {
    return [...this.rows.values()].map(pack);
  }
}
