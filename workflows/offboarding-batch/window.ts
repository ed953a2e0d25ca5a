// The sliding window: at most `windowSize` userOffboarding children run at once, started from the
// queue in small refills; a cancel releases the queued users and asks the running ones to stop. The
// flow (index.ts) awaits each step itself, so the order of the commands stays that of the histories
// recorded before this split.
import {
  condition,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { domain } from '../activity-proxies';
import { reportBySignalSignal, searchAttributes, stopSignal, userWorkflowId } from '../contract';
import { userOffboarding } from '../user-offboarding';
import { isFinal } from './rows';
import type { BatchRun } from './run';

/** Children started per refill: small refills keep the run's length checked between them. */
export const REFILL_CHUNK = 50;

export class BatchWindow {
  /** Claims being given back for children that ended abnormally; the summary waits for them. */
  readonly releases: Promise<void>[] = [];
  private readonly stopsSent = new Set<number>();
  /** The run of each child this run started to report by result ('report-by-result'). */
  private readonly reportingByResult = new Map<number, string>();

  constructor(private readonly batch: BatchRun) {}

  get running(): number {
    return this.batch.rows.running;
  }

  /** Nothing queued and nothing running: the batch is done. */
  idle(): boolean {
    return this.batch.queue.length === 0 && this.running === 0;
  }

  /** How many children the next refill may start ('batch-steady-refill': in chunks). */
  room(steadyRefill: boolean): number {
    return Math.min(this.batch.windowSize - this.running, steadyRefill ? REFILL_CHUNK : Infinity);
  }

  async startUsers(userIds: number[]): Promise<void> {
    const { batch } = this;
    const { input, rows } = batch;
    const notStarted: number[] = [];
    await Promise.all(
      userIds.map(async (userId) => {
        rows.setStage(userId, 'validating');
        try {
          const child = await startChild(userOffboarding, {
            workflowId: userWorkflowId(userId),
            args: [
              {
                userId,
                requestedBy: input.requestedBy,
                batchId: input.batchId,
                reason: input.reason,
                effectiveAt: input.effectiveAt,
                successorId: input.successors[String(userId)] ?? null,
                policy: batch.policy,
                ...(batch.digests ? { digests: true } : {}),
                ...(batch.digests?.deadlineInDigest ? { deadlineInDigest: true } : {}),
                ...(batch.reportsByResult ? { reportByResult: true } : {}),
              },
            ],
            // Children outlive this run when it continues as new; they report back by signal.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            staticSummary: `Offboarding user ${userId} (batch ${input.batchId})`,
            typedSearchAttributes: [
              { key: searchAttributes.stage, value: 'validating' },
              { key: searchAttributes.batchId, value: input.batchId },
              { key: searchAttributes.userId, value: userId },
              { key: searchAttributes.openItems, value: 0 },
            ],
          });
          // A child that ends without its final report (terminated or failed by hand in the Web UI)
          // would keep the batch waiting: while this run is open, its completion says so.
          if (batch.reportsByResult) this.reportingByResult.set(userId, child.firstExecutionRunId);
          void child.result().then(
            (result) => {
              if (result.report) batch.applyReport(result.report);
            },
            (err: unknown) => this.markFailed(userId, `the user's workflow ended abnormally: ${String(err)}`),
          );
        } catch (err) {
          log.warn('could not start user offboarding', { userId, error: String(err) });
          rows.setStage(userId, 'failed', `ALREADY_IN_OFFBOARDING: ${String(err)}`);
          notStarted.push(userId);
        }
      }),
    );
    // Their claims were taken at validation: give them back, or those users stay "being offboarded".
    if (notStarted.length > 0) {
      await domain.releaseOffboardings({ batchId: input.batchId, userIds: notStarted, outcome: 'failed' });
    }
  }

  private markFailed(userId: number, reason: string): void {
    const row = this.batch.rows.get(userId);
    if (!row || isFinal(row.stage)) return;
    this.batch.rows.set(userId, { ...row, stage: 'failed', result: reason });
    this.releases.push(
      domain
        .finishOffboarding({ userId, workflowId: userWorkflowId(userId), outcome: 'failed' })
        .then(
          () => undefined,
          (err: unknown) => log.warn('could not release the claim', { userId, error: String(err) }),
        ),
    );
  }

  /**
   * Before continuing as new: the children this run started to report by result, still running, are
   * asked to signal instead (their end reaches only this run). One that ended before the request
   * reached it cannot take it; its end is on its way here, and the run waits for it.
   */
  async handOffReports(): Promise<void> {
    const { rows } = this.batch;
    const running = [...this.reportingByResult].filter(([userId]) => !isFinal(rows.get(userId)?.stage ?? 'failed'));
    const ended: number[] = [];
    await Promise.all(
      running.map(async ([userId, runId]) => {
        try {
          await getExternalWorkflowHandle(userWorkflowId(userId), runId).signal(reportBySignalSignal);
        } catch {
          ended.push(userId);
        }
      }),
    );
    await condition(() => ended.every((userId) => isFinal(rows.get(userId)?.stage ?? 'failed')));
  }

  /** After a cancel: the queued users, taken off the queue (their claims are released by the flow). */
  takeQueue(): number[] {
    return this.batch.queue.splice(0, this.batch.queue.length);
  }

  markCancelled(userIds: readonly number[], by: number): void {
    for (const userId of userIds) this.batch.rows.setStage(userId, 'cancelled', `cancelled by user ${by}`);
  }

  /** Asks every running child not asked yet to stop; the flow awaits all the signals together. */
  stopRunning(by: number): Promise<void>[] {
    return this.batch.rows.runningExcept(this.stopsSent).map(async (r) => {
      this.stopsSent.add(r.userId);
      await getExternalWorkflowHandle(userWorkflowId(r.userId))
        .signal(stopSignal, { kind: 'cancelled', by })
        .catch((err: unknown) => log.warn('could not signal stop', { userId: r.userId, error: String(err) }));
    });
  }

  /** What the flow waits for between steps: a change that lets it start, stop or end something. */
  changed(steadyRefill: boolean): () => boolean {
    const { batch } = this;
    const runningBefore = this.running;
    const cancelBefore = batch.cancelledBy;
    return () =>
      this.running < runningBefore ||
      batch.cancelledBy !== cancelBefore ||
      batch.cancelSignals.length > 0 ||
      this.idle() ||
      batch.tooLong() ||
      (steadyRefill && batch.cancelledBy === null && batch.queue.length > 0 && this.running < batch.windowSize);
  }
}
