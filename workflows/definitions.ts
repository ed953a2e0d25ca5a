// The contract shared by workflows/, activities/ and client/: message definitions, search-attribute
// keys, inputs, results and the open-item model. Nothing here has side effects, so it is safe in the
// workflow bundle.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { RefusalCode } from './refusals';
import type { TextRule } from './text';

// ---------------------------------------------------------------------------------------------
// Open items

export const TOOLS = ['rfi', 'submittal', 'observation', 'meeting-item', 'inspection', 'defect', 'timecard'] as const;
export type Tool = (typeof TOOLS)[number];

/** The roles in which a user is responsible for an item, per tool (DESIGN.md's table). */
export const ROLES_BY_TOOL = {
  rfi: ['manager', 'assignee'],
  submittal: ['manager', 'approver'],
  observation: ['assignee'],
  'meeting-item': ['assignee'],
  inspection: ['point-of-contact'],
  defect: ['assigned-to'],
  timecard: ['employee'],
} as const satisfies Record<Tool, readonly string[]>;
export type Role = (typeof ROLES_BY_TOOL)[Tool][number];
/** `<tool>:<role>`: one kind of responsibility; domain/tool-roles.ts maps each to its tables. */
export type ToolRole = { [T in Tool]: `${T}:${(typeof ROLES_BY_TOOL)[T][number]}` }[Tool];
/** Every tool:role, in the order items are listed (tool, then role). */
export const TOOL_ROLES = TOOLS.flatMap((tool) => ROLES_BY_TOOL[tool].map((role) => `${tool}:${role}`)) as ToolRole[];

export const TOOL_LABELS: Record<Tool, string> = {
  rfi: 'RFIs',
  submittal: 'Submittals',
  observation: 'Observations',
  'meeting-item': 'Meeting items',
  inspection: 'Inspections',
  defect: 'Defect (punch) list items',
  timecard: 'Timecards',
};

/** How a person is responsible for an item, in the words of the emails and pages. */
export const ROLE_LABELS: Record<Role, string> = {
  manager: 'manager',
  assignee: 'assignee',
  approver: 'approver (response pending)',
  'point-of-contact': 'point of contact',
  'assigned-to': 'assigned to',
  employee: 'final timecard entry missing',
};

/**
 * One open item a user is responsible for. Key: `<tool>:<id>:<role>`, stable across scans.
 * For timecards the id is the employee's user ID (the item is "their final entry is missing").
 */
export type OpenItem = {
  key: string;
  tool: Tool;
  role: Role;
  itemId: number;
  projectId: number | null;
  projectName: string | null;
  number: string;
  title: string;
  status: string;
  userId: number;
};

export type ItemKey = { tool: Tool; itemId: number; role: Role };

const ITEM_KEY = /^([a-z-]+):([1-9][0-9]{0,9}):([a-z-]+)$/;

/** Parses `rfi:42:assignee`; returns undefined for anything malformed (unknown tool, role, id). */
export function parseItemKey(key: unknown): ItemKey | undefined {
  if (typeof key !== 'string' || key.length > 64) return undefined;
  const m = ITEM_KEY.exec(key);
  if (!m) return undefined;
  const tool = m[1] as Tool;
  const role = m[3] as Role;
  if (!(TOOLS as readonly string[]).includes(tool)) return undefined;
  if (!(ROLES_BY_TOOL[tool] as readonly string[]).includes(role)) return undefined;
  const itemId = Number(m[2]);
  if (!Number.isSafeInteger(itemId) || itemId > 2_147_483_647) return undefined;
  return { tool, itemId, role };
}

export function formatItemKey(k: ItemKey): string {
  return `${k.tool}:${k.itemId}:${k.role}`;
}

export type ResolutionAction = 'reassigned' | 'closed' | 'final-timecard-recorded';

/** What happened to one item, by whom and when (ISO time from the database). */
export type ItemResolution = {
  itemKey: string;
  tool: Tool;
  title: string;
  projectName: string | null;
  action: ResolutionAction;
  fromUserId: number;
  toUserId: number | null;
  byUserId: number;
  at: string;
  note: string | null;
  requestId: string;
};

// ---------------------------------------------------------------------------------------------
// Limits and policy

