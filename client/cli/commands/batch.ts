// offboard status <batchId> [--watch] · offboard remove <batchId> <user> --by <admin> · offboard cancel <batchId> --by <admin>
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { userNames } from '../../../domain/user-names';
import { type BatchComposition, type BatchStatus, type BatchUserRow, FINAL_STAGES, refuse } from '../../../workflows/contract';
import { type Command, type Ctx, flags, operationsOf, resolveUser } from '../common';
import { batchStatus, cancelBatch, removeFromBatch } from '../../operations';
import { ago } from '../output';

const batchIdArg = (text: string | undefined): string => {
  const id = (text ?? '').trim();
  if (!id) refuse('INVALID_INPUT', 'Name the batch ID.');
  return id;
};

export function progressLine(s: BatchStatus): string {
  const done = s.users.filter((u) => u.stage !== 'queued' && FINAL_STAGES.includes(u.stage)).length;
  const parts = Object.entries(s.counts)
    .filter(([, n]) => n > 0)
    .map(([stage, n]) => `${stage} ${n}`);
  const pct = s.total === 0 ? 100 : Math.floor((done / s.total) * 100);
  return `[${s.phase}] ${done}/${s.total} users done (${pct}%)${parts.length ? ` — ${parts.join(', ')}` : ''}`;
}

/**
 * The RESULT column: the row's result, or "inactivated" for someone inactivated (their workflow
 * reports a result text only for the other endings: removed, cancelled, failed), so no finished row
 * says "-".
 */
export const resultText = (u: BatchUserRow): string | null => u.result ?? (u.stage === 'inactivated' ? 'inactivated' : null);

function printStatus(ctx: Ctx, s: BatchStatus, names: Map<number, string>): void {
  ctx.out.line(`Batch ${s.batchId} — requested by user ${s.requestedBy}${s.run > 1 ? ` (run ${s.run})` : ''}`);
  ctx.out.line(progressLine(s));
  ctx.out.table(
    [
      { key: 'userId', title: 'USER', align: 'right' },
      { key: 'name', title: 'NAME', max: 28 },
      { key: 'stage', title: 'STAGE' },
      { key: 'openItems', title: 'OPEN ITEMS', align: 'right' },
      { key: 'waiting', title: 'WAITING SINCE' },
      { key: 'remindersSent', title: 'REMINDERS', align: 'right' },
      { key: 'result', title: 'RESULT', max: 60 },
    ],
    s.users.map((u) => ({
      ...u,
      name: names.get(u.userId),
      result: resultText(u),
      waiting: u.waitingSince ? `${u.waitingSince.slice(0, 16).replace('T', ' ')} (${ago(u.waitingSince)})` : null,
    })),
  );
  if (s.rejected.length > 0) {
    ctx.out.line('Skipped at validation:');
    ctx.out.table(
      [
        { key: 'userId', title: 'USER', align: 'right' },
        { key: 'code', title: 'CODE' },
        { key: 'message', title: 'WHY', max: 90 },
      ],
      s.rejected,
    );
  }
}

/** Names from the directory when it is reachable; status itself needs only Temporal. */
async function namesOf(ctx: Ctx, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  try {
    return await userNames(await ctx.conn.db(), ids);
  } catch {
    return new Map(); // the directory is optional here
  }
}

export const status: Command = {
  name: 'status',
  synopsis: 'status <batchId> [--watch]',
  summary: 'Show a batch: per user the stage, open items, waiting since, reminders and result',
  help: ['--watch   redraw every 2 seconds until the batch ends'],
  options: { watch: { type: 'boolean' } },
  positionals: { min: 1, max: 1, names: '<batchId>' },
  async run(ctx, { values, positionals }) {
    const f = flags('status', z.object({ watch: z.boolean().default(false) }), values);
    const batchId = batchIdArg(positionals[0]);
    const ops = operationsOf(ctx);
    let s = await batchStatus(ops, batchId);
    const names = await namesOf(ctx, s.users.map((u) => u.userId));
    for (;;) {
      if (f.watch) ctx.out.clearScreen();
      ctx.out.data(s);
      printStatus(ctx, s, names);
      if (!f.watch || s.phase === 'finished' || ctx.out.closed) break;
      await sleep(2_000);
      s = await batchStatus(ops, batchId);
      if (!ctx.out.json && !ctx.out.isTTY) ctx.out.line();
    }
  },
};

function printComposition(ctx: Ctx, c: BatchComposition, what: string): void {
  ctx.out.data(c);
  ctx.out.line(what);
  ctx.out.line(`Batch ${c.batchId}: ${c.userIds.length} user(s) remain${c.userIds.length ? ` (${c.userIds.join(', ')})` : ''}; removed: ${c.removed.length ? c.removed.join(', ') : 'none'}.`);
}

const byFlags = z.object({ by: z.string({ error: 'is required (the admin doing this)' }).trim().min(1) });

export const remove: Command = {
  name: 'remove',
  synopsis: 'remove <batchId> <user> --by <admin>',
  summary: 'Take one user out of a batch before they are inactivated',
  help: ['--by <admin>   a company directory admin (required)'],
  options: { by: { type: 'string' } },
  positionals: { min: 2, max: 2, names: '<batchId> <user>' },
  async run(ctx, { values, positionals }) {
    const f = flags('remove', byFlags, values);
    const batchId = batchIdArg(positionals[0]);
    const db = await ctx.conn.db();
    const user = await resolveUser(db, positionals[1] ?? '');
    const by = await resolveUser(db, f.by);
    const c = await removeFromBatch(operationsOf(ctx), by.id, batchId, user);
    printComposition(ctx, c, `Removed ${user.name} (${user.id}) from batch ${batchId}; they stay active.`);
  },
};

export const cancel: Command = {
  name: 'cancel',
  synopsis: 'cancel <batchId> --by <admin>',
  summary: 'Cancel a whole batch: users not yet inactivated stay active',
  help: ['--by <admin>   a company directory admin (required)'],
  options: { by: { type: 'string' } },
  positionals: { min: 1, max: 1, names: '<batchId>' },
  async run(ctx, { values, positionals }) {
    const f = flags('cancel', byFlags, values);
    const batchId = batchIdArg(positionals[0]);
    const db = await ctx.conn.db();
    const by = await resolveUser(db, f.by);
    const ops = operationsOf(ctx);
    const c = await cancelBatch(ops, by.id, batchId);
    const s = await batchStatus(ops, batchId);
    printComposition(ctx, c, `Cancelled batch ${batchId}.`);
    ctx.out.line(progressLine(s));
  },
};
