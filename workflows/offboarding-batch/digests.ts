// A batch's digests (issue 25, patch 'batch-digests'): the batch workflow owns them, and with them the
// reminder and escalation timers of its people. Why the batch: it already holds the batch's policy and
// hears from every child when it starts waiting, when its items change and when it ends (the two
// reports per person it handles anyway), so it knows whom each digest is about without any new
// message; a workflow per (batch, manager) would need its own start and a signal per person on top.
//
// - "Action needed": people who start waiting (or whose re-check found new items) are gathered until
//   none arrives for ACTION_QUIET_MS (ACTION_MAX_MS at most), then one email per manager lists everyone
//   gathered; later arrivals go in the next one.
// - Reminders: every reminder interval of the batch's policy, one email per manager listing everyone
//   still waiting who has waited a whole interval; escalations: once a person waits past the
//   escalation time, one email per admin (and the requester), at that moment.
// - The deadline ('deadline-digest'): each person's workflow still does the deadline's action itself
//   (their items to their manager, where allowed); the batch waits DEADLINE_SETTLE_MS past the first
//   deadline of a group for those hand-overs, then one escalation email per admin lists everyone
//   still holding open items past the deadline, in place of one email per person.
// - The end: ended offboardings are gathered likewise (CLOSING_QUIET_MS, CLOSING_MAX_MS, or until the
//   batch ends): one email per manager with a line per person inactivated, one per new owner with what
//   they received. A batch whose people end one after another hears once, at its end.
// The digest activities read the database at each round (who still runs, which items are open now), so
// nothing is counted twice; each email's key is the round's, so each is sent once. The rounds and the
// timers are carried across continue-as-new.
import { condition, log, patched, sleep, workflowInfo } from '@temporalio/workflow';
import { digests } from '../activity-proxies';
import type { BatchUserRow, DigestsResult, OffboardingPolicy, WaitingPerson } from '../contract';
import { EMAIL_MAX_ROUNDS, EMAIL_ROUND_PAUSE_MS } from '../email-delivery';
import { digestTimer } from '../summaries';
import { DeadlineRounds, type DeadlineCarryOver } from './deadline-rounds';
import { ACTION_MAX_MS, ACTION_QUIET_MS, arrive, CLOSING_MAX_MS, CLOSING_QUIET_MS, dueOf, type Gathered, min } from './digest-timing';
import { isFinal } from './rows';

/** What the next run of the batch carries of its digests. */
export type DigestsCarryOver = {
  round: number;
  reminderRound: number;
  announced: number[];
  escalated: number[];
  pendingAction: number[];
  pendingNewItems: number[];
  pendingClosing: number[];
  action: Gathered;
  closing: Gathered;
  reminderAt: number | null;
  escalationAt: number | null;
  lastEscalation: number | null;
  /** 'deadline-digest': the next deadline round and who was escalated for it; absent in older chains. */
  deadline?: DeadlineCarryOver;
};


export class BatchDigests {
  private round: number;
  private reminderRound: number;
  private readonly announced: Set<number>;
  private readonly escalated: Set<number>;
  private readonly pendingAction: Set<number>;
  private readonly pendingNewItems: Set<number>;
  private readonly pendingClosing: Set<number>;
  private action: Gathered;
  private closing: Gathered;
  private reminderAt: number | null;
  private escalationAt: number | null;
  /** When the admins last heard: at most one escalation email each per reminder interval. */
  private lastEscalation: number | null;
  /** 'deadline-digest' (decided by the first run, carried): null when the people send their own deadline emails. */
  private readonly deadline: DeadlineRounds | null;
  private sending = false;
  private closed = false;
  private readonly keyPrefix: string;

  constructor(
    private readonly batch: {
      input: { batchId: string; requestedBy: number; effectiveAt: string | null };
      workflowId: string;
      policy: OffboardingPolicy;
      rows: { values(): IterableIterator<BatchUserRow>; get(userId: number): BatchUserRow | undefined; set(userId: number, row: BatchUserRow): void };
    },
    carried: DigestsCarryOver | undefined,
  ) {
    this.round = carried?.round ?? 0;
    this.reminderRound = carried?.reminderRound ?? 0;
    this.announced = new Set(carried?.announced ?? []);
    this.escalated = new Set(carried?.escalated ?? []);
    this.pendingAction = new Set(carried?.pendingAction ?? []);
    this.pendingNewItems = new Set(carried?.pendingNewItems ?? []);
    this.pendingClosing = new Set(carried?.pendingClosing ?? []);
    this.action = carried?.action ?? null;
    this.closing = carried?.closing ?? null;
    this.reminderAt = carried?.reminderAt ?? null;
    this.escalationAt = carried?.escalationAt ?? null;
    this.lastEscalation = carried?.lastEscalation ?? null;
    const deadlineInDigest = carried ? carried.deadline !== undefined : patched('deadline-digest');
    this.deadline = deadlineInDigest ? new DeadlineRounds(batch.policy.deadlineMs, carried?.deadline) : null;
    // The first run's ID: the same across continue-as-new, different for a later batch of the same ID.
    this.keyPrefix = `${batch.workflowId}/${workflowInfo().firstExecutionRunId}:digest`;
  }