export const MAX_BATCH_SIZE = 10_000;
/** How far ahead an effective date may be: a batch waits for it, and a wait of years is a typo. */
export const MAX_EFFECTIVE_DELAY_DAYS = 365;
export const MAX_NOTE_LENGTH = 2_000;
export const MAX_REASON_LENGTH = 500;
/** A note may run over several lines; a reason is one line (workflows/text.ts counts and checks). */
export const NOTE_RULE: TextRule = { what: 'The note', max: MAX_NOTE_LENGTH, lineBreaks: true };
export const REASON_RULE: TextRule = { what: 'The reason', max: MAX_REASON_LENGTH, lineBreaks: false };

export const DEADLINE_ACTIONS = ['escalate-only', 'reassign-to-manager'] as const;
export type DeadlineAction = (typeof DEADLINE_ACTIONS)[number];

/** Durations are milliseconds (validated at the edge). */
export type OffboardingPolicy = {
  reminderIntervalMs: number;
  escalateAfterMs: number;
  deadlineMs: number | null;
  deadlineAction: DeadlineAction;
  /** Domain rule 2's explicit exception: inactivate even with open items (they stay as they are). */
  inactivateWithOpenItems: boolean;
};

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_POLICY: OffboardingPolicy = {
  reminderIntervalMs: 2 * DAY_MS,
  escalateAfterMs: 7 * DAY_MS,
  deadlineMs: null,
  deadlineAction: 'escalate-only',
  inactivateWithOpenItems: false,
};

// ---------------------------------------------------------------------------------------------
// Stages and search attributes (registered by npm start, the tests and docker-compose)

export const USER_STAGES = [
  'validating',
  'awaiting-reassignment',
  'waiting-effective-date',
  'inactivating',
  'inactivated',
  'removed',
  'cancelled',
  'failed',
] as const;
export type UserStage = (typeof USER_STAGES)[number];
export const FINAL_STAGES: readonly UserStage[] = ['inactivated', 'removed', 'cancelled', 'failed'];

export const searchAttributes = {
  stage: defineSearchAttributeKey('OffboardingStage', SearchAttributeType.KEYWORD),
  batchId: defineSearchAttributeKey('OffboardingBatchId', SearchAttributeType.KEYWORD),
  userId: defineSearchAttributeKey('OffboardingUserId', SearchAttributeType.INT),
  openItems: defineSearchAttributeKey('OffboardingOpenItems', SearchAttributeType.INT),
  waitingSince: defineSearchAttributeKey('OffboardingWaitingSince', SearchAttributeType.DATETIME),
};

/** Name and Temporal CLI type of every custom search attribute — the one list everything registers. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: readonly { name: string; type: 'Keyword' | 'Int' | 'Datetime' }[] = [
  { name: 'OffboardingStage', type: 'Keyword' },
  { name: 'OffboardingBatchId', type: 'Keyword' },
  { name: 'OffboardingUserId', type: 'Int' },
  { name: 'OffboardingOpenItems', type: 'Int' },
  { name: 'OffboardingWaitingSince', type: 'Datetime' },
];

export const batchWorkflowId = (batchId: string) => `offboarding-batch-${batchId}`;
export const userWorkflowId = (userId: number) => `offboarding-user-${userId}`;
export const reactivationWorkflowId = (userId: number, requestId: string) => `reactivation-user-${userId}-${requestId}`;

export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// ---------------------------------------------------------------------------------------------
// Per-user workflow

export type UserOffboardingInput = {
  userId: number;
  requestedBy: number;
  batchId: string | null;
  reason: string | null;
  /** ISO date-time; inactivation waits for it. */
  effectiveAt: string | null;
  successorId: number | null;
  policy: OffboardingPolicy;
};

export type UserOffboardingResult = {
  userId: number;
  outcome: 'inactivated' | 'removed' | 'cancelled' | 'failed';
  inactivatedAt: string | null;
  resolutions: ItemResolution[];
  /** Items left open when inactivated by explicit policy, or at removal/cancellation. */
  itemsLeftOpen: OpenItem[];
  reason: string | null;
};

