// The batch's deadline escalations ('deadline-digest', issue 25): each person's workflow does the
// deadline's action itself (their items to their manager, where allowed) and sends nothing; the batch
// waits DEADLINE_SETTLE_MS past a person's deadline for that hand-over, then names everyone still
// waiting in the admins' escalation digest, once each. Deadlines within ACTION_MAX_MS of each other go
// in one round, as people announced together do.
import type { WaitingPerson } from '../contract';
import { ACTION_MAX_MS, DEADLINE_SETTLE_MS, min } from './digest-timing';

export type DeadlineCarryOver = { at: number | null; done: number[] };

export class DeadlineRounds {
  /** When the next deadline round is due (null: nobody's deadline is ahead). */
  at: number | null;
  /** Told of as past the deadline (each once). */
  private readonly done: Set<number>;

  constructor(
    private readonly deadlineMs: number | null,
    carried: DeadlineCarryOver | undefined,
  ) {
    this.at = carried?.at ?? null;
    this.done = new Set(carried?.done ?? []);
  }

  private roundOf(since: string): number | null {
    return this.deadlineMs === null ? null : Date.parse(since) + this.deadlineMs + DEADLINE_SETTLE_MS;
  }

  /** `userId` waits since `since`: their deadline round is due then, unless told of already. */
  waiting(userId: number, since: string): void {
    const due = this.roundOf(since);
    if (due !== null && !this.done.has(userId)) this.at = min(this.at, due);
  }

  /** Who is past the deadline this round (each once), and when the next round is. */
  due(waiting: WaitingPerson[], now: number): WaitingPerson[] {
    if (this.at === null || now < this.at) return [];
    const roundOf = (w: WaitingPerson) => this.roundOf(w.since) ?? Infinity;
    const told = waiting.filter((w) => !this.done.has(w.userId) && roundOf(w) <= now + ACTION_MAX_MS);
    for (const w of told) this.done.add(w.userId);
    const next = waiting.filter((w) => !this.done.has(w.userId)).reduce<number | null>((soonest, w) => min(soonest, roundOf(w)), null);
    this.at = next === Infinity ? null : next;
    return told;
  }

  /** What the next run carries: those told of who still run. */
  carryOver(running: (userId: number) => boolean): DeadlineCarryOver {
    return { at: this.at, done: [...this.done].filter(running) };
  }
}
