// What may be handed over, and to whom: THE rule, in one place. An item may go to someone else unless
// it is a timecard (its final entry is recorded, never handed over); a person may take it when they
// exist, are not the one leaving, are active, are a member of the item's project, are not being
// offboarded themselves, and can be told (have an email address: an item handed to someone nobody
// can tell is orphaned again). The directory permission is not part of it: it governs the Directory
// tool, not the items of the other tools.
//
// Pure, so every side asks the same function: the reassignment activity (the last word, on facts it
// reads under lock), the people the web page and the CLI offer, the batch's successor check (the
// person part), the workflow's own hand-over, and the emails that say why an item stayed.
import type { OpenItem } from './items';
import type { RefusalCode } from './refusals';

/** Why an item of this kind is never handed over, in the words of the emails and pages. */
export const TIMECARD_NOT_HANDED_OVER = 'a final timecard entry is recorded, not handed over';

/** Whether an item of this kind may be handed over at all (whoever would take it). */
export const mayBeHandedOver = (item: Pick<OpenItem, 'tool'>): boolean => item.tool !== 'timecard';

/** What the rule needs to know about one candidate (read from the database by domain/). */
export type HandOverCandidate = {
  userId: number;
  status: 'active' | 'inactive';
  email: string | null;
  /** Member of the item's project. */
  isMember: boolean;
  /** The workflow of the open offboarding claim the candidate holds, if any. */
  offboardingWorkflowId: string | null;
};

export type Ineligibility =
  | 'TARGET_NOT_FOUND'
  | 'TARGET_SAME_USER'
  | 'TARGET_INACTIVE'
  | 'TARGET_NOT_PROJECT_MEMBER'
  | 'TARGET_BEING_OFFBOARDED'
  | 'TARGET_NO_EMAIL';

/** The part of the rule that holds whatever the item: active, staying, and can be told. */
export function whyPersonIneligible(
  candidate: Pick<HandOverCandidate, 'status' | 'email' | 'offboardingWorkflowId'> | undefined,
): Extract<Ineligibility, 'TARGET_NOT_FOUND' | 'TARGET_INACTIVE' | 'TARGET_BEING_OFFBOARDED' | 'TARGET_NO_EMAIL'> | null {
  if (!candidate) return 'TARGET_NOT_FOUND';
  if (candidate.status !== 'active') return 'TARGET_INACTIVE';
  if (candidate.offboardingWorkflowId !== null) return 'TARGET_BEING_OFFBOARDED';
  if (candidate.email === null || candidate.email.trim() === '') return 'TARGET_NO_EMAIL';
  return null;
}

/** Why `candidate` may not take over an item of `fromUserId` on the item's project, or null when they may. */
export function whyIneligible(candidate: HandOverCandidate | undefined, fromUserId: number): Ineligibility | null {
  if (!candidate) return 'TARGET_NOT_FOUND';
  if (candidate.userId === fromUserId) return 'TARGET_SAME_USER';
  if (candidate.status !== 'active') return 'TARGET_INACTIVE';
  if (!candidate.isMember) return 'TARGET_NOT_PROJECT_MEMBER';
  return whyPersonIneligible(candidate);
}

/**
 * The whole rule: why `item` of `fromUserId` may not go to `candidate`, or null when it may. A
 * timecard is refused as INVALID_INPUT whoever the candidate is (their facts need not be read).
 */
export function handOverRefusal(
  item: Pick<OpenItem, 'tool'>,
  candidate: HandOverCandidate | undefined,
  fromUserId: number,
): Ineligibility | 'INVALID_INPUT' | null {
  if (!mayBeHandedOver(item)) return 'INVALID_INPUT';
  return whyIneligible(candidate, fromUserId);
}

/** The people who pass the rule on each project (domain/assignee-eligibility.ts reads them). */
export type EligibleByProject<P extends { id: number }> = ReadonlyMap<number, readonly P[]>;

/** Everyone who may take `item` over, given the people who pass the rule on each project. */
export function takersOf<P extends { id: number }>(item: Pick<OpenItem, 'tool' | 'projectId'>, eligible: EligibleByProject<P>): readonly P[] {
  if (!mayBeHandedOver(item) || item.projectId === null) return [];
  return eligible.get(item.projectId) ?? [];
}

/** Whether `personId` may take `item` over, given the people who pass the rule on each project. */
export function mayTake(item: Pick<OpenItem, 'tool' | 'projectId'>, personId: number, eligible: EligibleByProject<{ id: number }>): boolean {
  return takersOf(item, eligible).some((p) => p.id === personId);
}

/**
 * Refusals about one item (it changed meanwhile, or is not the new person's to take): when handing
 * many over, the others still go. Any other refusal (the actor or the new person) holds for them all.
 */
export const ITEM_REFUSALS: ReadonlySet<RefusalCode> = new Set<RefusalCode>([
  'ITEM_NOT_FOUND',
  'ITEM_NOT_PENDING',
  'ITEM_NOT_OPEN',
  'ITEM_NOT_HELD_BY_USER',
  'TARGET_NOT_PROJECT_MEMBER',
]);