export type UserOffboardingStatus = {
  userId: number;
  batchId: string | null;
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

export const userStatusQuery = defineQuery<UserOffboardingStatus>('userStatus');
export const reassignItemUpdate = defineUpdate<OpenItem[], [ReassignItemRequest]>('reassignItem');
export const closeItemUpdate = defineUpdate<OpenItem[], [CloseItemRequest]>('closeItem');
/** "I handled everything in the tools": the workflow re-scans the database. */
export const reassignmentDoneSignal = defineSignal<[ActorRequest]>('reassignmentDone');
/** The same, answered with what is still open after the re-scan. */
export const reassignmentDoneUpdate = defineUpdate<OpenItem[], [ActorRequest]>('confirmReassignmentDone');

/** Sent by the batch to stop one user's offboarding; the user workflow decides if it still can. */
export type StopRequest = { kind: 'removed' | 'cancelled'; by: number };
export const stopSignal = defineSignal<[StopRequest]>('stop');

// ---------------------------------------------------------------------------------------------
// Batch workflow

export type OffboardingBatchInput = {
  batchId: string;
  userIds: number[];
  requestedBy: number;
  reason: string | null;
  effectiveAt: string | null;
  /** userId -> successor userId */
  successors: Record<string, number>;
  policy: Partial<OffboardingPolicy>;
  /** Optional overrides of the batch's sliding window and continue-as-new threshold (tests, tuning). */
  tuning?: { window?: number; continueAsNewAtEvents?: number };
};

export type BatchRejection = { userId: number; code: RefusalCode; message: string };

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
export const batchStatusQuery = defineQuery<BatchStatus, [BatchStatusRequest?]>('batchStatus');
export const removeUserUpdate = defineUpdate<BatchComposition, [RemoveUserRequest]>('removeUser');
export const cancelBatchUpdate = defineUpdate<BatchComposition, [ActorRequest]>('cancelBatch');
export const cancelBatchSignal = defineSignal<[ActorRequest]>('cancel');
/**
 * Validators answer from the permissions a workflow loaded; this reloads them from the database
 * (someone made admin or manager since). Harmless for anyone to send: it only reads.
 */
export const refreshPermissionsUpdate = defineUpdate<void, []>('refreshPermissions');
export const userProgressSignal = defineSignal<[UserProgress]>('userProgress');

// ---------------------------------------------------------------------------------------------
// Reactivation workflow

export type UserReactivationInput = { userId: number; by: number; reason: string | null; requestId: string };
export type UserReactivationResult = { userId: number; reactivatedAt: string };

// ---------------------------------------------------------------------------------------------
// Notifications: workflows say what happened (IDs and items); the email activity looks up people
// and renders. `idempotencyKey` makes the send exactly-once.

/** An item a successor could not take over, and the refusal that said why. */
export type ItemNotTaken = { item: OpenItem; code: RefusalCode; message: string };

export type Notification =
  | {
      kind: 'items-assigned';
      userId: number;
      requestedBy: number;
      batchId: string | null;
      effectiveAt: string | null;
      items: OpenItem[];
      /** True when the items appeared after an earlier notice (re-scan found new ones). */
      newSinceLastNotice: boolean;
      /** The successor, and what they took and could not take (absent before successors were reported). */
      successor?: { userId: number; took: ItemResolution[]; notTaken: ItemNotTaken[] } | null;
    }
  /** To whoever was asked to act: the offboarding stopped, nothing more is needed. */
  | { kind: 'offboarding-stopped'; userId: number; requestedBy: number; batchId: string | null; outcome: 'removed' | 'cancelled'; by: number | null; itemsLeft: OpenItem[] }
  /** To someone who now owns items of the leaving user: what, from whom, handed over by whom. */
  | { kind: 'items-received'; userId: number; requestedBy: number; batchId: string | null; recipientId: number; received: ItemResolution[] }
  | { kind: 'reminder'; userId: number; requestedBy: number; batchId: string | null; items: OpenItem[]; waitingSince: string; reminderNumber: number }
  | { kind: 'escalation'; userId: number; requestedBy: number; batchId: string | null; items: OpenItem[]; waitingSince: string; reason: 'escalate-after' | 'deadline' }
  | { kind: 'inactivated'; userId: number; requestedBy: number; batchId: string | null; inactivatedAt: string; resolutions: ItemResolution[]; itemsLeftOpen: OpenItem[] }
  | { kind: 'batch-summary'; batchId: string; requestedBy: number; summary: BatchSummary }
  | { kind: 'reactivated'; userId: number; by: number; reason: string | null };

export type NotificationKind = Notification['kind'];

export type SendNotificationInput = { idempotencyKey: string; workflowId: string; notification: Notification };
export type SendNotificationResult = { status: 'sent' | 'already-sent' | 'written-to-outbox-dir' | 'no-recipients'; messageId: string | null; recipients: string[] };
