// What a manager or an admin does to one user's offboarding: read it, reassign or close an item,
// say "handled in the tools — check again". The actor is an argument (the CLI's --by, the web's
// session); the workflow's validators and activities check them again against the database.
import type { WorkflowHandle } from '@temporalio/client';
import { candidateFacts, eligibleAssignees } from '../../domain/assignee-eligibility';
import { mayActOnItemsOf } from '../../domain/permissions';
import {
  closeItemUpdate,
  confirmReassignmentDoneUpdate,
  handOverAllUpdate,
  mayBeHandedOver,
  mayTake,
  NOTE_RULE,
  type OpenItem,
  parseItemKey,
  reassignItemUpdate,
  type RefusalCode,
  textProblem,
  TIMECARD_NOT_HANDED_OVER,
  type UserOffboardingStatus,
  userStatusQuery,
  userWorkflowId,
  whyIneligible,
} from '../../workflows/contract';
import { refuse } from '../../domain/refusal';
import type { userOffboarding } from '../../workflows/user-offboarding';
import type { OperationsContext } from './context';
import { callRunning, orNotFound } from './workflow-calls';

/** Who the user is, for messages: `Aisha Bello (18)`. */
export type Subject = { id: number; name: string };

const label = (u: Subject) => `${u.name} (${u.id})`;
const notFound = (u: Subject) => `${label(u)} has no offboarding (no workflow ${userWorkflowId(u.id)}).`;
type UserHandle = WorkflowHandle<typeof userOffboarding>;

/** The status of a user's offboarding (running or ended). */
export async function offboardingStatus(ctx: OperationsContext, user: Subject): Promise<UserOffboardingStatus> {
  const handle = (await ctx.temporal()).workflow.getHandle<typeof userOffboarding>(userWorkflowId(user.id));
  return orNotFound(() => handle.query(userStatusQuery), 'OFFBOARDING_NOT_FOUND', notFound(user));
}

/**
 * How an ended offboarding ended, as the user's outcome ("removed by user 2", "inactivated at …"):
 * Temporal's "completed" says nothing about that.
 */
async function outcomeOf(handle: UserHandle, state: string): Promise<string> {
  if (state !== 'COMPLETED') return `failed (workflow ${state.toLowerCase().replaceAll('_', ' ')})`;
  const r = await handle.result();
  if (r.outcome === 'inactivated') return `inactivated${r.inactivatedAt ? ` at ${r.inactivatedAt}` : ''}`;
  if (r.reason === null) return r.outcome;
  return r.reason.startsWith(r.outcome) ? r.reason : `${r.outcome} (${r.reason})`;
}

/** Options of a request: `requestId` makes a repeated request (a double submit, a retried POST) act once. */
export type RequestOptions = { requestId?: string };

async function updateUser<T>(ctx: OperationsContext, actorId: number, user: Subject, send: (handle: UserHandle) => Promise<T>): Promise<T> {
  const handle = (await ctx.temporal()).workflow.getHandle<typeof userOffboarding>(userWorkflowId(user.id));
  return callRunning({
    handle,
    notFound: { code: 'OFFBOARDING_NOT_FOUND', message: notFound(user) },
    ended: async (state) => refuse('OFFBOARDING_NOT_WAITING', `${label(user)}'s offboarding has ended: ${await outcomeOf(handle, state)}.`),
    send: () => send(handle),
    allowedNow: async () => mayActOnItemsOf(await ctx.db(), actorId, user.id),
  });
}

/** Refuses a malformed item key before anything is looked up. */
export function checkItemKey(itemKey: string): void {
  if (!parseItemKey(itemKey)) refuse('ITEM_KEY_MALFORMED', `"${itemKey.slice(0, 80)}" is not an item key like rfi:42:assignee.`);
}

/** Refuses a note that is too long or holds control characters, before anything is looked up. */
export function checkNote(note: string | null): void {
  const problem = note === null ? undefined : textProblem(note, NOTE_RULE);
  if (problem) refuse(problem.kind === 'length' ? 'NOTE_TOO_LONG' : 'INVALID_INPUT', problem.message);
}

/** Hands one item to `toUserId`; returns what is still open. */
export async function reassignItem(
  ctx: OperationsContext,
  actorId: number,
  user: Subject,
  itemKey: string,
  toUserId: number,
  options: RequestOptions = {},
): Promise<OpenItem[]> {
  checkItemKey(itemKey);
  return updateUser(ctx, actorId, user, (handle) =>
    handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId, by: actorId }], ...(options.requestId ? { updateId: options.requestId } : {}) }),
  );
}

