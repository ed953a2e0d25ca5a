// offboard start <user...> --by <admin> [--batch <id>] [--reason <text>] [--effective-at <ISO>]
//                [--successor <user>=<user>]... [--remind-every <days>] [--escalate-after <days>]
//                [--deadline <days> [--deadline-action <action>]] [--force] [--dry-run]
// The options are checked by client/batch-options.ts, as the web's review form checks them.
import { z } from 'zod';
import type { Database } from '../../../db/client';
import type { User } from '../../../db/schema';
import { usersByIds } from '../../../domain/directory';
import { scanOpenItems } from '../../../domain/open-items';
import {
  BATCH_ID_PATTERN,
  type BatchRejection,
  type BatchStatus,
  batchWorkflowId,
  DEADLINE_ACTIONS,
  MAX_REASON_LENGTH,
  refuse,
} from '../../../workflows/contract';
import { checkReason, checkSuccessors, parseEffectiveAt, policyFields, policyOf } from '../../batch-options';
import { type Command, type Ctx, flags, operationsOf, printItems, resolveUser, userLabel } from '../common';
import { type BatchDraft, batchWithId, generateBatchId, previewBatch, startBatch } from '../../operations';

const startFlags = z
  .object({
    by: z.string({ error: 'is required (the admin starting the offboarding)' }).trim().min(1),
    batch: z.string().optional(),
    reason: z.string().optional(),
    'effective-at': z.string().optional(),
    successor: z.array(z.string()).default([]),
    'dry-run': z.boolean().default(false),
  })
  .extend(policyFields.shape);

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
  const rows = await usersByIds(db, ids);
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
    'start <user...> --by <admin> [--batch <id>] [--reason <text>] [--effective-at <ISO date-time>] [--successor <user>=<user>]... [--remind-every <days>] [--escalate-after <days>] [--deadline <days> [--deadline-action <action>]] [--force] [--dry-run]',
  summary: 'Start offboarding a batch of users (or review it with --dry-run)',
  help: [
    '<user> is a numeric user ID or an email address.',
    '--by <admin>            the company directory admin starting the offboarding (required)',
    '--batch <id>            batch ID (default: b-<date>-<random>); the same command again reports the existing batch,',
    '                        the same ID with other users is refused (BATCH_ID_TAKEN)',
    `--reason <text>         why (kept with the inactivation; at most ${MAX_REASON_LENGTH} characters)`,
    '--effective-at <ISO>    inactivate no earlier than this future date-time, e.g. 2030-01-31T17:00:00Z',
    '--successor a=b         hand user a’s open items to user b first (repeatable, one successor per user)',
    '--remind-every <days>   remind the manager every so many days (default 2)',
    '--escalate-after <days> tell the admins after so many days of waiting (default 7)',
    '--deadline <days>       after so many days, --deadline-action: escalate-only (default) or reassign-to-manager',
    `--deadline-action <a>   ${DEADLINE_ACTIONS.join(' | ')}`,
    '--force                 inactivate even with open items (they stay assigned to the person, recorded in the result)',
    '--dry-run               show the review (users, who is skipped and why, open items) and start nothing;',
    '                        a --batch already used for other users is refused as the start would be',
  ],
  options: {
    by: { type: 'string' },
    batch: { type: 'string' },
    reason: { type: 'string' },
    'effective-at': { type: 'string' },
    successor: { type: 'string', multiple: true },
    'remind-every': { type: 'string' },
    'escalate-after': { type: 'string' },
    deadline: { type: 'string' },
    'deadline-action': { type: 'string' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: { min: 1, max: Infinity, names: '<user...>' },
  async run(ctx, { values, positionals }) {
    const f = flags('start', startFlags, values);
    const batchId = f.batch ?? generateBatchId();
    if (!BATCH_ID_PATTERN.test(batchId)) {
      refuse('INVALID_INPUT', `--batch "${batchId.slice(0, 80)}" is not a batch ID (letters, digits, . _ -, at most 64, starting with a letter or digit).`);
    }
    const reason = checkReason(f.reason, { required: false });
    const effectiveAt = parseEffectiveAt(f['effective-at']);
    const policy = policyOf(f);
    const db = await ctx.conn.db();
    const requester = await resolveUser(db, f.by);
    const people: User[] = [];
    for (const ref of positionals) people.push(await resolveUser(db, ref));
    const userIds = people.map((u) => u.id);
    const pairs: { from: number; to: number; label: string; name: string }[] = [];
    for (const pair of f.successor) {
      const [from, to, ...rest] = pair.split('=');
      if (!from || !to || rest.length > 0) refuse('INVALID_INPUT', `--successor "${pair.slice(0, 80)}" must look like <user>=<user>.`);
      pairs.push({ from: (await resolveUser(db, from)).id, to: (await resolveUser(db, to)).id, label: `--successor ${pair.slice(0, 80)}`, name: pair });
    }
    const successors = checkSuccessors(userIds, pairs);

    const draft: BatchDraft = { batchId, userIds, reason, effectiveAt, successors, policy };
    if (f['dry-run']) {
      // Requester refusals (not an admin, inactive) fail the review exactly as they would the batch.
      const review = await previewBatch(operationsOf(ctx), requester.id, draft);
      // A --batch in use: other users are BATCH_ID_TAKEN here as in the real start, not after it.
      const existing = f.batch === undefined ? undefined : await batchWithId(operationsOf(ctx), batchId, userIds);
      const accepted = review.accepted.map((u) => ({ userId: u.userId, name: u.name, email: u.email, openItems: u.items.length, items: u.items }));
      ctx.out.data({ dryRun: true, batchId, existing: existing !== undefined, requestedBy: requester.id, effectiveAt, successors, policy, users: accepted, skipped: review.rejected });
      ctx.out.line(`Review of batch ${batchId} requested by ${userLabel(requester)} — nothing was started.`);
      if (existing) ctx.out.line(`Batch ${batchId} already exists for these users (${existing.phase}): a start would answer with it and start nothing new.`);
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
