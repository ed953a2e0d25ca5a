// A batch's digests (issue 25): what its workflow asks the digest activities to send, and the
// emails those activities build from the database. A manager hears once per round about every
// leaving person of theirs, not once per person; whoever receives items hears once per round too.
import type { ItemResolution, OpenItem } from './items';

/** One person in a digest that asks to act: their open items now, and since when they wait. */
export type DigestPerson = {
  userId: number;
  /** offboardings.id of the running offboarding: the personal link is bound to it. */
  offboardingId: number;
  items: OpenItem[];
  waitingSince: string | null;
  /** Listed before, and items appeared since (a re-check found new ones). */
  newItems: boolean;
  /** Escalations: the batch's deadline passed with these items still open (absent: not past it). */
  pastDeadline?: boolean;
};

/** The digests that ask someone to act, and the one that tells what ended. */
export type DigestNotification =
  | {
      kind: 'action-needed-digest' | 'reminder-digest' | 'escalation-digest';
      batchId: string;
      requestedBy: number;
      /** The natural recipient: the manager (action, reminder) or one admin (escalation); null: nobody reachable manages them. */
      recipientId: number | null;
      effectiveAt: string | null;
      /** Reminders: the batch's reminder round. */
      round: number;
      people: DigestPerson[];
    }
  | {
      kind: 'inactivated-digest';
      batchId: string;
      requestedBy: number;
      recipientId: number;
      people: { userId: number; inactivatedAt: string; handedOver: number; closed: number; leftOpen: number }[];
    }
  | { kind: 'items-received-digest'; batchId: string; requestedBy: number; recipientId: number; received: ItemResolution[] };

export type DigestKind = DigestNotification['kind'];
export const DIGEST_KINDS: readonly DigestKind[] = ['action-needed-digest', 'reminder-digest', 'escalation-digest', 'inactivated-digest', 'items-received-digest'];

type DigestRound = {
  batchId: string;
  /** The batch's workflow ID: the outbox rows and the audit say who sent them. */
  workflowId: string;
  /** Fixed by the round's place in the batch: `<key>:<kind>:<recipient>` is each email's idempotency key. */
  key: string;
  requestedBy: number;
};

/** "Action needed" for people who started waiting (or have new items) since the last round. */
export type ActionDigestsInput = DigestRound & { userIds: number[]; newItems: number[]; effectiveAt: string | null };
/** A person waiting for their items, since when (as the batch heard it from their workflow). */
export type WaitingPerson = { userId: number; since: string };
/** Who still waits; the activity keeps those the database says still wait, with their items now. */
export type WaitingDigestsInput = DigestRound & {
  /** Reminded this round (empty when the round only escalates). */
  waiting: WaitingPerson[];
  /** Reminder round number. */
  round: number;
  /** To escalate this round: waited past the escalation time, not escalated before. */
  escalate: WaitingPerson[];
  /** To escalate this round because the batch's deadline passed with items open ('deadline-digest'). */
  deadline?: WaitingPerson[];
};
/** Users whose offboarding ended since the last round: their managers and the new owners of their items. */
export type ClosingDigestsInput = DigestRound & { userIds: number[] };
export type DigestsResult = { emails: number };
