// offboard start <user...> --by <admin> [--batch <id>] [--reason <text>] [--effective-at <ISO>]
//                [--successor <user>=<user>]... [--dry-run]
import { randomBytes } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { scanOpenItems } from '../../domain/open-items';
import type { Database } from '../../db/client';
import { inArray } from 'drizzle-orm';
import { type User, users } from '../../db/schema';
import {
  BATCH_ID_PATTERN,
  type BatchRejection,
  type BatchStatus,
  batchStatusQuery,
  batchWorkflowId,
  MAX_EFFECTIVE_DELAY_DAYS,
  MAX_REASON_LENGTH,
  REASON_RULE,
  type OffboardingBatchInput,
  type OpenItem,
  refuse,
} from '../../workflows/contract';
import { textProblem } from '../../workflows/contract';
import { startBatchWorkflow } from '../start-batch';
import { type Command, type Ctx, flags, printItems, resolveUser, sleep, statusOf, userLabel } from '../common';
import { reviewBatch } from '../../domain/batch-review';
import { queryBatch } from './batch';

const startFlags = z.object({
  by: z.string({ error: 'is required (the admin starting the offboarding)' }).trim().min(1),
  batch: z.string().optional(),
  reason: z.string().optional(),
  'effective-at': z.string().optional(),
  successor: z.array(z.string()).default([]),
  'dry-run': z.boolean().default(false),
});

export function generateBatchId(now = new Date()): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `b-${date}-${randomBytes(3).toString('hex')}`;
}

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

type UserLine = { userId: number; name: string; email: string | null; openItems: number; items?: OpenItem[] };

async function usersWithItems(db: Database, ids: readonly number[], withItems: boolean): Promise<UserLine[]> {
  if (ids.length === 0) return [];
  const items = await scanOpenItems(db, ids);
  const rows = await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, [...ids]));
  const names = new Map(rows.map((r) => [r.id, r]));
  return ids.map((userId) => {
    const own = items.filter((i) => i.userId === userId);
    const n = names.get(userId);
    return { userId, name: n?.name ?? '', email: n?.email ?? null, openItems: own.length, ...(withItems ? { items: own } : {}) };
  });
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

async function waitForValidation(handle: WorkflowHandle): Promise<BatchStatus> {
  const until = Date.now() + 60_000;
  for (;;) {
    const state = await statusOf(handle);
    if (state !== undefined && state !== 'RUNNING' && state !== 'CONTINUED_AS_NEW') {
      if (state !== 'COMPLETED') await handle.result(); // throws: the refusal (e.g. PERMISSION_DENIED)
    }
    try {
      const s = await handle.query(batchStatusQuery);
      if (s.phase !== 'validating') return s;
    } catch {
      // the first workflow task may not have run yet
    }
    if (Date.now() > until) throw new Error(`batch ${handle.workflowId} is still validating after 60 s; see \`offboard status\``);
    await sleep(200);
  }
}

/** How many user IDs a BATCH_ID_TAKEN message lists on each side. */
const IDS_NAMED = 10;

/**
 * A start with the ID of an existing batch. The same users (in any order, by ID or email) are the same
 * command again: the existing batch is reported, so retrying is safe. Other users are BATCH_ID_TAKEN:
 * reporting the old batch would leave the new users silently not offboarded.
 */
async function reportExisting(ctx: Ctx, db: Database, client: Client, batchId: string, userIds: readonly number[]): Promise<void> {
  await waitForValidation(client.workflow.getHandle(batchWorkflowId(batchId)));
  const status = await queryBatch(client, batchId);
  // Whom the batch was asked for: the users it took on and those it skipped at validation.
  const theirs = new Set([...status.users.map((u) => u.userId), ...status.rejected.map((r) => r.userId)]);
  const mine = new Set(userIds);
  const notInIt = [...mine].filter((id) => !theirs.has(id));
  const notNamed = [...theirs].filter((id) => !mine.has(id));
  if (notInIt.length > 0 || notNamed.length > 0) {
    const ids = (list: number[]) => `${list.slice(0, IDS_NAMED).join(', ')}${list.length > IDS_NAMED ? `, … (${list.length})` : ''}`;
    const parts = [...(notInIt.length ? [`not in it: ${ids(notInIt)}`] : []), ...(notNamed.length ? [`in it but not named here: ${ids(notNamed)}`] : [])];
    refuse('BATCH_ID_TAKEN', `Batch ${status.batchId} already exists for other users (${parts.join('; ')}); nothing was started.`);
  }
  await reportBatch(ctx, db, status, false);
}

async function reportBatch(ctx: Ctx, db: Database, status: BatchStatus, created: boolean): Promise<void> {
  const lines = await usersWithItems(db, status.users.map((u) => u.userId), false);
  const stageOf = new Map(status.users.map((u) => [u.userId, u.stage]));
  const rows = lines.map((l) => ({ ...l, stage: stageOf.get(l.userId) ?? null }));
  ctx.out.data({ batchId: status.batchId, workflowId: batchWorkflowId(status.batchId), created, phase: status.phase, users: rows, rejected: status.rejected });
  ctx.out.line(
    created
      ? `Started batch ${status.batchId} (workflow ${batchWorkflowId(status.batchId)}): ${rows.length} user(s) being offboarded.`
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
    rows,
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

    if (f['dry-run']) {
      // Requester refusals (not an admin, inactive) fail the review exactly as they would the batch.
      const review = await reviewBatch(db, { batchId, requestedBy: requester.id, userIds, reason: f.reason ?? null, effectiveAt, successors });
      const accepted = await usersWithItems(db, review.accepted, true);
      ctx.out.data({ dryRun: true, batchId, requestedBy: requester.id, effectiveAt, successors, users: accepted, skipped: review.rejected });
      ctx.out.line(`Review of batch ${batchId} requested by ${userLabel(requester)} — nothing was started.`);
      if (effectiveAt) ctx.out.line(`Effective at: ${effectiveAt}`);
      ctx.out.line(`Would offboard ${accepted.length} user(s):`);
      for (const u of accepted) {
        ctx.out.line();
        const succ = successors[String(u.userId)];
        printItems(
          ctx.out,
          u.items ?? [],
          `${u.name} (${u.userId}${u.email ? `, ${u.email}` : ''}): ${u.openItems} open item(s)${succ ? `, successor user ${succ}` : ''}`,
        );
      }
      if (review.rejected.length > 0) ctx.out.line();
      printRejected(ctx, review.rejected);
      return;
    }

    // Pre-flight: the requester checks answer here (exit 1) instead of as a failed workflow. It comes
    // before looking the batch ID up, so only an active admin learns anything about an existing batch.
    await reviewBatch(db, { batchId, requestedBy: requester.id, userIds, reason: f.reason ?? null, effectiveAt, successors });
    const client = await ctx.conn.temporal();
    const handle = client.workflow.getHandle(batchWorkflowId(batchId));
    if ((await statusOf(handle)) !== undefined) {
      await reportExisting(ctx, db, client, batchId, userIds);
      return;
    }
    const input: OffboardingBatchInput = {
      batchId,
      userIds,
      requestedBy: requester.id,
      reason: f.reason ?? null,
      effectiveAt,
      successors,
      policy: {},
    };
    try {
      await startBatchWorkflow(client, ctx.conn.settings.taskQueue, input);
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      // Started by someone else a moment ago.
      await reportExisting(ctx, db, client, batchId, userIds);
      return;
    }
    await reportBatch(ctx, db, await waitForValidation(handle), true);
  },
};
