// One run of a batch: its settings, its rows, who may act, a cancel or removals in progress, and the
// operations the flow and the message handlers share. A run continued as new starts from what the
// previous one carried (carry-over.ts). Deterministic: IDs come from workflowInfo, the rest from
// activities.
import { log, patched, workflowInfo } from '@temporalio/workflow';
import { domain } from '../activity-proxies';
import {
  asUpdateFailure,
  type BatchComposition,
  type BatchRejection,
  type BatchStatus,
  DEFAULT_POLICY,
  type OffboardingBatchInput,
  type OffboardingPolicy,
  refusal,
  refusalOf,
  type UserProgress,
} from '../contract';
import { renderBatchDetails } from '../batch-details';
import { DetailsPublisher } from '../details-publisher';
import type { BatchCarryOver } from './carry-over';
import { BatchDigests } from './digests';
import { BatchRows, isFinal } from './rows';
import { MIN_CONTINUE_AS_NEW_AT, reportByResultFits, runCapOf, windowSizeOf } from './run-cap';

/** Children running at once: far below Temporal's 2,000 pending-children limit. */
export const BATCH_WINDOW = 200;
/** Continue-as-new at this many events: with the default window's burst, under half the 10,240-event warning (run-cap.ts). */
export const CONTINUE_AS_NEW_AT_EVENTS = 4_000;
/** What tuning could ask for before the threshold depended on the window. */
const OLD_MAX_CONTINUE_AS_NEW_AT = 8_000;

export class BatchRun {
  readonly workflowId: string;
  /**
   * 'permissions-checked-at-request': runs started before it trusted the admins loaded at validation
   * for removeUser and cancel; new runs also ask the database at the moment of each request.
   */
  readonly checkedNow: boolean;
  readonly windowSize: number;
  /**
   * 'report-by-result' (issue 25): the children this run starts return their final report in their
   * result instead of signalling it, one message per person less; before continuing as new the run
   * asks those still running to signal it (window.ts). Decided per run: a child carried over from a
   * run without it signals anyway. Windows whose burst would not fit a run keep the signal.
   */
  readonly reportsByResult: boolean;
  readonly continueAsNewAt: number;
  readonly policy: OffboardingPolicy;
  readonly rows: BatchRows;
  readonly details: DetailsPublisher;
  adminIds: number[];
  rejected: BatchRejection[];
  phase: BatchStatus['phase'];
  cancelledBy: number | null;
  readonly removedBy: Map<number, number>;
  /** The newest report seen per user (children's signals may arrive out of order). */
  readonly reportSeq: Map<number, number>;
  /** Users whose child has not been started yet, in input order. */
  readonly queue: number[];
  /** When the first run started; runs carried over before it was carried show their own start. */
  readonly startedAt: string;
  /**
   * 'batch-digests' (issue 25): the batch emails its people's managers, admins and new owners in
   * digests, and its children send none of those emails themselves. Decided by the first run and
   * carried, so a chain started before the change never mixes the two.
   */
  readonly digests: BatchDigests | undefined;
  /** Cancel signals waiting for the database's word on their sender (signals cannot be refused). */
  readonly cancelSignals: number[] = [];

