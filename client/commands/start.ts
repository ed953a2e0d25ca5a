// offboard start <user...> --by <admin> [--batch <id>] [--reason <text>] [--effective-at <ISO>]
//                [--successor <user>=<user>]... [--dry-run]
import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { type User, users } from '../../db/schema';
import { scanOpenItems } from '../../domain/open-items';
import {
  BATCH_ID_PATTERN,
  type BatchRejection,
  type BatchStatus,
  batchWorkflowId,
  MAX_EFFECTIVE_DELAY_DAYS,
  MAX_REASON_LENGTH,
  REASON_RULE,
  refuse,
  textProblem,
} from '../../workflows/contract';
import { type Command, type Ctx, flags, operationsOf, printItems, resolveUser, userLabel } from '../common';
import { type BatchDraft, generateBatchId, previewBatch, startBatch } from '../operations';

const startFlags = z.object({
  by: z.string({ error: 'is required (the admin starting the offboarding)' }).trim().min(1),
  batch: z.string().optional(),
  reason: z.string().optional(),
  'effective-at': z.string().optional(),
  successor: z.array(z.string()).default([]),
  'dry-run': z.boolean().default(false),
});

/** A future ISO date-time with a zone (Z or ±hh:mm), as the workflow waits for it. */
export function parseEffectiveAt(text: string | undefined, now = Date.now()): string | null {
  if (text === undefined) return null;
  if (!z.iso.datetime({ offset: true }).safeParse(text).success || !Number.isFinite(Date.parse(text))) {
    refuse('INVALID_INPUT', `--effective-at "${text.slice(0, 60)}" is not an ISO date-time with a zone, like 2030-01-31T17:00:00Z.`);
  }
  const at = new Date(text);
  if (at.getTime() <= now) refuse('EFFECTIVE_DATE_IN_PAST', `--effective-at ${at.toISOString()} is not in the future.`);
  if (at.getTime() > now + MAX_EFFECTIVE_DELAY_DAYS * 24 * 60 * 60 * 1000) {
    refuse('EFFECTIVE_DATE_TOO_FAR', `--effective-at ${at.toISOString()} is more than ${MAX_EFFECTIVE_DELAY_DAYS} days away.`);
  }
  return at.toISOString();
}

function printRejected(ctx: Ctx, rejected: readonly BatchRejection[]): void {
  if (rejected.length === 0) return;
  ctx.out.line('Skipped:');
  ctx.out.table(
    [
      { key: 'userId', title: 'USER', align: 'right' },
      { key: 'code', title: 'CODE' },
      { key: 'message', title: 'WHY', max: 90 },
    ],
    rejected,
  );
}

async function reportBatch(ctx: Ctx, db: Database, status: BatchStatus, created: boolean): Promise<void> {
  const ids = status.users.map((u) => u.userId);
  const items = await scanOpenItems(db, ids);
  const rows = ids.length ? await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids)) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const stageOf = new Map(status.users.map((u) => [u.userId, u.stage]));
  const lines = ids.map((userId) => ({
    userId,
    name: byId.get(userId)?.name ?? '',
    email: byId.get(userId)?.email ?? null,
    openItems: items.filter((i) => i.userId === userId).length,
    stage: stageOf.get(userId) ?? null,
  }));
  ctx.out.data({ batchId: status.batchId, workflowId: batchWorkflowId(status.batchId), created, phase: status.phase, users: lines, rejected: status.rejected });
  ctx.out.line(
    created
      ? `Started batch ${status.batchId} (workflow ${batchWorkflowId(status.batchId)}): ${lines.length} user(s) being offboarded.`
      : `Batch ${status.batchId} already exists (${status.phase}); no second batch was started. Its users:`,
  );
  ctx.out.table(
    [
      { key: 'userId', title: 'USER', align: 'right' },
      { key: 'name', title: 'NAME', max: 30 },
      { key: 'email', title: 'EMAIL', max: 36 },
      { key: 'openItems', title: 'OPEN ITEMS', align: 'right' },
      { key: 'stage', title: 'STAGE' },
    ],
    lines,
  );
  printRejected(ctx, status.rejected);
  ctx.out.line(`Follow it with: offboard status ${status.batchId}`);
}

