// The activities over a small in-memory directory, for workflow tests about timing, ordering and
// messages (and the scale test's engine-only mode), where PostgreSQL would only cost time. Typed as
// the real `OffboardingActivities`, so a changed signature fails the type check here; each refusal is
// the real one's code (non-retryable ApplicationFailure typed with it, details as the real one sends).
//
// Simplified on purpose: one holder per item key, items close as a whole (a submittal approver's
// "close" closes the key), reactivation by company admins only, and sendNotification records what
// the workflow asked to send; recipients and rendering are tested with the real activity.
import { AsyncLocalStorage } from 'node:async_hooks';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { OffboardingActivities } from '../../activities';
import type {
  CloseItemInput,
  InactivateUserInput,
  InactivateUserResult,
  ReassignItemInput,
  ReassignItemsResult,
  SendNotificationResult,
  UserPermissions,
  ValidateBatchInput,
  ValidateBatchResult,
} from '../../workflows/contract';
import {
  BATCH_ID_PATTERN,
  type BatchRejection,
  type ItemResolution,
  MAX_BATCH_SIZE,
  MAX_EFFECTIVE_DELAY_DAYS,
  NOTE_RULE,
  type Notification,
  type NotificationKind,
  type OpenItem,
  parseItemKey,
  REASON_RULE,
  type ResolutionAction,
  type Role,
  type SendNotificationInput,
  type Tool,
  TOOL_ROLES,
  type UserOffboardingResult,
  userWorkflowId,
} from '../../workflows/contract';
import { refusal, refusalOf, type RefusalCode } from '../../workflows/contract';
import { textProblem } from '../../workflows/contract';

export type ActivityName = keyof OffboardingActivities;

export type InMemoryUser = {
  id: number;
  name: string;
  status: 'active' | 'inactive';
  managerId: number | null;
  /** Company directory admin. */
  admin: boolean;
  projectIds: Set<number>;
  inactivatedAt: string | null;
  inactivationWorkflowId: string | null;
  /** What the inactivation left open, reported again to a retry of the same inactivation. */
  itemsLeftOpen: OpenItem[];
};

type StoredItem = Omit<OpenItem, 'userId' | 'status'> & { holderId: number; open: boolean };

/** One row of the `offboardings` claims: open while `outcome` is null. */
export type InMemoryClaim = {
  userId: number;
  batchId: string | null;
  workflowId: string;
  requestedBy: number;
  outcome: UserOffboardingResult['outcome'] | null;
};

/** A notification the workflow sent, stamped with the (workflow-clock) time it was scheduled. */
export type SentNotification = SendNotificationInput & { at: number };

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const isUserId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;

function refuse(code: RefusalCode, message: string, details?: unknown): never {
  throw refusal(code, message, details);
}

/** The server's clock, read at the start of a local activity (InMemoryDirectory.atStepTime). */
const localStepTime = new AsyncLocalStorage<number>();

/**
 * "Now" as the workflow saw it: the time the activity was scheduled. On the time-skipping server the
 * wall clock knows nothing of skipped days; the schedule time is the server's (skipped) clock. A
 * local activity is scheduled by the worker, on its wall clock: it reads the server's instead.
 */
function activityNow(fallback: () => number): number {
  return localStepTime.getStore() ?? asyncLocalStorage.getStore()?.info.currentAttemptScheduledTimestampMs ?? fallback();
}

export class InMemoryDirectory {
  readonly users = new Map<number, InMemoryUser>();
  readonly items = new Map<string, StoredItem>();
  /** Every claim ever taken, in order; `openClaims` indexes the open one per user. */
  readonly claims: InMemoryClaim[] = [];
  readonly openClaims = new Map<number, InMemoryClaim>();
  /** The audit of item changes, by request ID (a retried request returns what it recorded). */
  readonly resolutions = new Map<string, ItemResolution>();
  readonly reactivations = new Map<string, string>();
  /** What the workflows sent, in the order the email activity was called; one entry per idempotency key. */
  readonly outbox: SentNotification[] = [];
  /** Calls per activity, retries included. */
  readonly calls: Partial<Record<ActivityName, number>> = {};
  private nextUserId: number;
  private nextItemId = 1;
  readonly now: () => number;
  private readonly serverClock: (() => Promise<number>) | undefined;