  /** Whether the batch's children leave their deadline escalation to the batch (their input says so). */
  get deadlineInDigest(): boolean {
    return this.deadline !== null;
  }

  /** A child's report changed its row from `before` to `after`. */
  noted(before: BatchUserRow, after: BatchUserRow): void {
    const { userId } = after;
    const now = Date.now();
    if (isFinal(after.stage)) {
      this.pendingAction.delete(userId);
      this.pendingNewItems.delete(userId);
      this.pendingClosing.add(userId);
      this.closing = arrive(this.closing, now);
      return;
    }
    if (after.stage !== 'awaiting-reassignment') return;
    if (!this.announced.has(userId)) this.pendingAction.add(userId);
    else if (after.openItems > before.openItems) this.pendingNewItems.add(userId);
    else return;
    this.action = arrive(this.action, now);
    if (after.waitingSince !== null && !this.escalated.has(userId)) {
      this.escalationAt = this.notBeforeNextEscalation(min(this.escalationAt, Date.parse(after.waitingSince) + this.batch.policy.escalateAfterMs));
    }
    if (after.waitingSince !== null) this.deadline?.waiting(userId, after.waitingSince);
  }

  private notBeforeNextEscalation(at: number | null): number | null {
    return at === null || this.lastEscalation === null ? at : Math.max(at, this.lastEscalation + this.batch.policy.reminderIntervalMs);
  }

  private get actionAt(): number | null {
    return dueOf(this.action, ACTION_QUIET_MS, ACTION_MAX_MS);
  }

  private get closingAt(): number | null {
    return dueOf(this.closing, CLOSING_QUIET_MS, CLOSING_MAX_MS);
  }

  private nextWake(): number {
    return min(this.actionAt, this.closingAt, this.reminderAt, this.escalationAt, this.deadline?.at ?? null);
  }

  /** Runs beside the batch's flow until close(); every wake-up is a durable timer. */
  start(): void {
    const loop = async (): Promise<void> => {
      while (!this.closed) {
        const wake = this.nextWake();
        const what = [
          [this.actionAt, '"Action needed"'],
          [this.reminderAt, `reminder ${this.reminderRound + 1}`],
          [this.escalationAt, 'escalation'],
          [this.deadline?.at ?? null, 'deadline escalation'],
          [this.closingAt, 'inactivations and receipts'],
        ]
          .filter(([at]) => at === wake)
          .map(([, w]) => w)
          .join(' + ');
        // Woken early only when something becomes due sooner (a first arrival), not by every report;
        // a later arrival moves its due time on, and the timer that fires first is armed again.
        const sooner = () => this.closed || this.nextWake() < wake;
        const woken =
          wake === Infinity
            ? await condition(sooner).then(() => true)
            : await condition(sooner, Math.max(1, wake - Date.now()), { summary: digestTimer(what, wake - Date.now()) });
        if (this.closed) return;
        if (woken) continue;
        await this.sendDue(Date.now());
      }
    };
    loop().catch((err: unknown) => log.error('digest loop failed', { error: String(err) }));
  }

  private async sendDue(now: number): Promise<void> {
    this.sending = true;
    try {
      if (this.actionAt !== null && now >= this.actionAt) await this.sendAction();
      if (min(this.reminderAt, this.escalationAt, this.deadline?.at ?? null) <= now) await this.sendWaiting(now);
      if (this.closingAt !== null && now >= this.closingAt) await this.sendClosing();
    } finally {
      this.sending = false;
    }
  }

  private nextKey(): string {
    this.round += 1;
    return `${this.keyPrefix}:${this.round}`;
  }

  private async sendAction(): Promise<void> {
    const userIds = [...this.pendingAction].sort((a, b) => a - b);
    const newItems = [...this.pendingNewItems].sort((a, b) => a - b);
    this.pendingAction.clear();
    this.pendingNewItems.clear();
    this.action = null;
    for (const id of userIds) this.announced.add(id);
    const { input, workflowId } = this.batch;
    await deliver(() =>
      digests.sendActionDigests({ batchId: input.batchId, workflowId, key: this.nextKey(), requestedBy: input.requestedBy, userIds, newItems, effectiveAt: input.effectiveAt }),
    );
    this.reminderAt ??= Date.now() + this.batch.policy.reminderIntervalMs;
  }

