// What a manager or an admin does to one user's offboarding: read it, reassign or close an item,
// say "handled in the tools — check again". The actor is an argument (the CLI's --by, the web's
// session); the workflow's validators and activities check them again against the database.
import type { WorkflowHandle } from '@temporalio/client';
import { mayActOnItemsOf } from '../../domain/permissions';
import {
  closeItemUpdate,
  confirmReassignmentDoneUpdate,
  NOTE_RULE,
  type OpenItem,
  parseItemKey,
  reassignItemUpdate,
  refuse,
  textProblem,
  type UserOffboardingStatus,
  userStatusQuery,
  userWorkflowId,
} from '../../workflows/contract';
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

async function updateUser(
  ctx: OperationsContext,
  actorId: number,
  user: Subject,
  send: (handle: UserHandle) => Promise<OpenItem[]>,
): Promise<OpenItem[]> {
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
