// A batch's digests, built from the database at the moment of each round (issue 25): the batch
// workflow says whom a round is about; this reads who still has a running offboarding and which items
// are open now, groups them by whom they go to, and sends one email per recipient through the outbox.
// Each email's idempotency key is the round's key plus its kind and recipient, so a retried round
// sends only what it has not sent; the content of a sent one is the stored one, never a re-reading.
import { sql } from 'drizzle-orm';
import type { ActionDigestsInput, ClosingDigestsInput, DigestNotification, DigestPerson, DigestsResult, ItemResolution, OpenItem, WaitingDigestsInput } from '../../workflows/contract';
import { z } from 'zod';
import { intArrayParam } from '../../db/int-array';
import { BATCH_ID_PATTERN, MAX_BATCH_SIZE } from '../../workflows/contract';
import { refuse } from '../refusal';
import { scanOpenItems } from '../open-items';
import { createNotificationSender, type NotificationDeps } from './outbox';

type Running = { offboardingId: number; userId: number; managerId: number | null };

const round = z.object({
  batchId: z.string().regex(BATCH_ID_PATTERN),
  workflowId: z.string().min(1).max(200),
  // The key plus `:<kind>:<recipient>` stays within the outbox's 300 characters.
  key: z.string().min(1).max(200),
  requestedBy: z.number().int().positive().max(2_147_483_647),
});
const userIds = z.array(z.number().int().positive().max(2_147_483_647)).max(MAX_BATCH_SIZE);
const waiting = z.array(z.object({ userId: z.number().int().positive().max(2_147_483_647), since: z.string().datetime({ offset: true }) })).max(MAX_BATCH_SIZE);
const schemas = {
  action: round.extend({ userIds, newItems: userIds, effectiveAt: z.string().datetime({ offset: true }).nullable() }),
  waiting: round.extend({ waiting, escalate: waiting, deadline: waiting.optional(), round: z.number().int().nonnegative() }),
  closing: round.extend({ userIds }),
};