/** Closes one item (for a timecard: records the final entry); returns what is still open. */
export async function closeItem(
  ctx: OperationsContext,
  actorId: number,
  user: Subject,
  itemKey: string,
  note: string | null,
  options: RequestOptions = {},
): Promise<OpenItem[]> {
  checkItemKey(itemKey);
  checkNote(note);
  return updateUser(ctx, actorId, user, (handle) =>
    handle.executeUpdate(closeItemUpdate, { args: [{ itemKey, by: actorId, note }], ...(options.requestId ? { updateId: options.requestId } : {}) }),
  );
}

/** "I handled the rest in the tools": the workflow re-checks; returns what is still open. */
export async function recheck(ctx: OperationsContext, actorId: number, user: Subject, options: RequestOptions = {}): Promise<OpenItem[]> {
  return updateUser(ctx, actorId, user, (handle) =>
    handle.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: actorId }], ...(options.requestId ? { updateId: options.requestId } : {}) }),
  );
}

export type HandOverAllResult = {
  /** The items now held by the new person, in the order they were handed over. */
  handedOver: OpenItem[];
  /** Items they may take that the workflow still refused (e.g. handled in the tools meanwhile), with why. */
  refused: { item: OpenItem; code: RefusalCode; message: string }[];
  /** What is still open afterwards: timecards, items on projects they are not on, the refused. */
  itemsLeft: OpenItem[];
};

/**
 * Hands every open item `toUserId` may take (the contract's hand-over rule, on the people who pass it
 * on each project: contract/hand-over.ts) to them, in ONE update: the workflow's own hand-over. With
 * a requestId as the update ID, a repeated request acts once. When they may take none, refuses and
 * changes nothing.
 */
export async function handOverAll(
  ctx: OperationsContext,
  actorId: number,
  user: Subject,
  toUserId: number,
  options: RequestOptions = {},
): Promise<HandOverAllResult> {
  const db = await ctx.db();
  // The answer about the items is for those who may act on them only.
  if (!(await mayActOnItemsOf(db, actorId, user.id))) {
    refuse('PERMISSION_DENIED', `user ${actorId} is neither user ${user.id}'s manager nor a directory admin`);
  }
  const status = await offboardingStatus(ctx, user);
  if (status.result !== null) refuse('OFFBOARDING_NOT_WAITING', `${label(user)}'s offboarding has ended (${status.result.outcome}).`);
  if (status.stage !== 'awaiting-reassignment') refuse('OFFBOARDING_NOT_WAITING', `${label(user)}'s offboarding is not waiting for reassignment (stage ${status.stage}).`);
  const pending = status.pendingItems;
  const eligible = await eligibleAssignees(db, pending.flatMap((i) => (i.projectId === null ? [] : [i.projectId])), user.id);
  const takeable = pending.filter((i) => mayTake(i, toUserId, eligible));
  if (takeable.length === 0) {
    const projectId = pending.find(mayBeHandedOver)?.projectId ?? null;
    const facts = await candidateFacts(db, projectId, toUserId);
    const target = facts ? `${facts.name} (${toUserId})` : `user ${toUserId}`;
    const why = projectId === null ? null : whyIneligible(facts, user.id);
    refuse(
      why ?? 'TARGET_NOT_PROJECT_MEMBER',
      pending.some(mayBeHandedOver)
        ? `${target} may take none of ${label(user)}'s ${pending.length} open item(s): only active members of an item's project who are staying can.`
        : `${label(user)} has no open item that can be handed over (${TIMECARD_NOT_HANDED_OVER}).`,
    );
  }
  const answer = await updateUser(ctx, actorId, user, (handle) =>
    handle.executeUpdate(handOverAllUpdate, {
      args: [{ toUserId, by: actorId, itemKeys: takeable.map((i) => i.key) }],
      ...(options.requestId ? { updateId: options.requestId } : {}),
    }),
  );
  const took = new Set(answer.took.map((r) => r.itemKey));
  const byKey = new Map(takeable.map((i) => [i.key, i]));
  return {
    handedOver: takeable.filter((i) => took.has(i.key)),
    refused: [
      ...answer.notTaken.map(({ item, code, message }) => ({ item, code, message })),
      ...answer.notPending.flatMap((key) => {
        const item = byKey.get(key);
        return item ? [{ item, code: 'ITEM_NOT_PENDING' as const, message: `${key} is not pending in user ${user.id}'s offboarding` }] : [];
      }),
    ],
    itemsLeft: answer.pendingItems,
  };
}
