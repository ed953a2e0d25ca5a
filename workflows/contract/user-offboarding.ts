// The per-user workflow's input, result and status (what its status query answers).
import type { ItemResolution, OpenItem } from './items';
import type { UserProgress } from './batch';
import type { ItemNotTaken } from './notifications';
import type { OffboardingPolicy } from './policy';
import type { UserStage } from './stages';

export type UserOffboardingInput = {
  userId: number;
  requestedBy: number;
  batchId: string | null;
  reason: string | null;
  /** ISO date-time; inactivation waits for it. */
  effectiveAt: string | null;
  successorId: number | null;
  policy: OffboardingPolicy;
  /**
   * Set by a batch under 'batch-digests' (issue 25): the batch tells managers, admins and new owners
   * in digests, so this workflow sends no "Action needed", reminder, escalation, receipt or
   * "was inactivated" email of its own. Absent in histories recorded before.
   */
  digests?: boolean;
  /**
   * Set by a batch under 'deadline-digest': at the deadline this workflow still does the deadline's
   * action, but the admins hear of everyone past the deadline in the batch's escalation digest, not
   * one email per person. Absent in histories recorded before.
   */
  deadlineInDigest?: boolean;
  /**
   * Set by a batch under 'report-by-result': the final report travels in this workflow's result,
   * which reaches the batch run that started it anyway, instead of in a signal of its own (one
   * message per person less for the batch). Until the batch says otherwise (reportBySignalSignal,
   * before it continues as new). Absent in histories recorded before.
   */
  reportByResult?: boolean;
};

export type UserOffboardingResult = {
  userId: number;
  outcome: 'inactivated' | 'removed' | 'cancelled' | 'failed';
  inactivatedAt: string | null;
  resolutions: ItemResolution[];
  /** Items left open when inactivated by explicit policy, or at removal/cancellation. */
  itemsLeftOpen: OpenItem[];
  reason: string | null;
  /** The final report for the batch, when it travels here instead of in a signal (reportByResult). */
  report?: UserProgress;
};

export type UserOffboardingStatus = {
  userId: number;
  batchId: string | null;
  /** From the input, for pages that say what happens next (absent in answers of older workers). */
  requestedBy?: number;
  effectiveAt?: string | null;
  stage: UserStage;
  pendingItems: OpenItem[];
  resolutions: ItemResolution[];
  waitingSince: string | null;
  remindersSent: number;
  escalated: boolean;
  /** Failed delivery rounds so far (each a few SMTP attempts); the outbox has the details. */
  emailFailures: number;
  /** Notifications not yet delivered (still being tried). */
  emailsPending: number;
  result: UserOffboardingResult | null;
};

export type ReassignItemRequest = { itemKey: string; toUserId: number; by: number };
export type CloseItemRequest = { itemKey: string; by: number; note?: string | null };
export type ActorRequest = { by: number };

/**
 * "Hand everything over to one person": every pending item among `itemKeys` (the ones the client
 * found `toUserId` may take; absent: every pending item that may be handed over) goes to `toUserId`
 * in one update. The update ID makes a repeated request act once.
 */
export type HandOverAllRequest = { toUserId: number; by: number; itemKeys?: string[] };
export type HandOverAllAnswer = {
  /** What the new person took, in the order the items were pending. */
  took: ItemResolution[];
  /** Items asked for that the reassignment refused (handled meanwhile, the project changed, …), with why. */
  notTaken: ItemNotTaken[];
  /** Keys asked for that were no longer pending when the update ran. */
  notPending: string[];
  pendingItems: OpenItem[];
};

export type StopRequest = { kind: 'removed' | 'cancelled'; by: number };