export const start: Command = {
  name: 'start',
  synopsis:
    'start <user...> --by <admin> [--batch <id>] [--reason <text>] [--effective-at <ISO date-time>] [--successor <user>=<user>]... [--dry-run]',
  summary: 'Start offboarding a batch of users (or review it with --dry-run)',
  help: [
    '<user> is a numeric user ID or an email address.',
    '--by <admin>            the company directory admin starting the offboarding (required)',
    '--batch <id>            batch ID (default: b-<date>-<random>); the same command again reports the existing batch,',
    '                        the same ID with other users is refused (BATCH_ID_TAKEN)',
    `--reason <text>         why (kept with the inactivation; at most ${MAX_REASON_LENGTH} characters)`,
    '--effective-at <ISO>    inactivate no earlier than this future date-time, e.g. 2030-01-31T17:00:00Z',
    '--successor a=b         hand user a’s open items to user b first (repeatable, one successor per user)',
    '--dry-run               show the review (users, who is skipped and why, open items) and start nothing',
  ],
  options: {
    by: { type: 'string' },
    batch: { type: 'string' },
    reason: { type: 'string' },
    'effective-at': { type: 'string' },
    successor: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
  },
  positionals: { min: 1, max: Infinity, names: '<user...>' },
  async run(ctx, { values, positionals }) {
    const f = flags('start', startFlags, values);
    const batchId = f.batch ?? generateBatchId();
    if (!BATCH_ID_PATTERN.test(batchId)) {
      refuse('INVALID_INPUT', `--batch "${batchId.slice(0, 80)}" is not a batch ID (letters, digits, . _ -, at most 64, starting with a letter or digit).`);
    }
    const reasonProblem = f.reason === undefined ? undefined : textProblem(f.reason, REASON_RULE);
    if (reasonProblem) refuse('INVALID_INPUT', `--reason: ${reasonProblem.message}`);
    const effectiveAt = parseEffectiveAt(f['effective-at']);
    const db = await ctx.conn.db();
    const requester = await resolveUser(db, f.by);
    const people: User[] = [];
    for (const ref of positionals) people.push(await resolveUser(db, ref));
    const userIds = people.map((u) => u.id);
    const successors: Record<string, number> = {};
    /** The pair that named each user, to say which two pairs clash. */
    const pairOf = new Map<number, string>();
    for (const pair of f.successor) {
      const [from, to, ...rest] = pair.split('=');
      if (!from || !to || rest.length > 0) refuse('INVALID_INPUT', `--successor "${pair.slice(0, 80)}" must look like <user>=<user>.`);
      const a = await resolveUser(db, from);
      const b = await resolveUser(db, to);
      if (!userIds.includes(a.id)) refuse('INVALID_INPUT', `--successor ${from}: user ${a.id} is not in this batch.`);
      if (userIds.includes(b.id)) refuse('TARGET_BEING_OFFBOARDED', `--successor ${to}: user ${b.id} is in this batch too; choose someone staying.`);
      if (a.id === b.id) refuse('TARGET_SAME_USER', `--successor ${pair}: a user cannot succeed themselves.`);
      // A second pair for the same user would silently replace the first (the last one won).
      const earlier = pairOf.get(a.id);
      if (earlier !== undefined) refuse('INVALID_INPUT', `--successor names user ${a.id} twice (${earlier.slice(0, 80)} and ${pair.slice(0, 80)}); give each user one successor.`);
      pairOf.set(a.id, pair);
      successors[String(a.id)] = b.id;
    }

    const draft: BatchDraft = { batchId, userIds, reason: f.reason ?? null, effectiveAt, successors };
    if (f['dry-run']) {
      // Requester refusals (not an admin, inactive) fail the review exactly as they would the batch.
      const review = await previewBatch(operationsOf(ctx), requester.id, draft);
      const accepted = review.accepted.map((u) => ({ userId: u.userId, name: u.name, email: u.email, openItems: u.items.length, items: u.items }));
      ctx.out.data({ dryRun: true, batchId, requestedBy: requester.id, effectiveAt, successors, users: accepted, skipped: review.rejected });
      ctx.out.line(`Review of batch ${batchId} requested by ${userLabel(requester)} — nothing was started.`);
      if (effectiveAt) ctx.out.line(`Effective at: ${effectiveAt}`);
      ctx.out.line(`Would offboard ${accepted.length} user(s):`);
      for (const u of accepted) {
        ctx.out.line();
        const succ = successors[String(u.userId)];
        printItems(
          ctx.out,
          u.items,
          `${u.name} (${u.userId}${u.email ? `, ${u.email}` : ''}): ${u.openItems} open item(s)${succ ? `, successor user ${succ}` : ''}`,
        );
      }
      if (review.rejected.length > 0) ctx.out.line();
      printRejected(ctx, review.rejected);
      return;
    }

    const started = await startBatch(operationsOf(ctx), requester.id, draft);
    await reportBatch(ctx, db, started.status, started.created);
  },
};
