// The emails of one user's offboarding: each sent exactly once (its idempotency key is fixed by its
// place in the run), beside the flow and never blocking it. Whoever receives items hears once per
// batch of hand-overs, not once per item: the successor's right after the hand-over, a manager's
// reassignments once a quarter of an hour passes without another (or when the offboarding ends).
import { condition, isCancellation, log } from '@temporalio/workflow';
import type { ItemResolution, Notification, SendNotificationInput, UserOffboardingStatus } from '../contract';
import { deliverNotification, deliverNotifications } from '../email-delivery';
import { receiptsTimer } from '../summaries';

/** A manager's hand-overs to one person are told in one message once this long passes without another. */
export const RECEIPTS_QUIET_MS = 15 * 60 * 1000;

export type NoticeCommon = { userId: number; requestedBy: number; batchId: string | null };

export class Notices {
  private seq = 0;
  private readonly sending: Promise<void>[] = [];
  private readonly receipts = new Map<number, ItemResolution[]>();
  private receiptsAdded = 0;
  /** Grouped runs: what this activation said, sent in one activity once it ends. */
  private readonly queued: SendNotificationInput[] = [];
  private flushScheduled = false;
  /** Grouped runs: said, but sent only with the next thing said (or before a wait, or at the end). */
  private readonly held: Notification[] = [];

  constructor(
    private readonly run: {
      runKey: string;
      workflowId: string;
      state: UserOffboardingStatus;
      common: NoticeCommon;
      /** The details show emails being delivered and failed rounds. */
      progress: { refreshDetails(): void };
    },
    /** oneGo runs: the emails of one activation go in one activity (each keeps its own key). */
    private readonly options: { grouped: boolean } = { grouped: false },
  ) {}

  notify(notification: Notification): void {
    this.seq += 1;
    const { runKey, workflowId, state, progress } = this.run;
    const idempotencyKey = `${runKey}:${notification.kind}:${this.seq}`;
    state.emailsPending += 1;
    progress.refreshDetails();
    if (this.options.grouped) {
      this.queued.push({ idempotencyKey, workflowId, notification });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // A microtask runs before the activation completes: everything said in it goes together.
        void Promise.resolve().then(() => this.flush());
      }
      return;
    }
    this.sending.push(
      deliverNotification({ idempotencyKey, workflowId, notification }, () => {
        state.emailFailures += 1;
        progress.refreshDetails();
      }).then((sent) => {
        state.emailsPending -= 1;
        progress.refreshDetails();
        if (!sent) log.error('notification given up after a day of delivery rounds', { kind: notification.kind });
      }),
    );
  }

  /** Sends what this activation queued, in one activity. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queued.splice(0);
    if (batch.length === 0) return;
    const { state, progress } = this.run;
    this.sending.push(
      deliverNotifications(batch, () => {
        state.emailFailures += 1;
        progress.refreshDetails();
      }).then((sent) => {
        state.emailsPending -= batch.length;
        progress.refreshDetails();
        if (!sent) log.error('notifications given up after a day of delivery rounds', { kinds: batch.map((b) => b.notification.kind) });
      }),
    );
  }

  /**
   * Keeps a notice back until the flow next says something, waits, or ends (sendHeld), so that it goes
   * in the same email activity: the successor's receipt, when the inactivation follows at once.
   */
  hold(notification: Notification): void {
    this.held.push(notification);
  }

  /** Says what was held back (before a wait, or at the end). */
  sendHeld(): void {
    for (const n of this.held.splice(0)) this.notify(n);
  }

  /** An item handed to `recipientId`: told with the next batch of receipts. */
  addReceipt(recipientId: number, res: ItemResolution): void {
    this.receipts.set(recipientId, [...(this.receipts.get(recipientId) ?? []), res]);
    this.receiptsAdded += 1;
  }

  /** Tells every recipient now what they received since the last time. */
  sendReceipts(): void {
    for (const [recipientId, received] of this.receipts) {
      this.notify({ kind: 'items-received', ...this.run.common, recipientId, received });
    }
    this.receipts.clear();
  }

  /** Runs beside the flow: sends receipts once hand-overs pause for RECEIPTS_QUIET_MS. */
  startReceiptsWhenQuiet(): void {
    const loop = async (): Promise<void> => {
      for (;;) {
        await condition(() => this.receipts.size > 0);
        for (;;) {
          const seen = this.receiptsAdded;
          const more = await condition(() => this.receiptsAdded !== seen || this.receipts.size === 0, RECEIPTS_QUIET_MS, {
            summary: receiptsTimer(RECEIPTS_QUIET_MS),
          });
          if (!more || this.receipts.size === 0) break;
        }
        this.sendReceipts();
      }
    };
    loop().catch((err: unknown) => {
      // Cancelled with the workflow: the flow's finish sends what is left.
      if (!isCancellation(err)) log.error('receipts loop failed', { error: String(err) });
    });
  }

  /** Every email sent so far has been delivered (or given up after a day of rounds). */
  async settle(): Promise<void> {
    this.sendHeld();
    this.flush();
    await Promise.all(this.sending);
  }
}
