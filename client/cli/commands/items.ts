// offboard items <user> · reassign <user> (<itemKey> | --all) --to <user> --by <user>
// · close <user> <itemKey> --by <user> [--note <text>] · done <user> --by <user>
import { z } from 'zod';
import type { User } from '../../../db/schema';
import { MAX_NOTE_LENGTH, type OpenItem } from '../../../workflows/contract';
import { type Command, type Ctx, flags, operationsOf, printItems, resolveUser } from '../common';
import { UsageError } from '../exit-codes';
import { checkItemKey, checkNote, closeItem, handOverAll, offboardingStatus, reassignItem, recheck } from '../../operations';
import { ago } from '../output';

function printStillOpen(ctx: Ctx, u: User, items: readonly OpenItem[], done: string): void {
  ctx.out.data({ userId: u.id, pendingItems: items });
  ctx.out.line(done);
  if (items.length === 0) ctx.out.line(`Nothing is open any more for ${u.name} (${u.id}): the offboarding goes on to inactivation.`);
  else printItems(ctx.out, items, `Still open for ${u.name} (${u.id}): ${items.length} item(s)`);
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
    const s = await offboardingStatus(operationsOf(ctx), u);
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
  synopsis: 'reassign <user> (<itemKey> | --all) --to <user> --by <user>',
  summary: 'Hand one open item (or --all they may take) of a user in offboarding to someone else',
  help: [
    '--to <user>   the new responsible user: an active member of the item’s project who is staying',
    '--all         instead of one <itemKey>: every open item --to may take (the rest stay open, listed)',
    '--by <user>   the user’s manager or a directory admin (required)',
  ],
  options: { to: { type: 'string' }, by: { type: 'string' }, all: { type: 'boolean' } },
  positionals: { min: 1, max: 2, names: '<user> <itemKey>' },
  async run(ctx, { values, positionals }) {
    const f = flags(
      'reassign',
      z.object({ to: z.string({ error: 'is required (who takes the item over)' }).trim().min(1), by: actor, all: z.boolean().default(false) }),
      values,
    );
    const key = positionals[1]?.trim();
    if (f.all && key !== undefined) throw new UsageError('give either <itemKey> or --all, not both', 'reassign');
    if (!f.all && key === undefined) throw new UsageError('missing <itemKey> (or --all)', 'reassign');
    if (key !== undefined) checkItemKey(key);
    const db = await ctx.conn.db();
    const u = await resolveUser(db, positionals[0] ?? '');
    const to = await resolveUser(db, f.to);
    const by = await resolveUser(db, f.by);
    if (key !== undefined) {
      const left = await reassignItem(operationsOf(ctx), by.id, u, key, to.id);
      printStillOpen(ctx, u, left, `Reassigned ${key} from ${u.name} (${u.id}) to ${to.name} (${to.id}).`);
      return;
    }
    const r = await handOverAll(operationsOf(ctx), by.id, u, to.id);
    ctx.out.data({ userId: u.id, toUserId: to.id, handedOver: r.handedOver.map((i) => i.key), refused: r.refused.map((x) => ({ itemKey: x.item.key, code: x.code, message: x.message })), pendingItems: r.itemsLeft });
    ctx.out.line(`Reassigned ${r.handedOver.length} item(s) from ${u.name} (${u.id}) to ${to.name} (${to.id}): ${r.handedOver.map((i) => i.key).join(', ')}.`);
    for (const x of r.refused) ctx.out.line(`Not ${x.item.key}: ${x.code}: ${x.message}`);
    if (r.itemsLeft.length === 0) ctx.out.line(`Nothing is open any more for ${u.name} (${u.id}): the offboarding goes on to inactivation.`);
    else printItems(ctx.out, r.itemsLeft, `Still open for ${u.name} (${u.id}): ${r.itemsLeft.length} item(s)`);
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
    const itemKey = (positionals[1] ?? '').trim();
    checkItemKey(itemKey);
    checkNote(f.note ?? null);
    const db = await ctx.conn.db();
    const u = await resolveUser(db, positionals[0] ?? '');
    const by = await resolveUser(db, f.by);
    const left = await closeItem(operationsOf(ctx), by.id, u, itemKey, f.note ?? null);
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
    const left = await recheck(operationsOf(ctx), by.id, u);
    printStillOpen(ctx, u, left, `Re-checked ${u.name} (${u.id}) against the tools.`);
  },
};
