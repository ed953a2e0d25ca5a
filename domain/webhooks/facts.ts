// What each event says, written where its fact is committed (events.ts explains the outbox). One
// function per place in the domain that raises events, each called inside that place's transaction:
//  - offboarding.started       claimOffboarding, when the claim row is inserted
//  - offboarding.waiting       the outbox, when the manager's first "items to hand over" notice is written
//                              (the moment the offboarding starts waiting on people; a successor who
//                              took everything means no notice and no such event): the person's own
//                              notice, or, for a batch's people, the first digest that lists them
//  - user.inactivated          inactivateUser, with the user row's update
//  - user.reactivated          reactivateUser, likewise
//  - batch.completed           the outbox, when the batch summary (written once, when every child has
//                              ended) is stored
//  - item.held-by-inactive-user  the work import, for each open item that arrives held by an inactive person
import type { OutboxInput } from '../notifications/outbox';
import type { DbOrTx } from '../../db/transaction';
import { companiesListening, eventPeople, personOf, recordWebhookEvent } from './events';

export type Claim = { claimId: number; userId: number; batchId: string | null; workflowId: string; requestedBy: number };

/**
 * One event per new claim. A batch claims up to 1,000 people in one statement: their companies are
 * asked once whether anyone subscribes, so a batch nobody listens to costs two queries, not 1,000.
 */
export async function offboardingsStarted(db: DbOrTx, claims: readonly Claim[]): Promise<void> {
  if (claims.length === 0) return;
  const people = await eventPeople(db, claims.flatMap((c) => [c.userId, c.requestedBy]));
  const listening = await companiesListening(db, [...new Set([...people.values()].map((p) => p.company))], 'offboarding.started');
  for (const claim of claims) {
    const user = people.get(claim.userId);
    if (!user || !listening.has(user.company)) continue;
    const requester = people.get(claim.requestedBy);
    await recordWebhookEvent(db, {
      type: 'offboarding.started',
      company: user.company,
      dedupeKey: `offboarding.started:${claim.claimId}`,
      data: { user: personOf(user), batchId: claim.batchId, requestedBy: requester ? personOf(requester) : { id: claim.requestedBy }, offboardingId: claim.claimId },
    });
  }
}

export async function userInactivated(db: DbOrTx, fact: { userId: number; inactivatedAt: string; actorId: number; reason: string | null; forced: boolean; itemsLeftOpen: number; workflowId: string }): Promise<void> {
  const user = (await eventPeople(db, [fact.userId])).get(fact.userId);
  if (!user) return;
  await recordWebhookEvent(db, {
    type: 'user.inactivated',
    company: user.company,
    dedupeKey: `user.inactivated:${fact.userId}:${fact.inactivatedAt}`,
    data: { user: personOf(user), inactivatedAt: fact.inactivatedAt, by: fact.actorId, reason: fact.reason, forced: fact.forced, itemsLeftOpen: fact.itemsLeftOpen },
  });
}

export async function userReactivated(db: DbOrTx, fact: { userId: number; reactivatedAt: string; actorId: number; reason: string | null; requestId: string }): Promise<void> {
  const user = (await eventPeople(db, [fact.userId])).get(fact.userId);
  if (!user) return;
  await recordWebhookEvent(db, {
    type: 'user.reactivated',
    company: user.company,
    dedupeKey: `user.reactivated:${fact.requestId}`,
    data: { user: personOf(user), reactivatedAt: fact.reactivatedAt, by: fact.actorId, reason: fact.reason },
  });
}

/** The events a notification stands for, stored with its outbox rows (same transaction, same key). */
export async function notificationFacts(db: DbOrTx, input: OutboxInput): Promise<void> {
  const n = input.notification;
  if (n.kind === 'items-assigned' && !n.newSinceLastNotice) {
    const people = await eventPeople(db, [n.userId, n.requestedBy]);
    const user = people.get(n.userId);
    if (!user) return;
    await recordWebhookEvent(db, {
      type: 'offboarding.waiting',
      company: user.company,
      dedupeKey: `offboarding.waiting:${input.idempotencyKey}`,
      data: {
        user: personOf(user),
        batchId: n.batchId,
        effectiveAt: n.effectiveAt,
        openItems: n.items.length,
        items: n.items.slice(0, 100).map((i) => ({ key: i.key, tool: i.tool, role: i.role, projectId: i.projectId, number: i.number, title: i.title, status: i.status })),
      },
    });
  } else if (n.kind === 'action-needed-digest') {
    // A batch's people ask their manager in one digest: one event per person the first time they are
    // in one (keyed by their offboarding, so a digest sent to a fallback recipient too adds nothing).
    const first = n.people.filter((p) => !p.newItems);
    const people = await eventPeople(db, first.map((p) => p.userId));
    for (const p of first) {
      const user = people.get(p.userId);
      if (!user) continue;
      await recordWebhookEvent(db, {
        type: 'offboarding.waiting',
        company: user.company,
        dedupeKey: `offboarding.waiting:offboarding-${p.offboardingId}`,
        data: {
          user: personOf(user),
          batchId: n.batchId,
          effectiveAt: n.effectiveAt,
          openItems: p.items.length,
          items: p.items.slice(0, 100).map((i) => ({ key: i.key, tool: i.tool, role: i.role, projectId: i.projectId, number: i.number, title: i.title, status: i.status })),
        },
      });
    }
  } else if (n.kind === 'batch-summary') {
    const s = n.summary;
    const requester = (await eventPeople(db, [n.requestedBy])).get(n.requestedBy);
    if (!requester) return;
    await recordWebhookEvent(db, {
      type: 'batch.completed',
      company: requester.company,
      dedupeKey: `batch.completed:${input.idempotencyKey}`,
      data: {
        batchId: n.batchId,
        requestedBy: personOf(requester),
        counts: { inactivated: s.inactivated.length, removed: s.removed.length, cancelled: s.cancelled.length, failed: s.failed.length, rejected: s.rejected.length },
        inactivated: s.inactivated,
        removed: s.removed,
        cancelled: s.cancelled,
        failed: s.failed.map((f) => ({ userId: f.userId, reason: f.reason })),
      },
    });
  }
}

export type HeldItem = { tool: string; externalId: string; itemId: number; role: string; userId: number };

/** Open items that arrived held by an inactive person (the work import's heldByInactiveUser). */
export async function itemsHeldByInactiveUsers(db: DbOrTx, held: readonly HeldItem[]): Promise<void> {
  if (held.length === 0) return;
  const people = await eventPeople(db, held.map((h) => h.userId));
  for (const h of held) {
    const user = people.get(h.userId);
    if (!user) continue;
    await recordWebhookEvent(db, {
      type: 'item.held-by-inactive-user',
      company: user.company,
      // Once per (item, role, person): importing the same file again tells nobody twice.
      dedupeKey: `item.held-by-inactive-user:${h.tool}:${h.itemId}:${h.role}:${h.userId}`,
      data: { item: { tool: h.tool, externalId: h.externalId, id: h.itemId }, role: h.role, user: personOf(user) },
    });
  }
}