  /** `serverClock`: the Temporal server's time (the time-skipping one's), for the local activities. */
  constructor(options: { firstUserId?: number; clock?: () => number; serverClock?: () => Promise<number> } = {}) {
    this.nextUserId = options.firstUserId ?? 1;
    this.now = () => activityNow(options.clock ?? Date.now);
    this.serverClock = options.serverClock;
  }

  /** Runs a step with "now" read from the server's clock when it runs as a local activity. */
  async atStepTime<T>(step: () => Promise<T>): Promise<T> {
    if (!this.serverClock || !asyncLocalStorage.getStore()?.info.isLocal) return step();
    return localStepTime.run(await this.serverClock(), step);
  }

  addUser(u: { id?: number; name?: string; managerId?: number | null; admin?: boolean; status?: 'active' | 'inactive'; projectIds?: number[] } = {}): number {
    const id = u.id ?? this.nextUserId++;
    this.users.set(id, {
      id,
      name: u.name ?? `User ${id}`,
      status: u.status ?? 'active',
      managerId: u.managerId ?? null,
      admin: u.admin ?? false,
      projectIds: new Set(u.projectIds ?? []),
      inactivatedAt: null,
      inactivationWorkflowId: null,
      itemsLeftOpen: [],
    });
    return id;
  }

  user(id: number): InMemoryUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`no user ${id} in the in-memory directory`);
    return u;
  }

  /** An open item held by `holderId`; returns its key (`<tool>:<id>:<role>`). */
  addItem(o: { tool: Tool; role: Role; holderId: number; projectId: number; title?: string }): string {
    const itemId = this.nextItemId++;
    const key = `${o.tool}:${itemId}:${o.role}`;
    if (!parseItemKey(key)) throw new Error(`${key} is not a valid item key`);
    this.items.set(key, {
      key,
      tool: o.tool,
      role: o.role,
      itemId,
      projectId: o.projectId,
      projectName: `Project ${o.projectId}`,
      number: `${o.tool.toUpperCase()}-${itemId}`,
      title: o.title ?? `${o.tool} ${itemId}`,
      holderId: o.holderId,
      open: true,
    });
    return key;
  }

  item(key: string): StoredItem {
    const item = this.items.get(key);
    if (!item) throw new Error(`no item ${key} in the in-memory directory`);
    return item;
  }

  openItemsOf(userIds: readonly number[]): OpenItem[] {
    const wanted = new Set(userIds);
    const order = (i: StoredItem) => TOOL_ROLES.indexOf(`${i.tool}:${i.role}` as (typeof TOOL_ROLES)[number]);
    return [...this.items.values()]
      .filter((i) => i.open && wanted.has(i.holderId))
      .sort((a, b) => a.holderId - b.holderId || order(a) - order(b) || (a.projectId ?? 0) - (b.projectId ?? 0) || a.itemId - b.itemId)
      .map(({ holderId, open: _open, ...rest }) => ({ ...rest, status: 'open', userId: holderId }));
  }

  activeAdminIds(): number[] {
    const ids: number[] = [];
    for (const u of this.users.values()) if (u.admin && u.status === 'active') ids.push(u.id);
    return ids.sort((a, b) => a - b);
  }

  /** Users the inactivation activity inactivated (not those added as inactive). */
  inactivatedUserIds(): number[] {
    return [...this.users.values()].filter((u) => u.status === 'inactive' && u.inactivatedAt !== null).map((u) => u.id);
  }

  /** What was sent about one user (batch summaries name no one user), optionally only some kinds. */
  sentAbout(userId: number, ...kinds: NotificationKind[]): SentNotification[] {
    return this.outbox.filter(
      (s) => 'userId' in s.notification && s.notification.userId === userId && (kinds.length === 0 || kinds.includes(s.notification.kind)),
    );
  }

  /** The active user may act on `userId`'s items: a company admin or their manager. */
  mayActOnItemsOf(actorId: number, userId: number): boolean {
    const actor = this.users.get(actorId);
    if (!actor || actor.status !== 'active') return false;
    return actor.admin || this.users.get(userId)?.managerId === actorId;
  }

  permissionsOf(userId: number): UserPermissions {
    const u = isUserId(userId) ? this.users.get(userId) : undefined;
    if (!u) refuse('USER_NOT_FOUND', `User ${String(userId)} was not found in the directory.`);
    return { userId, status: u.status, managerId: u.managerId, adminIds: this.activeAdminIds() };
  }

  count(name: ActivityName): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }
}

