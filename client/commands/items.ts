// offboard items <user> · reassign <user> <itemKey> --to <user> --by <user>
// · close <user> <itemKey> --by <user> [--note <text>] · done <user> --by <user>
import type { Client, WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import type { User } from '../../db/schema';
import {
  closeItemUpdate,
  MAX_NOTE_LENGTH,
  NOTE_RULE,
  type OpenItem,
  parseItemKey,
  reassignItemUpdate,
  confirmReassignmentDoneUpdate,
  type UserOffboardingStatus,
  userStatusQuery,
  userWorkflowId,
  refuse,
  refusalOf,
} from '../../workflows/contract';
import { textProblem } from '../../workflows/contract';
import type { userOffboarding } from '../../workflows/user-offboarding';
import { type Command, type Ctx, flags, isNotFound, orNotFound, printItems, resolveUser, statusOf } from '../common';
import { ago } from '../output';

const notFound = (u: User) => `${u.name} (${u.id}) has no offboarding (no workflow ${userWorkflowId(u.id)}).`;

async function queryUser(client: Client, u: User): Promise<UserOffboardingStatus> {
  const handle = client.workflow.getHandle(userWorkflowId(u.id));
  return orNotFound(() => handle.query(userStatusQuery), 'OFFBOARDING_NOT_FOUND', notFound(u));
}

type UserHandle = WorkflowHandle<typeof userOffboarding>;

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

/** Sends an update; a missing or ended workflow becomes the matching refusal. */
async function update(handle: UserHandle, u: User, send: () => Promise<OpenItem[]>): Promise<OpenItem[]> {
  const ended = async (state: string): Promise<never> =>
    refuse('OFFBOARDING_NOT_WAITING', `${u.name} (${u.id})'s offboarding has ended: ${await outcomeOf(handle, state)}.`);
  const state = await statusOf(handle);
  if (state === undefined) refuse('OFFBOARDING_NOT_FOUND', notFound(u));
  if (state !== 'RUNNING') return ended(state);
  try {
    return await send();
  } catch (e) {
    if (refusalOf(e)) throw e;
    // The offboarding ended while the request was on its way.
    const now = await statusOf(handle).catch(() => undefined);
    if (now !== undefined && now !== 'RUNNING') return ended(now);
    if (isNotFound(e)) refuse('OFFBOARDING_NOT_WAITING', `${u.name} (${u.id})'s offboarding ended before the request arrived.`);
    throw e;
  }
}

function printStillOpen(ctx: Ctx, u: User, items: readonly OpenItem[], done: string): void {
  ctx.out.data({ userId: u.id, pendingItems: items });
  ctx.out.line(done);
  if (items.length === 0) ctx.out.line(`Nothing is open any more for ${u.name} (${u.id}): the offboarding goes on to inactivation.`);
  else printItems(ctx.out, items, `Still open for ${u.name} (${u.id}): ${items.length} item(s)`);
}

function itemKeyOf(text: string | undefined): string {
  const key = (text ?? '').trim();
  if (!parseItemKey(key)) refuse('ITEM_KEY_MALFORMED', `"${key.slice(0, 80)}" is not an item key like rfi:42:assignee.`);
  return key;
}

export const items: Command = {
  name: 'items',
  synopsis: 'items <user>',
  summary: 'Show the pending items of a user in offboarding',
  help: ['<user> is a numeric user ID or an email address.'],
  options: {},
  positionals: { min: 1, max: 1, names: '<user>' },
  async run(ctx, { positionals }) {
    const db = await ctx.conn.db();
    const u = await resolveUser(db, positionals[0] ?? '');
    const s = await queryUser(await ctx.conn.temporal(), u);
    ctx.out.data(s);
    ctx.out.line(
      `${u.name} (${u.id}) — stage ${s.stage}${s.batchId ? `, batch ${s.batchId}` : ''}${s.waitingSince ? `, waiting since ${s.waitingSince} (${ago(s.waitingSince)})` : ''}, reminders sent ${s.remindersSent}${s.escalated ? ', escalated' : ''}`,
    );
    if (s.result) ctx.out.line(`Result: ${s.result.outcome}${s.result.reason ? ` — ${s.result.reason}` : ''}`);
    printItems(ctx.out, s.pendingItems, `Pending items: ${s.pendingItems.length}`);
    if (s.resolutions.length > 0) {
      ctx.out.line(`Resolved so far: ${s.resolutions.map((r) => `${r.itemKey} ${r.action}${r.toUserId ? ` to user ${r.toUserId}` : ''}`).join('; ')}`);
    }
  },
};

const actor = z.string({ error: 'is required (the manager or admin doing this)' }).trim().min(1);

export const reassign: Command = {
  name: 'reassign',
  synopsis: 'reassign <user> <itemKey> --to <user> --by <user>',
  summary: 'Hand one open item of a user in offboarding to someone else',
  help: [
    '--to <user>   the new responsible user: an active member of the item’s project who is staying',
    '--by <user>   the user’s manager or a directory admin (required)',
  ],
  options: { to: { type: 'string' }, by: { type: 'string' } },
  positionals: { min: 2, max: 2, names: '<user> <itemKey>' },
  async run(ctx, { values, positionals }) {
    const f = flags('reassign', z.object({ to: z.string({ error: 'is required (who takes the item over)' }).trim().min(1), by: actor }), values);
    const itemKey = itemKeyOf(positionals[1]);
    const db = await ctx.conn.db();
    const u = await resolveUser(db, positionals[0] ?? '');
    const to = await resolveUser(db, f.to);
    const by = await resolveUser(db, f.by);
    const handle = (await ctx.conn.temporal()).workflow.getHandle<typeof userOffboarding>(userWorkflowId(u.id));
    const left = await update(handle, u, () => handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId: to.id, by: by.id }] }));
    printStillOpen(ctx, u, left, `Reassigned ${itemKey} from ${u.name} (${u.id}) to ${to.name} (${to.id}).`);
  },
};