  constructor(
    readonly input: OffboardingBatchInput,
    readonly carried: BatchCarryOver | undefined,
  ) {
    this.workflowId = workflowInfo().workflowId;
    this.checkedNow = patched('permissions-checked-at-request');
    this.windowSize = windowSizeOf(input.tuning?.window ?? BATCH_WINDOW);
    const asked = Math.min(Math.max(MIN_CONTINUE_AS_NEW_AT, input.tuning?.continueAsNewAtEvents ?? CONTINUE_AS_NEW_AT_EVENTS), OLD_MAX_CONTINUE_AS_NEW_AT);
    // 'batch-run-cap': a run tuned past what its window leaves room for continues at that room
    // instead (issue 25); asked only then, so the default and small tunings record no marker.
    this.reportsByResult = reportByResultFits(this.windowSize) && patched('report-by-result');
    const cap = runCapOf(this.windowSize, this.reportsByResult);
    this.continueAsNewAt = asked > cap && patched('batch-run-cap') ? cap : asked;
    this.policy = { ...DEFAULT_POLICY, ...input.policy };
    this.rows = new BatchRows(carried?.rows ?? [], () => this.details.refresh());
    this.adminIds = carried?.adminIds ?? [];
    this.rejected = carried?.rejected ?? [];
    this.phase = carried ? 'running' : 'validating';
    this.cancelledBy = carried?.cancelledBy ?? null;
    this.removedBy = new Map(Object.entries(carried?.removedBy ?? {}).map(([k, v]) => [Number(k), v]));
    this.reportSeq = new Map(Object.entries(carried?.reportSeq ?? {}).map(([k, v]) => [Number(k), v]));
    this.queue = this.rows.queued();
    this.startedAt = carried?.startedAt ?? workflowInfo().startTime.toISOString();
    const digests = carried ? carried.digests !== undefined : patched('batch-digests');
    this.digests = digests ? new BatchDigests(this, carried?.digests) : undefined;
    this.details = new DetailsPublisher(() =>
      renderBatchDetails({
        batchId: input.batchId,
        phase: this.phase,
        requestedBy: input.requestedBy,
        startedAt: this.startedAt,
        run: this.run,
        counts: this.rows.stageCounts,
        rejected: this.rejected.length,
        running: this.rows.running,
        window: this.windowSize,
        queued: this.queue.length,
        oldestWait: this.rows.oldest(),
        cancelledBy: this.cancelledBy,
      }),
    );
    this.details.refresh();
  }

  /** Run number after continue-as-new (1 for the first run). */
  get run(): number {
    return this.carried?.run ?? 1;
  }

  /** The run's history is long enough to continue as new. */
  tooLong(): boolean {
    return workflowInfo().historyLength > this.continueAsNewAt || workflowInfo().continueAsNewSuggested;
  }

  composition(): BatchComposition {
    return this.rows.composition(this.input.batchId);
  }

  /** The validators' check: the actor is an admin as far as the cached admins tell. */
  assertAdmin(by: unknown): void {
    if (!Number.isSafeInteger(by) || !this.adminIds.includes(by as number)) {
      throw refusal('PERMISSION_DENIED', `user ${String(by)} is not an active company directory admin`);
    }
  }

  /**
   * The final answer: the actor is an active admin right now (the validator answered from the cache).
   * Either way the cache is refreshed, so the validator refuses the next such request early.
   */
  async authorizeNow(by: number): Promise<void> {
    if (!this.checkedNow) return;
    try {
      this.adminIds = (await domain.authorizeBatchActor({ actorId: by })).adminIds;
    } catch (err) {
      const fresh = refusalOf(err)?.details[0] as { adminIds?: number[] } | undefined;
      if (Array.isArray(fresh?.adminIds)) this.adminIds = fresh.adminIds;
      throw asUpdateFailure(err);
    }
  }

  /** A child's report, by signal or in its result: the newest one per user wins; a final row stays final. */
  applyReport(p: UserProgress): void {
    const { rows, reportSeq } = this;
    const row = rows.get(p.userId);
    if (!row || isFinal(row.stage) || p.seq <= (reportSeq.get(p.userId) ?? 0)) return;
    reportSeq.set(p.userId, p.seq);
    const next = {
      userId: p.userId,
      stage: p.stage,
      openItems: p.openItems,
      waitingSince: p.waitingSince,
      // Under digests the batch reminds (and counts): the child's own count stays 0.
      remindersSent: this.digests ? Math.max(p.remindersSent, row.remindersSent) : p.remindersSent,
      result: p.result,
    };
    rows.set(p.userId, next);
    this.digests?.noted(row, next);
  }

  requestCancel(by: number): void {
    if (this.cancelledBy === null) this.cancelledBy = by;
    this.details.refresh();
  }

  async honourCancelSignals(): Promise<void> {
    for (const by of this.cancelSignals.splice(0)) {
      try {
        await this.authorizeNow(by);
        this.requestCancel(by);
      } catch (err) {
        if (!refusalOf(err)) throw err;
        log.warn('cancel ignored: not an admin now', { by });
      }
    }
  }
}