  /** Everyone announced and still waiting, as the rows say (the activity asks the database). */
  private waiting(): WaitingPerson[] {
    const out: WaitingPerson[] = [];
    for (const r of this.batch.rows.values()) {
      if (r.stage === 'awaiting-reassignment' && r.waitingSince !== null && this.announced.has(r.userId)) out.push({ userId: r.userId, since: r.waitingSince });
    }
    return out;
  }

  private async sendWaiting(now: number): Promise<void> {
    const { policy, input, workflowId } = this.batch;
    const waiting = this.waiting();
    const remindNow = this.reminderAt !== null && now >= this.reminderAt;
    // Reminded: whoever has waited a whole interval; the next reminder is an interval away.
    const remind = remindNow ? waiting.filter((w) => Date.parse(w.since) + policy.reminderIntervalMs <= now) : [];
    const escalateNow = this.escalationAt !== null && now >= this.escalationAt;
    // Those announced in one round cross within ACTION_MAX_MS of each other: they escalate together.
    const escalate = escalateNow
      ? waiting.filter((w) => !this.escalated.has(w.userId) && Date.parse(w.since) + policy.escalateAfterMs <= now + ACTION_MAX_MS)
      : [];
    for (const w of escalate) this.escalated.add(w.userId);
    if (escalate.length > 0) this.lastEscalation = now;
    const deadline = this.deadline?.due(waiting, now) ?? [];
    if (remindNow) this.reminderAt = waiting.length > 0 ? now + policy.reminderIntervalMs : null;
    this.escalationAt = this.notBeforeNextEscalation(
      waiting.filter((w) => !this.escalated.has(w.userId)).reduce<number | null>((soonest, w) => min(soonest, Date.parse(w.since) + policy.escalateAfterMs), null),
    );
    if (remind.length === 0 && escalate.length === 0 && deadline.length === 0) return;
    if (remind.length > 0) this.reminderRound += 1;
    // The batch's status and pages count each person's reminders, as their own workflow did before.
    for (const w of remind) {
      const row = this.batch.rows.get(w.userId);
      if (row) this.batch.rows.set(w.userId, { ...row, remindersSent: row.remindersSent + 1 });
    }
    const round = this.reminderRound;
    await deliver(() =>
      digests.sendWaitingDigests({
        batchId: input.batchId,
        workflowId,
        key: this.nextKey(),
        requestedBy: input.requestedBy,
        waiting: remind,
        round,
        escalate,
        ...(deadline.length > 0 ? { deadline } : {}),
      }),
    );
  }

  private async sendClosing(): Promise<void> {
    const userIds = [...this.pendingClosing].sort((a, b) => a - b);
    this.pendingClosing.clear();
    this.closing = null;
    if (userIds.length === 0) return;
    const { input, workflowId } = this.batch;
    await deliver(() => digests.sendClosingDigests({ batchId: input.batchId, workflowId, key: this.nextKey(), requestedBy: input.requestedBy, userIds }));
  }

  /** No round is being sent (continue-as-new and the end wait for it). */
  async idle(): Promise<void> {
    await condition(() => !this.sending);
  }

  /** The batch ends: the loop stops, and what ended since the last round is told now. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    this.sending = true;
    try {
      await this.sendClosing();
    } finally {
      this.sending = false;
    }
  }

  carryOver(): DigestsCarryOver {
    return {
      round: this.round,
      reminderRound: this.reminderRound,
      announced: [...this.announced].filter((id) => !isFinal(this.batch.rows.get(id)?.stage ?? 'failed')),
      escalated: [...this.escalated].filter((id) => !isFinal(this.batch.rows.get(id)?.stage ?? 'failed')),
      pendingAction: [...this.pendingAction],
      pendingNewItems: [...this.pendingNewItems],
      pendingClosing: [...this.pendingClosing],
      action: this.action,
      closing: this.closing,
      reminderAt: this.reminderAt,
      escalationAt: this.escalationAt,
      lastEscalation: this.lastEscalation,
      ...(this.deadline ? { deadline: this.deadline.carryOver((id) => !isFinal(this.batch.rows.get(id)?.stage ?? 'failed')) } : {}),
    };
  }
}

/** One round, repeated with a durable pause while it fails (the outbox keeps each email exactly-once). */
async function deliver(send: () => Promise<DigestsResult>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (err) {
      log.warn('digest round failed', { attempt, error: String(err) });
      if (attempt >= EMAIL_MAX_ROUNDS) return;
      await sleep(EMAIL_ROUND_PAUSE_MS);
    }
  }
}
