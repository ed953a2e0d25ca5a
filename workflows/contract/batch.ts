// The batch workflow's input, status (answered a page at a time), summary, and the reports its
// children send it.
import type { OffboardingPolicy } from './policy';
import type { RefusalCode } from './refusals';
import type { UserStage } from './stages';

export type OffboardingBatchInput = {
  batchId: string;
  userIds: number[];
  requestedBy: number;
  reason: string | null;
  effectiveAt: string | null;
  /** userId -> successor userId */
  successors: Record<string, number>;
  policy: Partial<OffboardingPolicy>;
  /** Only people of this company (users.company) are taken on; others are rejected (an identity provider's batches). */
  company?: string;
  /** Optional overrides of the batch's sliding window and continue-as-new threshold (tests, tuning). */
  tuning?: { window?: number; continueAsNewAtEvents?: number };
};

/** Why a named person is not taken into a batch (batch validation's verdicts; each front end words them). */
export const BATCH_REJECTION_CODES = [
  'INVALID_INPUT',
  'DUPLICATE_USER',
  'USER_NOT_FOUND',
  'REQUESTER_IN_BATCH',
  'USER_ALREADY_INACTIVE',
  'ALREADY_IN_OFFBOARDING',
] as const satisfies readonly RefusalCode[];
export type BatchRejectionCode = (typeof BATCH_REJECTION_CODES)[number];

export type BatchRejection = { userId: number; code: BatchRejectionCode; message: string };

export type BatchUserRow = {
  userId: number;
  stage: UserStage | 'queued';
  openItems: number;
  waitingSince: string | null;
  remindersSent: number;
  result: string | null;
};

export type BatchStatus = {
  batchId: string;
  requestedBy: number;
  phase: 'validating' | 'running' | 'finished';
  total: number;
  counts: Record<UserStage | 'queued', number>;
  /** One page of users (BATCH_STATUS_PAGE at most), starting at `usersOffset`; `total` counts all. */
  users: BatchUserRow[];
  usersOffset: number;
  rejected: BatchRejection[];
  /** Run number after continue-as-new (1 for the first run). */
  run: number;
};

export type BatchSummary = {
  batchId: string;
  requestedBy: number;
  inactivated: number[];
  removed: number[];
  cancelled: number[];
  failed: { userId: number; reason: string }[];
  rejected: BatchRejection[];
};

/** A child's report to its batch: every stage change, and the final result. */
export type UserProgress = {
  /** Increases with every report: external signals may arrive out of order, older ones are dropped. */
  seq: number;
  userId: number;
  stage: UserStage;
  openItems: number;
  waitingSince: string | null;
  remindersSent: number;
  result: string | null;
};

export type RemoveUserRequest = { userId: number; by: number };
export type BatchComposition = { batchId: string; userIds: number[]; removed: number[] };

export const BATCH_STATUS_PAGE = 2_000;
/**
 * Workflow task timeout for a batch (the default is 10 s). A worker that lost the batch from its
 * cache replays the current run from its first event: measured 4.7 s for a 4,407-event run on a quiet
 * 2-core machine and 10.4 s under load (BENCHMARKS.md), so the default would time such a task out
 * and make the next attempt replay again. Continue-as-new carries it to every run.
 */
export const BATCH_WORKFLOW_TASK_TIMEOUT = '60s';
export type BatchStatusRequest = { offset?: number; limit?: number };
