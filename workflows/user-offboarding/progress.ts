// Keeps the Web UI's search attributes, its current details and the batch's status current for one
// user's offboarding. Changes made in one activation are coalesced into at most one upsert and one
// signal (a microtask runs before the activation completes), which keeps both histories short, and
// into one rendering of the details.
import { getExternalWorkflowHandle, log, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { DetailsPublisher } from '../details-publisher';
import {
  batchWorkflowId,
  FINAL_STAGES,
  searchAttributes,
  type UserOffboardingInput,
  type UserOffboardingStatus,
  type UserProgress,
  userProgressSignal,
} from '../contract';

export class ProgressReporter {
  private lastUpserted: string;
  private lastReported = JSON.stringify({ stage: 'validating', openItems: 0, waitingSince: null, remindersSent: 0, result: null });
  private seq = 0;
  private scheduled = false;
  private readonly details: DetailsPublisher;
  private readonly signals: Promise<void>[] = [];
  /**
   * The final report while it travels in the result ('report-by-result'): kept, not signalled,
   * until the batch asks for signals (reportBySignal), which sends it if it is already here.
   */
  private finalReport: UserProgress | undefined;
  private bySignal: boolean;

  constructor(
    private readonly input: UserOffboardingInput,
    private readonly state: UserOffboardingStatus,
    /**
     * validating: nothing is reported while scanning and handing over (runs from before
     * 'quiet-parallel-handover' reported every change then too). inactivating: the search attributes
     * say so, the batch is not told (oneGo runs): the stage lasts one activity, and the final report
     * follows, so the batch handles two messages per person on the way through (this and the child's end).
     */
    private readonly quiet: { validating: boolean; inactivating: boolean },
    /** The current details' Markdown, rendered from the run's state (current-details.ts). */
    renderDetails: () => string,
  ) {
    this.details = new DetailsPublisher(renderDetails);
    this.bySignal = input.reportByResult !== true;
    // What the Web UI and the batch already know. The batch starts each child as 'validating' with
    // nothing open (search attributes included), so that needs no upsert and no report.
    const startedWith = workflowInfo().typedSearchAttributes;
    this.lastUpserted =
      startedWith.get(searchAttributes.stage) === 'validating' && startedWith.get(searchAttributes.openItems) === 0
        ? JSON.stringify(['validating', 0, null])
        : '';
  }

  /** Publishes at the end of this activation (once, however often it is called). */
  publish(): void {
    this.refreshDetails();
    if (this.scheduled) return;
    this.scheduled = true;
    void Promise.resolve().then(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    const { state, input } = this;
    // While scanning and handing over to the successor nobody waits on this user yet: report once
    // the stage changes, instead of once per reassigned item.
    if (this.quiet.validating && state.stage === 'validating') return;
    const attributes = JSON.stringify([state.stage, state.pendingItems.length, state.waitingSince]);
    if (attributes !== this.lastUpserted) {
      this.lastUpserted = attributes;
      upsertSearchAttributes([
        { key: searchAttributes.stage, value: state.stage },
        { key: searchAttributes.openItems, value: state.pendingItems.length },
        { key: searchAttributes.waitingSince, value: state.waitingSince ? new Date(state.waitingSince) : null },
      ]);
    }
    if (!input.batchId) return;
    if (this.quiet.inactivating && state.stage === 'inactivating') return;
    const progress = {
      stage: state.stage,
      openItems: state.pendingItems.length,
      waitingSince: state.waitingSince,
      remindersSent: state.remindersSent,
      result: state.result?.reason ?? null,
    };
    const fingerprint = JSON.stringify(progress);
    if (fingerprint === this.lastReported) return;
    this.lastReported = fingerprint;
    this.seq += 1;
    const report = { seq: this.seq, userId: input.userId, ...progress };
    if (!this.bySignal && FINAL_STAGES.includes(state.stage)) this.finalReport = report;
    else void this.send(report); // settle() awaits it
  }

  /** The final report to return with the result, when it was not signalled. */
  unsentFinalReport(): UserProgress | undefined {
    return this.bySignal ? undefined : this.finalReport;
  }

  /** The batch continues as new: from now on reports go by signal, the final one included. */
  reportBySignal(): Promise<void> {
    if (this.bySignal) return Promise.resolve();
    this.bySignal = true;
    const report = this.finalReport;
    this.finalReport = undefined;
    return report ? this.send(report) : Promise.resolve();
  }

  private send(report: UserProgress): Promise<void> {
    // A batch that is gone must not break the user's offboarding; settle() is awaited before the
    // workflow completes, so the final report is sent.
    const sent = getExternalWorkflowHandle(batchWorkflowId(this.input.batchId!))
      .signal(userProgressSignal, report)
      .catch((err: unknown) => log.warn('could not report progress to the batch', { error: String(err) }));
    this.signals.push(sent);
    return sent;
  }

  /**
   * Renders the details at the end of this activation, for changes only they show (the next wake-up,
   * the permissions, emails). Apart from flush(), so it never moves the commands flush() emits.
   */
  refreshDetails(): void {
    this.details.refresh();
  }

  /** Every report sent so far has been delivered (or given up). */
  async settle(): Promise<void> {
    await Promise.all(this.signals);
  }
}
