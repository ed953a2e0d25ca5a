// A connection's webhook subscriptions: a URL, the events it wants, and a signing secret shown once.
//
// The secret is stored as given out, not hashed and not encrypted. Standard Webhooks signs with
// HMAC-SHA256, so the sender must hold the secret itself (a hash cannot sign). Encrypting it with a
// key the worker holds would protect a stolen database dump only, while anyone who can read the
// database can already read every event body (and anyone who can write it can add subscriptions);
// the payload key (OFFBOARDING_PAYLOAD_KEY) guards Temporal's history, which never sees the secret.
// So the secret is as sensitive as the database, never leaves it except in the one answer to the
// POST, and is rotated by creating a new subscription and deleting the old one.
//
// A subscription is never deleted: DELETE sets deleted_at (no more deliveries; the log stays).
import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { webhookSubscriptions } from '../../db/schema';
import { refuse } from '../refusal';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './events';
import { checkWebhookTarget } from './target-guard';

/** Enough for any real integration; a runaway script cannot make a company's every event fan out a thousand times. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;

export type WebhookSubscriptionInfo = {
  id: number;
  connectionId: number;
  url: string;
  events: WebhookEventType[];
  status: 'enabled' | 'disabled';
  createdAt: Date;
  disabledAt: Date | null;
  disabledReason: string | null;
  deliveries: { delivered: number; pending: number; failed: number };
  /** Failed attempts since the last delivered one (what decides whether the endpoint is down). */
  failuresSinceLastSuccess: number;
  lastAttemptAt: Date | null;
};

const isEventType = (e: string): e is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e);

/** `whsec_` and 32 random bytes in base64: the Standard Webhooks secret format. */
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export async function createWebhookSubscription(
  db: Database,
  input: { connectionId: number; url: string; events: readonly string[]; createdBy: string; allowPrivateTargets: boolean },
): Promise<{ secret: string; subscription: WebhookSubscriptionInfo }> {
  const unknown = input.events.filter((e) => !isEventType(e));
  if (unknown.length > 0) refuse('INVALID_INPUT', `Unknown event ${unknown.map((e) => `"${e.slice(0, 60)}"`).join(', ')}; the events are ${WEBHOOK_EVENT_TYPES.join(', ')}.`);
  const events = [...new Set(input.events)].filter(isEventType);
  if (events.length === 0) refuse('INVALID_INPUT', `Subscribe to at least one event: ${WEBHOOK_EVENT_TYPES.join(', ')}.`);
  const url = await checkWebhookTarget(input.url, input.allowPrivateTargets);
  const secret = newSecret();
  const id = await db.transaction(async (tx) => {
    // One subscription at a time per connection past this point, so the limit holds under concurrency.
    await tx.execute(sql`select id from connections where id = ${input.connectionId} for update`);
    const [{ live } = { live: 0 }] = await tx
      .select({ live: sql<number>`count(*)::int` })
      .from(webhookSubscriptions)
      .where(and(eq(webhookSubscriptions.connectionId, input.connectionId), isNull(webhookSubscriptions.deletedAt)));
    if (live >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      refuse('INVALID_INPUT', `A connection has at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} webhook subscriptions; delete one first. Nothing was stored.`);
    }
    const [row] = await tx
      .insert(webhookSubscriptions)
      .values({ connectionId: input.connectionId, url: url.href, events, secret, createdBy: input.createdBy })
      .returning({ id: webhookSubscriptions.id });
    return row!.id;
  });
  const [subscription] = await listWebhookSubscriptions(db, input.connectionId, { ids: [id], limit: 1 });
  return { secret, subscription: subscription! };
}

/** A connection's live subscriptions in ID order (cursor: the last ID seen), with their delivery counts. */
export async function listWebhookSubscriptions(
  db: Database,
  connectionId: number,
  page: { afterId?: number; limit: number; ids?: readonly number[] },
): Promise<WebhookSubscriptionInfo[]> {
  const rows = await db
    .select({
      id: webhookSubscriptions.id,
      connectionId: webhookSubscriptions.connectionId,
      url: webhookSubscriptions.url,
      events: webhookSubscriptions.events,
      createdAt: webhookSubscriptions.createdAt,
      disabledAt: webhookSubscriptions.disabledAt,
      disabledReason: webhookSubscriptions.disabledReason,
      delivered: sql<number>`(select count(*)::int from webhook_deliveries d where d.subscription_id = webhook_subscriptions.id and d.status = 'delivered')`,
      pending: sql<number>`(select count(*)::int from webhook_deliveries d where d.subscription_id = webhook_subscriptions.id and d.status = 'pending')`,
      failed: sql<number>`(select count(*)::int from webhook_deliveries d where d.subscription_id = webhook_subscriptions.id and d.status = 'failed')`,
      failuresSinceLastSuccess: sql<number>`(select count(*)::int from webhook_attempts a where a.subscription_id = webhook_subscriptions.id and not a.ok
        and a.id > coalesce((select max(b.id) from webhook_attempts b where b.subscription_id = webhook_subscriptions.id and b.ok), 0))`,
      lastAttemptAt: sql<string | null>`(select max(a.at) from webhook_attempts a where a.subscription_id = webhook_subscriptions.id)`,
    })
    .from(webhookSubscriptions)
    .where(
      and(
        eq(webhookSubscriptions.connectionId, connectionId),
        isNull(webhookSubscriptions.deletedAt),
        page.afterId !== undefined ? gt(webhookSubscriptions.id, page.afterId) : undefined,
        page.ids ? sql`${webhookSubscriptions.id} in (${sql.join(page.ids.map((i) => sql`${i}`), sql`, `)})` : undefined,
      ),
    )
    .orderBy(asc(webhookSubscriptions.id))
    .limit(page.limit);
  return rows.map((r) => ({
    id: r.id,
    connectionId: r.connectionId,
    url: r.url,
    events: r.events.filter(isEventType),
    status: r.disabledAt === null ? 'enabled' : 'disabled',
    createdAt: r.createdAt,
    disabledAt: r.disabledAt,
    disabledReason: r.disabledReason,
    deliveries: { delivered: r.delivered, pending: r.pending, failed: r.failed },
    failuresSinceLastSuccess: r.failuresSinceLastSuccess,
    lastAttemptAt: r.lastAttemptAt === null ? null : new Date(r.lastAttemptAt),
  }));
}

/** Ends a subscription of this connection (no more deliveries, pending ones are skipped); false when it has none such. */
export async function deleteWebhookSubscription(db: Database, connectionId: number, id: number): Promise<boolean> {
  const rows = await db
    .update(webhookSubscriptions)
    .set({ deletedAt: sql`coalesce(${webhookSubscriptions.deletedAt}, now())` })
    .where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.connectionId, connectionId), isNull(webhookSubscriptions.deletedAt)))
    .returning({ id: webhookSubscriptions.id });
  return rows.length > 0;
}

/** Whether the subscription exists, is this connection's and not deleted (for the delivery log's 404). */
export async function isLiveSubscription(db: Database, connectionId: number, id: number): Promise<boolean> {
  const [row] = await db
    .select({ id: webhookSubscriptions.id })
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.connectionId, connectionId), isNull(webhookSubscriptions.deletedAt)));
  return row !== undefined;
}

/** The connection of a live subscription, whichever connection it is (the CLI names a subscription by its ID alone). */
export async function liveSubscriptionConnection(db: Database, id: number): Promise<number | undefined> {
  const [row] = await db
    .select({ connectionId: webhookSubscriptions.connectionId })
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.id, id), isNull(webhookSubscriptions.deletedAt)));
  return row?.connectionId;
}