/** The batch's own input checks (the real validateBatch's, which need no database). */
function checkBatchInput(input: ValidateBatchInput): void {
  if (typeof input.batchId !== 'string' || !BATCH_ID_PATTERN.test(input.batchId)) refuse('INVALID_INPUT', `"${String(input.batchId).slice(0, 80)}" is not a batch ID.`);
  if (!Array.isArray(input.userIds) || input.userIds.length === 0) refuse('BATCH_EMPTY', `Batch ${input.batchId} names no users.`);
  if (input.userIds.length > MAX_BATCH_SIZE) refuse('BATCH_TOO_LARGE', `Batch ${input.batchId} has ${input.userIds.length} users.`);
  const reasonProblem = input.reason == null ? undefined : textProblem(input.reason, REASON_RULE);
  if (reasonProblem) refuse('INVALID_INPUT', reasonProblem.message);
  const effectiveAt: unknown = input.effectiveAt;
  if (effectiveAt != null && (typeof effectiveAt !== 'string' || !ISO_DATE_TIME.test(effectiveAt) || !Number.isFinite(Date.parse(effectiveAt)))) {
    refuse('INVALID_INPUT', `The effective date "${(typeof effectiveAt === 'string' ? effectiveAt : JSON.stringify(effectiveAt)).slice(0, 60)}" is not an ISO date-time with a zone.`);
  }
  const inBatch = new Set(input.userIds);
  for (const [key, value] of Object.entries(input.successors ?? {})) {
    const userId = /^[1-9][0-9]{0,9}$/.test(key) ? Number(key) : NaN;
    if (!isUserId(userId) || !inBatch.has(userId)) refuse('INVALID_INPUT', `Successor given for "${key.slice(0, 40)}", who is not in batch ${input.batchId}.`);
    if (!isUserId(value)) refuse('INVALID_INPUT', `The successor of user ${userId} must be a user ID.`);
    if (value === userId) refuse('TARGET_SAME_USER', `User ${userId} cannot be their own successor.`);
    if (inBatch.has(value)) refuse('TARGET_BEING_OFFBOARDED', `User ${value}, the successor of user ${userId}, is in batch ${input.batchId} too.`);
  }
}

function checkReason(reason: string | null): void {
  const problem = reason === null ? undefined : textProblem(reason, REASON_RULE);
  if (problem) refuse('INVALID_INPUT', problem.message);
}

function checkRequestId(requestId: unknown): void {
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 200) {
    refuse('INVALID_INPUT', 'Each request needs a request ID (1–200 characters) so a retry is recognised.');
  }
}

