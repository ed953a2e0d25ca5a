// Inputs and outputs of the activities: the shape workflows call them with. The email activity's
// types are in notifications.ts (SendNotificationInput) with the Notification union.
import type { BatchRejection } from './batch';
import type { RefusalCode } from './refusals';
import type { ItemResolution, OpenItem } from './items';
import type { UserOffboardingResult } from './user-offboarding';

export type ValidateBatchInput = {
  batchId: string;
  workflowId: string;
  requestedBy: number;
  userIds: number[];
  /** Optional (absent in histories recorded before they were passed): checked when present. */
  effectiveAt?: string | null;
  reason?: string | null;
  /** userId -> successor userId */
  successors?: Record<string, number>;
  /** Only people of this company are accepted (absent: any company). */
  company?: string;
};
export type ValidateBatchResult = {
  /** Accepted users, claimed for this batch in `offboardings`. */
  accepted: number[];
  rejected: BatchRejection[];
  /** Active company directory admins, loaded once for the batch's own permission checks. */
  adminIds: number[];
};

export type ClaimOffboardingInput = { userId: number; batchId: string | null; workflowId: string; requestedBy: number };
export type FinishOffboardingInput = { userId: number; workflowId: string; outcome: UserOffboardingResult['outcome'] };

export type LoadPermissionsInput = { userId: number };
export type UserPermissions = {
  userId: number;
  status: 'active' | 'inactive';
  managerId: number | null;
  /** Active company directory admins. */
  adminIds: number[];
};

/** A request's actor, checked against the database at the moment of the request. */
export type AuthorizeBatchActorInput = { actorId: number };
export type AuthorizeItemsActorInput = { actorId: number; userId: number };

export type ListOpenItemsInput = { userIds: number[] };

export type ReassignItemInput = {
  requestId: string;
  itemKey: string;
  fromUserId: number;
  toUserId: number;
  actorId: number;
  workflowId: string;
};
export type CloseItemInput = {
  requestId: string;
  itemKey: string;
  userId: number;
  actorId: number;
  workflowId: string;
  note: string | null;
};
export type { ItemResolution, OpenItem };

/** Several reassignments in one transaction (each as ReassignItemInput, with its own request ID). */
export type ReassignItemsInput = { requests: ReassignItemInput[] };
/** What went, and what was refused (each with the refusal's code and sentence); nothing else is written. */
export type ReassignItemsResult = { took: ItemResolution[]; notTaken: { itemKey: string; code: RefusalCode; message: string }[] };

/** The start of a user's offboarding: the permissions, the claim and the open items, in one activity. */
export type BeginOffboardingInput = ClaimOffboardingInput & {
  /**
   * 'complete-when-clear': nothing would make this run wait once the scan finds nothing open (no
   * effective date ahead, no stop asked for), so the begin inactivates the user and ends the claim in
   * its own transaction when the scan finds nothing — completeOffboarding's work, with its checks.
   */
  completeIfClear?: InactivateUserInput;
};
export type BeginOffboardingResult = {
  permissions: UserPermissions;
  /** The open items, scanned once the claim is taken; empty when the user was already inactive (no claim then). */
  items: OpenItem[];
  /**
   * The inactivation, when completeIfClear was asked for and nothing was open: the claim has ended
   * with it. Absent when something was open, or the inactivation refused (completeOffboarding then
   * gives the refusal, as it would have without completeIfClear).
   */
  completed?: InactivateUserResult;
};

export type InactivateUserInput = {
  userId: number;
  actorId: number;
  reason: string | null;
  workflowId: string;
  /** Inactivate even with open items (explicit policy); they are recorded and left as they are. */
  force: boolean;
};
export type InactivateUserResult = { inactivatedAt: string; itemsLeftOpen: OpenItem[]; alreadyDone: boolean };

export type ReactivateUserInput = { userId: number; actorId: number; reason: string | null; workflowId: string; requestId: string };
export type ReactivateUserResult = { reactivatedAt: string; alreadyDone: boolean };

/** Ends the claims of users who never started (removed or cancelled while queued, or not startable), set-based. */
export type ReleaseOffboardingsInput = { batchId: string; userIds: number[]; outcome: 'removed' | 'cancelled' | 'failed' };
