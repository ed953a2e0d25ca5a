// The identity-provider intake (SCIM): one workflow per connection gathers the deactivations that
// arrive within a collection window into one batch, so a layoff of 214 people is one batch page, not
// 214. Its input, the requests it is sent, and what it answers.
import type { OffboardingPolicy } from './policy';

/** A batch gathers at most this many people; the window closes early when it is full. */
export const MAX_INTAKE_BATCH = 1_000;
/** The collection window when the setting is not given (OFFBOARDING_INTAKE_WINDOW_SECONDS). */
export const DEFAULT_INTAKE_WINDOW_MS = 60_000;
/** Request IDs remembered (and carried over continue-as-new) to recognise a repeated request. */
export const INTAKE_REMEMBERED_REQUESTS = 10_000;
/** Batches remembered with their users, so a rescind that races a batch's validation still finds it. */
export const INTAKE_REMEMBERED_BATCHES = 3;

/** `identity-intake-<connectionId>`: one intake per connection (no personal data in the ID). */
export const intakeWorkflowId = (connectionId: number) => `identity-intake-${connectionId}`;

/**
 * How the connection's batches run, sent with every request so the latest word of the connection
 * (its policy, its admin, the window setting) applies to the next batch.
 */
export type IntakeSettings = {
  /** The company directory admin in whose name the batches run (requestedBy). */
  adminUserId: number;
  /** The company the connection's people belong to: others are rejected by the batch. */
  company: string;
  reason: string;
  policy: Partial<OffboardingPolicy>;
  /** 'manager': each person's manager takes their items over (when they can); 'none': nobody. */
  successor: 'manager' | 'none';
  /** The collection window, from the first request of a window to the batch's start. */
  windowMs: number;
};

export type IdentityIntakeInput = {
  connectionId: number;
  /** Tests and benches only: a smaller batch size (capped at MAX_INTAKE_BATCH). */
  maxBatch?: number;
};

/** One deactivation: `requestId` makes a repeated request add nobody. */
export type IntakeRequest = { userId: number; requestId: string; settings: IntakeSettings };

/** A rescinded termination, by the connection's admin. */
export type IntakeRescind = { userId: number; requestId: string; by: number };
export type IntakeRescindResult =
  /** Taken out of the window before any batch started for them. */
  | { outcome: 'dropped' }
  /** Already handed to this batch (running, or being validated). */
  | { outcome: 'in-batch'; batchId: string }
  | { outcome: 'not-queued' };

export type IntakeBatch = { batchId: string; userIds: number[] };
/** Who waits in the window, and the batch being started right now (its users are no longer queued). */
export type IntakeState = { connectionId: number; queued: number[]; starting: IntakeBatch | null; recent: IntakeBatch[] };

/** What one run hands the next (continue-as-new). */
export type IntakeCarryOver = {
  run: number;
  /** [userId, requestId] in arrival order. */
  queue: [number, string][];
  requestIds: string[];
  recent: IntakeBatch[];
  settings: IntakeSettings | null;
};

/** The activity that turns a closed window into a batch's input. */
export type PrepareIntakeBatchInput = {
  connectionId: number;
  batchId: string;
  workflowId: string;
  actorId: number;
  successor: IntakeSettings['successor'];
  /** In arrival order. */
  requests: { userId: number; requestId: string }[];
};
export type PrepareIntakeBatchResult = {
  /** Who goes into the batch (the batch's own validation still rejects unknown people, other companies…). */
  userIds: number[];
  /** userId -> successor userId: managers who can take items over. */
  successors: Record<string, number>;
  /** Already in a running offboarding: left out, so nobody is offboarded twice. */
  alreadyOffboarding: number[];
};
export type RecordIntakeDropInput = { connectionId: number; workflowId: string; actorId: number; userId: number; requestId: string; queuedRequestId: string };