/** The activities over `dir`, in the real ones' order of checks. */
export function inMemoryActivities(dir: InMemoryDirectory): OffboardingActivities {
  const iso = (ms: number) => new Date(ms).toISOString();
  const sentKeys = new Set<string>();

  function endClaim(claim: InMemoryClaim, outcome: UserOffboardingResult['outcome']): void {
    claim.outcome = outcome;
    dir.openClaims.delete(claim.userId);
  }

  function resolve(r: { kind: 'reassign'; input: ReassignItemInput } | { kind: 'close'; input: CloseItemInput }): ItemResolution {
    const { input } = r;
    checkRequestId(input.requestId);
    const recorded = dir.resolutions.get(input.requestId);
    if (recorded) return recorded;
    const fromUserId = r.kind === 'reassign' ? r.input.fromUserId : r.input.userId;
    const note = r.kind === 'close' ? (r.input.note ?? null) : null;
    const key = parseItemKey(input.itemKey);
    if (!key) refuse('ITEM_KEY_MALFORMED', `"${String(input.itemKey).slice(0, 80)}" is not an item key; keys look like rfi:42:assignee.`);
    const label = `${key.tool}:${key.itemId}:${key.role}`;
    const problem = note === null ? undefined : textProblem(note, NOTE_RULE);
    if (problem) refuse(problem.kind === 'length' ? 'NOTE_TOO_LONG' : 'INVALID_INPUT', `${problem.message} (${label})`);
    if (!isUserId(fromUserId)) refuse('INVALID_INPUT', `${String(fromUserId)} is not a user ID.`);
    if (!dir.mayActOnItemsOf(input.actorId, fromUserId)) {
      refuse('PERMISSION_DENIED', `User ${String(input.actorId)} may not reassign or close items of user ${fromUserId}.`);
    }
    const item = dir.items.get(label);
    if (!item) refuse('ITEM_NOT_FOUND', `Item ${label} does not exist.`);
    if (!item.open) refuse('ITEM_NOT_OPEN', `Item ${label} ("${item.title}") is no longer open.`);
    if (item.holderId !== fromUserId) refuse('ITEM_NOT_HELD_BY_USER', `Item ${label} is no longer held by user ${fromUserId} as ${key.role}.`);

    let toUserId: number | null = null;
    if (r.kind === 'reassign') {
      toUserId = r.input.toUserId;
      if (key.tool === 'timecard') refuse('INVALID_INPUT', `The timecard item ${label} cannot be reassigned; close it to record the final timecard entry.`);
      const target = isUserId(toUserId) ? dir.users.get(toUserId) : undefined;
      if (!target) refuse('TARGET_NOT_FOUND', `User ${String(toUserId)}, chosen to take over ${label}, does not exist.`);
      if (toUserId === fromUserId) refuse('TARGET_SAME_USER', `Item ${label} is already held by user ${toUserId}.`);
      if (target.status !== 'active') refuse('TARGET_INACTIVE', `User ${toUserId} is inactive and cannot take over ${label}.`);
      if (item.projectId === null || !target.projectIds.has(item.projectId)) {
        refuse('TARGET_NOT_PROJECT_MEMBER', `User ${toUserId} is not a member of project ${String(item.projectId)}, which ${label} belongs to.`);
      }
      const claim = dir.openClaims.get(toUserId);
      if (claim) refuse('TARGET_BEING_OFFBOARDED', `User ${toUserId} is being offboarded (${claim.workflowId}) and cannot take over ${label}.`);
      item.holderId = toUserId;
    } else {
      item.open = false;
    }
    const action: ResolutionAction = r.kind === 'reassign' ? 'reassigned' : key.tool === 'timecard' ? 'final-timecard-recorded' : 'closed';
    const resolution: ItemResolution = {
      itemKey: label,
      tool: key.tool,
      title: item.title,
      projectName: item.projectName,
      action,
      fromUserId,
      toUserId,
      byUserId: input.actorId,
      at: iso(dir.now()),
      note,
      requestId: input.requestId,
    };
    dir.resolutions.set(input.requestId, resolution);
    return resolution;
  }

  const activities = {
    async validateBatch(input: ValidateBatchInput): Promise<ValidateBatchResult> {
      dir.count('validateBatch');
      checkBatchInput(input);
      // Time and other batches answer on the first run only, as the real one does on a retry.
      const ran = dir.claims.some((c) => c.batchId === input.batchId);
      if (!ran && input.effectiveAt != null) {
        const at = Date.parse(input.effectiveAt);
        const now = dir.now();
        if (at <= now) refuse('EFFECTIVE_DATE_IN_PAST', `The effective date ${input.effectiveAt} of batch ${input.batchId} is not in the future.`);
        if (at > now + MAX_EFFECTIVE_DELAY_DAYS * DAY_MS) refuse('EFFECTIVE_DATE_TOO_FAR', `The effective date ${input.effectiveAt} is more than ${MAX_EFFECTIVE_DELAY_DAYS} days away.`);
      }
      if (!ran) {
        for (const id of new Set(Object.values(input.successors ?? {}))) {
          const successor = dir.users.get(id);
          if (!successor) refuse('TARGET_NOT_FOUND', `Successor ${id} was not found in the directory.`);
          if (successor.status !== 'active') refuse('TARGET_INACTIVE', `Successor ${id} is inactive and cannot take over items.`);
          const claim = dir.openClaims.get(id);
          if (claim) refuse('TARGET_BEING_OFFBOARDED', `Successor ${id} is being offboarded (${claim.workflowId}).`);
        }
      }
      const requester = isUserId(input.requestedBy) ? dir.users.get(input.requestedBy) : undefined;
      if (!requester) refuse('USER_NOT_FOUND', `The requester, user ${String(input.requestedBy)}, was not found in the directory.`);
      if (requester.status !== 'active') refuse('REQUESTER_INACTIVE', `The requester, user ${input.requestedBy}, is inactive.`);
      if (!requester.admin) refuse('PERMISSION_DENIED', `User ${input.requestedBy} is not a company directory admin and may not start an offboarding.`);

      // A re-run of this batch (its worker died before reporting) accepts what it claimed.
      const ours = new Set(dir.claims.filter((c) => c.batchId === input.batchId && c.workflowId === userWorkflowId(c.userId)).map((c) => c.userId));
      const seen = new Set<number>();
      const accepted: number[] = [];
      const rejected: BatchRejection[] = [];
      const reject = (userId: number, code: BatchRejection['code'], message: string) => rejected.push({ userId, code, message });
      for (const raw of input.userIds) {
        if (!isUserId(raw)) {
          reject(typeof raw === 'number' && Number.isFinite(raw) ? raw : 0, 'INVALID_INPUT', `${String(raw)} is not a user ID (a positive whole number).`);
          continue;
        }
        if (seen.has(raw)) {
          reject(raw, 'DUPLICATE_USER', `User ${raw} is named more than once in batch ${input.batchId}; offboarded once.`);
          continue;
        }
        seen.add(raw);
        const user = dir.users.get(raw);
        const claim = dir.openClaims.get(raw);
        if (!user) reject(raw, 'USER_NOT_FOUND', `User ${raw} was not found in the directory.`);
        else if (raw === input.requestedBy) reject(raw, 'REQUESTER_IN_BATCH', `User ${raw} requested this batch and cannot offboard themselves.`);
        else if (ours.has(raw)) accepted.push(raw);
        else if (user.status !== 'active') reject(raw, 'USER_ALREADY_INACTIVE', `User ${raw} is already inactive.`);
        else if (claim) reject(raw, 'ALREADY_IN_OFFBOARDING', `User ${raw} is already being offboarded by ${claim.workflowId}.`);
        else {
          const c: InMemoryClaim = { userId: raw, batchId: input.batchId, workflowId: userWorkflowId(raw), requestedBy: input.requestedBy, outcome: null };
          dir.claims.push(c);
          dir.openClaims.set(raw, c);
          accepted.push(raw);
        }
      }
      return { accepted, rejected, adminIds: dir.activeAdminIds() };
    },

    async claimOffboarding(input) {
      dir.count('claimOffboarding');
      const user = isUserId(input.userId) ? dir.users.get(input.userId) : undefined;
      if (!user) refuse('USER_NOT_FOUND', `User ${String(input.userId)} was not found in the directory.`);
      const open = dir.openClaims.get(input.userId);
      if (open) {
        if (open.workflowId === input.workflowId) return { alreadyClaimed: true };
        refuse('ALREADY_IN_OFFBOARDING', `User ${input.userId} is already being offboarded by ${open.workflowId}.`);
      }
      if (user.status !== 'active') refuse('USER_ALREADY_INACTIVE', `User ${input.userId} is already inactive.`);
      const claim: InMemoryClaim = { ...input, outcome: null };
      dir.claims.push(claim);
      dir.openClaims.set(input.userId, claim);
      return { alreadyClaimed: false };
    },

    async finishOffboarding(input) {
      dir.count('finishOffboarding');
      const open = dir.openClaims.get(input.userId);
      if (!open || open.workflowId !== input.workflowId) return { ended: false };
      endClaim(open, input.outcome);
      return { ended: true };
    },

    async releaseOffboardings(input) {
      dir.count('releaseOffboardings');
      let released = 0;
      for (const userId of input.userIds) {
        const open = dir.openClaims.get(userId);
        if (open && open.batchId === input.batchId) {
          endClaim(open, input.outcome);
          released += 1;
        }
      }
      return { released };
    },

    async loadPermissions(input) {
      dir.count('loadPermissions');
      return dir.permissionsOf(input.userId);
    },

    async loadAdmins() {
      dir.count('loadAdmins');
      return { adminIds: dir.activeAdminIds() };
    },

    async authorizeBatchActor(input) {
      dir.count('authorizeBatchActor');
      const adminIds = dir.activeAdminIds();
      if (!isUserId(input.actorId) || !adminIds.includes(input.actorId)) {
        // As the real one: the current admins travel with the refusal, so the batch's cache is fresh.
        refuse('PERMISSION_DENIED', `User ${String(input.actorId)} is not an active company directory admin now, so may not change this batch.`, { adminIds });
      }
      return { adminIds };
    },

    async authorizeItemsActor(input) {
      dir.count('authorizeItemsActor');
      const permissions = dir.permissionsOf(input.userId);
      if (!dir.mayActOnItemsOf(input.actorId, input.userId)) {
        refuse('PERMISSION_DENIED', `User ${String(input.actorId)} is neither an active company directory admin nor user ${input.userId}'s manager now.`, permissions);
      }
      return permissions;
    },

    async listOpenItems(input) {
      dir.count('listOpenItems');
      return dir.openItemsOf(input.userIds);
    },

    async reassignItem(input) {
      dir.count('reassignItem');
      return resolve({ kind: 'reassign', input });
    },

    async closeItem(input) {
      dir.count('closeItem');
      return resolve({ kind: 'close', input });
    },

    async inactivateUser(input): Promise<InactivateUserResult> {
      dir.count('inactivateUser');
      checkReason(input.reason);
      const user = isUserId(input.userId) ? dir.users.get(input.userId) : undefined;
      if (!user) refuse('USER_NOT_FOUND', `User ${String(input.userId)} was not found in the directory.`);
      if (user.status === 'inactive') {
        if (user.inactivationWorkflowId === input.workflowId && user.inactivatedAt !== null) {
          return { inactivatedAt: user.inactivatedAt, itemsLeftOpen: user.itemsLeftOpen, alreadyDone: true };
        }
        refuse('USER_ALREADY_INACTIVE', `User ${user.id} was already inactivated${user.inactivationWorkflowId ? ` by ${user.inactivationWorkflowId}` : ''}.`);
      }
      // The requester must still be an active admin at this moment, as the real one checks.
      const requester = isUserId(input.actorId) ? dir.users.get(input.actorId) : undefined;
      if (!requester) refuse('USER_NOT_FOUND', `The requester, user ${String(input.actorId)}, was not found in the directory.`);
      if (requester.status !== 'active') refuse('REQUESTER_INACTIVE', `${requester.name} (user ${requester.id}), who requested this offboarding, is inactive now.`);
      if (!requester.admin) refuse('PERMISSION_DENIED', `${requester.name} (user ${requester.id}), who requested this offboarding, is no longer a company directory admin.`);
      const items = dir.openItemsOf([user.id]);
      if (items.length > 0 && !input.force) {
        refuse('OPEN_ITEMS_REMAIN', `User ${user.id} still has ${items.length} open item(s): ${items.map((i) => i.key).join(', ')}.`, items);
      }
      user.status = 'inactive';
      user.inactivatedAt = iso(dir.now());
      user.inactivationWorkflowId = input.workflowId;
      user.itemsLeftOpen = items;
      return { inactivatedAt: user.inactivatedAt, itemsLeftOpen: items, alreadyDone: false };
    },

    async reactivateUser(input) {
      dir.count('reactivateUser');
      checkReason(input.reason);
      checkRequestId(input.requestId);
      const recorded = dir.reactivations.get(input.requestId);
      if (recorded) return { reactivatedAt: recorded, alreadyDone: true };
      const user = isUserId(input.userId) ? dir.users.get(input.userId) : undefined;
      if (!user) refuse('USER_NOT_FOUND', `User ${String(input.userId)} was not found in the directory.`);
      const actor = dir.users.get(input.actorId);
      if (!actor || actor.status !== 'active' || !actor.admin) {
        refuse('PERMISSION_DENIED', `User ${String(input.actorId)} may not reactivate user ${user.id}.`);
      }
      if (user.status === 'active') refuse('USER_ALREADY_ACTIVE', `User ${user.id} is already active.`);
      const reactivatedAt = iso(dir.now());
      user.status = 'active';
      user.inactivatedAt = null;
      user.inactivationWorkflowId = null;
      user.itemsLeftOpen = [];
      dir.reactivations.set(input.requestId, reactivatedAt);
      return { reactivatedAt, alreadyDone: false };
    },

    async sendNotification(input) {
      dir.count('sendNotification');
      const key = input.idempotencyKey;
      if (typeof key !== 'string' || key.length === 0 || key.length > 300) {
        throw ApplicationFailure.nonRetryable('idempotencyKey must be 1..300 characters', 'INVALID_INPUT');
      }
      // Exactly once per key, as the real outbox: a retry after a success sends nothing new.
      if (sentKeys.has(key)) return { status: 'already-sent', messageId: `<${key}>`, recipients: [] };
      sentKeys.add(key);
      dir.outbox.push({ ...input, at: dir.now() });
      return { status: 'sent', messageId: `<${key}>`, recipients: [] };
    },

    // The in-memory directory keeps no web rows: nothing to purge.
    async purgeExpiredWebRows() {
      dir.count('purgeExpiredWebRows');
      return { sessions: 0, signInTokens: 0, rateLimits: 0, actionLinkUses: 0, formUses: 0 };
    },

    // The in-memory directory has no connections, so no subscriptions: nothing is ever delivered.
    async deliverWebhook() {
      dir.count('deliverWebhook');
      return { outcome: 'skipped' as const, statusCode: null };
    },
    async giveUpWebhookDelivery() {
      dir.count('giveUpWebhookDelivery');
      return { disabledSubscription: false };
    },
  } satisfies Omit<
    OffboardingActivities,
    'beginOffboarding' | 'reassignItems' | 'completeOffboarding' | 'sendNotifications' | 'prepareIntakeBatch' | 'recordIntakeDrop' | 'sendActionDigests' | 'sendWaitingDigests' | 'sendClosingDigests'
  >;

  // The one-call steps (issue 25) are the single ones composed, as the real ones are; each counts
  // itself and the single steps it is made of, so a test can count either.
  const complete = (input: InactivateUserInput) =>
    dir.atStepTime(async () => {
      const result = await activities.inactivateUser(input);
      await activities.finishOffboarding({ userId: input.userId, workflowId: input.workflowId, outcome: 'inactivated' });
      return result;
    });
  return {
    ...activities,
    async beginOffboarding(input) {
      dir.count('beginOffboarding');
      const { completeIfClear, ...claim } = input;
      const permissions = await activities.loadPermissions({ userId: claim.userId });
      if (permissions.status !== 'active') return { permissions, items: [] };
      await activities.claimOffboarding(claim);
      const items = await activities.listOpenItems({ userIds: [claim.userId] });
      if (!completeIfClear || items.length > 0) return { permissions, items };
      try {
        return { permissions, items, completed: await complete({ ...completeIfClear, force: false }) };
      } catch (err) {
        // The real one's refusal writes nothing: the workflow's own completion refuses again.
        if (!refusalOf(err)) throw err;
        return { permissions, items };
      }
    },
    async reassignItems(input) {
      dir.count('reassignItems');
      return dir.atStepTime(async () => {
        const result: ReassignItemsResult = { took: [], notTaken: [] };
        for (const r of input.requests) {
          try {
            result.took.push(await activities.reassignItem(r));
          } catch (err) {
            const refused = refusalOf(err);
            if (!refused) throw err;
            result.notTaken.push({ itemKey: r.itemKey, code: refused.code, message: refused.message });
          }
        }
        return result;
      });
    },
    async completeOffboarding(input) {
      dir.count('completeOffboarding');
      return complete(input);
    },
    // A batch's digests are built from the database (domain/notifications/digests.ts): here they are counted only.
    async sendActionDigests() {
      dir.count('sendActionDigests');
      return { emails: 0 };
    },
    async sendWaitingDigests() {
      dir.count('sendWaitingDigests');
      return { emails: 0 };
    },
    async sendClosingDigests() {
      dir.count('sendClosingDigests');
      return { emails: 0 };
    },
    async sendNotifications(input) {
      dir.count('sendNotifications');
      const results: SendNotificationResult[] = [];
      for (const one of input.notifications) results.push(await activities.sendNotification(one));
      return results;
    },
    // The intake's: people already being offboarded are left out; no successors (the real one picks managers).
    async prepareIntakeBatch(input) {
      dir.count('prepareIntakeBatch');
      const ids = [...new Set(input.requests.map((r) => r.userId))];
      const alreadyOffboarding = ids.filter((id) => dir.openClaims.has(id));
      return { userIds: ids.filter((id) => !dir.openClaims.has(id)), successors: {}, alreadyOffboarding };
    },
    async recordIntakeDrop() {
      dir.count('recordIntakeDrop');
    },
  };
}

/** A notification's kind and the fields a test usually compares, for readable expectations. */
export function describeNotification(n: Notification): string {
  switch (n.kind) {
    case 'reminder':
      return `reminder #${n.reminderNumber}`;
    case 'escalation':
      return `escalation (${n.reason})`;
    case 'items-received':
      return `items-received by ${n.recipientId}: ${n.received.map((r) => r.itemKey).join(', ')}`;
    case 'offboarding-stopped':
      return `offboarding-stopped (${n.outcome} by ${String(n.by)})`;
    default:
      return n.kind;
  }
}