/** The workflow's input, or INVALID_INPUT with the first thing wrong (nothing is read or sent). */
function parsed<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) refuse('INVALID_INPUT', `digest round: ${r.error.issues[0]?.path.join('.') || 'input'}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** Key of the group without a manager on record: its digest goes wherever recipients.ts falls back to. */
const NO_MANAGER = 'none';

export function createDigestSender(deps: NotificationDeps & { heartbeat?: () => void }) {
  const { db } = deps;
  const sender = createNotificationSender(deps);
  const beat = deps.heartbeat ?? (() => undefined);

  /** Sends every email, even when one fails; then throws the first failure (the retry sends the rest). */
  async function sendAll(round: { key: string; workflowId: string }, emails: { recipient: string; notification: DigestNotification }[]): Promise<DigestsResult> {
    let failure: Error | undefined;
    for (const { recipient, notification } of emails) {
      try {
        await sender.sendNotification({ idempotencyKey: `${round.key}:${notification.kind}:${recipient}`, workflowId: round.workflowId, notification });
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
      beat();
    }
    if (failure !== undefined) throw failure;
    return { emails: emails.length };
  }

  /** The people of `userIds` whose offboarding in this batch still runs, with their manager. */
  async function running(batchId: string, userIds: readonly number[]): Promise<Running[]> {
    if (userIds.length === 0) return [];
    return db.execute<Running>(sql`
      select o.id as "offboardingId", o.user_id as "userId", u.manager_id as "managerId"
        from offboardings o join users u on u.id = o.user_id
       where o.batch_id = ${batchId} and o.ended_at is null and o.user_id = any(${intArrayParam(userIds)})
       order by o.user_id`);
  }

  /** The running ones with open items now, each with them. */
  async function withItems(people: Running[]): Promise<{ person: Running; items: OpenItem[] }[]> {
    const items = people.length > 0 ? await scanOpenItems(db, people.map((p) => p.userId)) : [];
    const byUser = new Map<number, OpenItem[]>();
    for (const item of items) byUser.set(item.userId, [...(byUser.get(item.userId) ?? []), item]);
    return people.flatMap((person) => {
      const open = byUser.get(person.userId) ?? [];
      return open.length > 0 ? [{ person, items: open }] : [];
    });
  }

  function byManager<T extends { person: Running }>(rows: T[]): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const r of rows) {
      const key = r.person.managerId === null ? NO_MANAGER : String(r.person.managerId);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return groups;
  }

  const managerOf = (key: string): number | null => (key === NO_MANAGER ? null : Number(key));

  async function sendActionDigests(given: ActionDigestsInput): Promise<DigestsResult> {
    const input = parsed(schemas.action, given);
    const newItems = new Set(input.newItems);
    const open = await withItems(await running(input.batchId, [...input.userIds, ...input.newItems]));
    const emails = [...byManager(open)].map(([key, rows]) => ({
      recipient: key,
      notification: {
        kind: 'action-needed-digest' as const,
        batchId: input.batchId,
        requestedBy: input.requestedBy,
        recipientId: managerOf(key),
        effectiveAt: input.effectiveAt,
        round: 0,
        people: rows.map(({ person, items }): DigestPerson => ({
          userId: person.userId,
          offboardingId: person.offboardingId,
          items,
          waitingSince: null,
          newItems: newItems.has(person.userId),
        })),
      },
    }));
    return sendAll(input, emails);
  }

  async function sendWaitingDigests(given: WaitingDigestsInput): Promise<DigestsResult> {
    const input = parsed(schemas.waiting, given);
    const pastDeadline = new Set((input.deadline ?? []).map((w) => w.userId));
    const since = new Map([...input.waiting, ...input.escalate, ...(input.deadline ?? [])].map((w) => [w.userId, w.since]));
    const open = await withItems(await running(input.batchId, [...since.keys()].sort((a, b) => a - b)));
    const person = ({ person: p, items }: { person: Running; items: OpenItem[] }): DigestPerson => ({
      userId: p.userId,
      offboardingId: p.offboardingId,
      items,
      waitingSince: since.get(p.userId) ?? null,
      newItems: false,
      ...(pastDeadline.has(p.userId) ? { pastDeadline: true } : {}),
    });
    const common = { batchId: input.batchId, requestedBy: input.requestedBy, effectiveAt: null, round: input.round };
    const remind = new Set(input.waiting.map((w) => w.userId));
    const emails: { recipient: string; notification: DigestNotification }[] = [...byManager(open.filter((o) => remind.has(o.person.userId)))].map(
      ([key, rows]) => ({ recipient: key, notification: { kind: 'reminder-digest', ...common, recipientId: managerOf(key), people: rows.map(person) } }),
    );
    // Past the escalation time or past the deadline (still holding items after the deadline's action): one list.
    const escalate = new Set([...input.escalate.map((w) => w.userId), ...pastDeadline]);
    const escalated = open.filter((o) => escalate.has(o.person.userId));
    if (escalated.length > 0) {
      // The requester and every active company admin with an address, each their own email (their own links).
      const leaving = new Set(escalated.map((o) => o.person.userId));
      const admins = await db.execute<{ id: number }>(sql`
        select id from users where status = 'active' and email is not null
           and (id = ${input.requestedBy} or directory_permission = 'admin') order by id`);
      for (const { id } of admins.filter((a) => !leaving.has(a.id))) {
        emails.push({ recipient: String(id), notification: { kind: 'escalation-digest', ...common, recipientId: id, people: escalated.map(person) } });
      }
    }
    return sendAll(input, emails);
  }

  async function sendClosingDigests(given: ClosingDigestsInput): Promise<DigestsResult> {
    const input = parsed(schemas.closing, given);
    if (input.userIds.length === 0) return { emails: 0 };
    const ids = intArrayParam(input.userIds);
    // The newest offboarding of each user in this batch (a user is in a batch once).
    const ended = await db.execute<{ id: number; userId: number; managerId: number | null; outcome: string | null; inactivatedAt: string | null }>(sql`
      select distinct on (o.user_id) o.id, o.user_id as "userId", u.manager_id as "managerId", o.outcome::text as outcome,
             to_json(u.inactivated_at) #>> '{}' as "inactivatedAt"
        from offboardings o join users u on u.id = o.user_id
       where o.batch_id = ${input.batchId} and o.user_id = any(${ids}) and o.ended_at is not null
       order by o.user_id, o.id desc`);
    const offboardingIds = intArrayParam(ended.map((e) => e.id));
    // What each offboarding did to its items, from the audit log (its rows carry the user workflow's ID).
    const done = ended.length === 0 ? [] : await db.execute<{ userId: number; after: ItemResolution }>(sql`
      select o.user_id as "userId", a.after from offboardings o
        join audit_log a on a.workflow_id = o.workflow_id and a.at >= o.started_at and a.at <= o.ended_at
       where o.id = any(${offboardingIds}) and a.action in ('item.reassigned', 'item.closed', 'timecard.final-recorded')
       order by a.id`);
    const leftOpen = ended.length === 0 ? [] : await db.execute<{ userId: number; left: number }>(sql`
      select o.user_id as "userId", coalesce(jsonb_array_length(a.after -> 'itemsLeftOpen'), 0)::int as left from offboardings o
        join audit_log a on a.workflow_id = o.workflow_id and a.action = 'user.inactivated' and a.at >= o.started_at and a.at <= o.ended_at
       where o.id = any(${offboardingIds})`);
    const left = new Map(leftOpen.map((l) => [l.userId, l.left]));
    const emails: { recipient: string; notification: DigestNotification }[] = [];
    const managers = new Map<number, { userId: number; inactivatedAt: string; handedOver: number; closed: number; leftOpen: number }[]>();
    for (const e of ended) {
      if (e.outcome !== 'inactivated' || e.managerId === null) continue;
      const mine = done.filter((d) => d.userId === e.userId);
      managers.set(e.managerId, [
        ...(managers.get(e.managerId) ?? []),
        {
          userId: e.userId,
          inactivatedAt: e.inactivatedAt ?? '',
          handedOver: mine.filter((d) => d.after.action === 'reassigned').length,
          closed: mine.filter((d) => d.after.action !== 'reassigned').length,
          leftOpen: left.get(e.userId) ?? 0,
        },
      ]);
    }
    for (const [managerId, people] of managers) {
      emails.push({ recipient: String(managerId), notification: { kind: 'inactivated-digest', batchId: input.batchId, requestedBy: input.requestedBy, recipientId: managerId, people } });
    }
    const owners = new Map<number, ItemResolution[]>();
    for (const { after } of done) {
      if (after.action === 'reassigned' && after.toUserId !== null) owners.set(after.toUserId, [...(owners.get(after.toUserId) ?? []), after]);
    }
    for (const [ownerId, received] of owners) {
      emails.push({ recipient: String(ownerId), notification: { kind: 'items-received-digest', batchId: input.batchId, requestedBy: input.requestedBy, recipientId: ownerId, received } });
    }
    return sendAll(input, emails);
  }

  return { sendActionDigests, sendWaitingDigests, sendClosingDigests };
}