export const close: Command = {
  name: 'close',
  synopsis: 'close <user> <itemKey> --by <user> [--note <text>]',
  summary: 'Close one open item (for a timecard: record the final entry)',
  help: ['--by <user>     the user’s manager or a directory admin (required)', `--note <text>   why (at most ${MAX_NOTE_LENGTH} characters)`],
  options: { by: { type: 'string' }, note: { type: 'string' } },
  positionals: { min: 2, max: 2, names: '<user> <itemKey>' },
  async run(ctx, { values, positionals }) {
    const f = flags('close', z.object({ by: actor, note: z.string().optional() }), values);
    const itemKey = itemKeyOf(positionals[1]);
    const problem = f.note === undefined ? undefined : textProblem(f.note, NOTE_RULE);
    if (problem) refuse(problem.kind === 'length' ? 'NOTE_TOO_LONG' : 'INVALID_INPUT', problem.message);
    const db = await ctx.conn.db();
    const u = await resolveUser(db, positionals[0] ?? '');
    const by = await resolveUser(db, f.by);
    const handle = (await ctx.conn.temporal()).workflow.getHandle<typeof userOffboarding>(userWorkflowId(u.id));
    const left = await update(handle, u, () => handle.executeUpdate(closeItemUpdate, { args: [{ itemKey, by: by.id, note: f.note ?? null }] }));
    printStillOpen(ctx, u, left, `Closed ${itemKey} of ${u.name} (${u.id}).`);
  },
};

export const done: Command = {
  name: 'done',
  synopsis: 'done <user> --by <user>',
  summary: 'Say the items were handled in the tools: the system re-checks and shows what is still open',
  help: ['--by <user>   the user’s manager or a directory admin (required)'],
  options: { by: { type: 'string' } },
  positionals: { min: 1, max: 1, names: '<user>' },
  async run(ctx, { values, positionals }) {
    const f = flags('done', z.object({ by: actor }), values);
    const db = await ctx.conn.db();
    const u = await resolveUser(db, positionals[0] ?? '');
    const by = await resolveUser(db, f.by);
    const handle = (await ctx.conn.temporal()).workflow.getHandle<typeof userOffboarding>(userWorkflowId(u.id));
    const left = await update(handle, u, () => handle.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: by.id }] }));
    printStillOpen(ctx, u, left, `Re-checked ${u.name} (${u.id}) against the tools.`);
  },
};
