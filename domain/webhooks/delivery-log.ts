// The delivery log: every attempt to POST an event to a subscription, newest first — what the HR
// Connections page shows per connection (recentWebhookDeliveries) and what the API answers per
// subscription (subscriptionDeliveryLog, cursor-paged by attempt ID).
import { and, desc, eq, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../db/transaction';
import { webhookAttempts, webhookDeliveries, webhookEvents, webhookSubscriptions } from '../../db/schema';

/** How many attempts the HR page shows per connection. */
export const RECENT_WEBHOOK_DELIVERIES = 50;

export type WebhookDeliveryLogEntry = {
  attemptId: number;
  at: Date;
  subscriptionId: number;
  url: string;
  eventType: string;
  /** The webhook-id header: the event's ID, the same on every attempt and for every subscription. */
  webhookId: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** Where the delivery stands now (pending while it is retried). */
  deliveryStatus: 'pending' | 'delivered' | 'failed' | 'skipped';
};

const COLUMNS = {
  attemptId: webhookAttempts.id,
  at: webhookAttempts.at,
  subscriptionId: webhookAttempts.subscriptionId,
  url: webhookSubscriptions.url,
  eventType: webhookEvents.type,
  webhookId: webhookEvents.messageId,
  ok: webhookAttempts.ok,
  statusCode: webhookAttempts.statusCode,
  error: webhookAttempts.error,
  durationMs: webhookAttempts.durationMs,
  deliveryStatus: webhookDeliveries.status,
};

function logQuery(db: DbOrTx) {
  return db
    .select(COLUMNS)
    .from(webhookAttempts)
    .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookAttempts.subscriptionId));
}

/** The last attempts of all of a connection's subscriptions (deleted ones too: their log stays), newest first. */
export async function recentWebhookDeliveries(db: DbOrTx, connectionId: number, limit: number = RECENT_WEBHOOK_DELIVERIES): Promise<WebhookDeliveryLogEntry[]> {
  const rows = await logQuery(db)
    .where(eq(webhookSubscriptions.connectionId, connectionId))
    .orderBy(desc(webhookAttempts.id))
    .limit(Math.max(1, Math.min(limit, 1000)));
  return rows;
}

/** One subscription's attempts, newest first, before the attempt ID given (the cursor). */
export async function subscriptionDeliveryLog(db: DbOrTx, subscriptionId: number, page: { beforeId?: number; limit: number }): Promise<WebhookDeliveryLogEntry[]> {
  const rows = await logQuery(db)
    .where(and(eq(webhookAttempts.subscriptionId, subscriptionId), page.beforeId !== undefined ? lt(webhookAttempts.id, page.beforeId) : undefined))
    .orderBy(desc(webhookAttempts.id))
    .limit(page.limit);
  return rows;
}
