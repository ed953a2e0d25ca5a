// Delivering one event to one subscription: the signed POST, its attempt in the log, and giving up.
//
// Each (event, subscription) pair is one webhook_deliveries row and one Temporal workflow
// (workflows/webhook-delivery.ts), whose activity calls deliverWebhook; Temporal retries it with
// backoff (WEBHOOK_RETRY_*), for WEBHOOK_GIVE_UP_AFTER_HOURS (72 h by default), then the workflow
// calls giveUpWebhookDelivery.
//
// Signed per Standard Webhooks with the `standardwebhooks` package: webhook-id is the event's
// message ID (the same on every retry and for every subscription, so receivers deduplicate on it),
// webhook-timestamp the attempt's time, webhook-signature `v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
// 2xx is delivered; anything else (3xx too: redirects are never followed), a timeout or a refused
// connection is a failed attempt, recorded with its status code, error and duration, and retried.
//
// Once per subscription: the delivery row says 'delivered' once a 2xx came back, and every attempt
// reads it first. What remains is the window between the receiver's 2xx and our commit: a worker
// that dies there sends the same webhook-id again on the retry, which Standard Webhooks receivers
// drop as a duplicate (at-least-once with a stable ID, as the emails' Message-ID).
//
// Disabling: a delivery is given up after the whole retry window without one 2xx. If no attempt of
// the same subscription succeeded since this delivery's first attempt either, the endpoint has
// failed for the whole window (three days by default): the subscription is disabled, its remaining
// deliveries are skipped, and the connection's admin gets one email (webhook-disabled, through the
// notification outbox; its key names the delivery that disabled it, so a retry sends nothing twice).
// A receiver that refuses one event but takes others is not disabled: that event alone is given up.
import http from 'node:http';
import https from 'node:https';
import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { Database } from '../../db/client';
import { connections, webhookAttempts, webhookDeliveries, webhookEvents, webhookSubscriptions } from '../../db/schema';
import type { OutboxInput } from '../notifications/outbox';
import type { DeliverWebhookResult, GiveUpResult } from '../../workflows/contract';
import { RetryLater } from '../retry-later';
import { guardedLookup, parseWebhookUrl } from './target-guard';

export type WebhookDeliveryDeps = {
  db: Database;
  allowPrivateTargets: boolean;
  timeoutMs: number;
  /** The notification outbox's sender (the admin's email when a subscription is disabled). */
  notify: (input: OutboxInput) => Promise<unknown>;
  clock?: () => Date;
};


/** What a receiver's answer may hold that we read: a little, to free the socket; nothing of it is kept. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = 'Offboarding-Webhooks/1.0';

type Loaded = {
  deliveryId: number;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  subscriptionId: number;
  url: string;
  secret: string;
  live: boolean;
  messageId: string;
  body: string;
};

async function load(db: Database, deliveryId: number): Promise<Loaded | undefined> {
  const [row] = await db
    .select({
      deliveryId: webhookDeliveries.id,
      status: webhookDeliveries.status,
      subscriptionId: webhookSubscriptions.id,
      url: webhookSubscriptions.url,
      secret: webhookSubscriptions.secret,
      live: sql<boolean>`${webhookSubscriptions.disabledAt} is null and ${webhookSubscriptions.deletedAt} is null and ${connections.disabledAt} is null`,
      messageId: webhookEvents.messageId,
      body: webhookEvents.body,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .innerJoin(connections, eq(connections.id, webhookSubscriptions.connectionId))
    .where(eq(webhookDeliveries.id, deliveryId));
  return row;
}

type PostResult = { statusCode: number | null; error: string | null };

/** One POST with the guard's lookup, a hard timeout, no redirects; never throws. */
function post(url: URL, headers: Record<string, string>, body: string, deps: Pick<WebhookDeliveryDeps, 'allowPrivateTargets' | 'timeoutMs'>): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(r);
    };
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(deps.allowPrivateTargets),
      agent: false,
    });
    // The whole exchange, connect to last byte, within the timeout (a slow drip does not keep it open).
    const deadline = setTimeout(() => {
      req.destroy(new Error(`no answer within ${deps.timeoutMs} ms`));
    }, deps.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done({ statusCode: null, error: `${e.code ? `${e.code}: ` : ''}${e.message}`.slice(0, 500) }));
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      const status = res.statusCode ?? null;
      const finish = () => done({ statusCode: status, error: status !== null && status >= 200 && status < 300 ? null : `HTTP ${status ?? '?'}${status !== null && status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}` });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.end(body);
  });
}

/** One attempt: POST the signed event, record it; a failure throws RetryLater (Temporal retries with backoff). */
export async function deliverWebhook(deps: WebhookDeliveryDeps, input: { deliveryId: number }): Promise<DeliverWebhookResult> {
  const { db } = deps;
  const d = await load(db, input.deliveryId);
  if (!d) return { outcome: 'skipped', statusCode: null };
  if (d.status === 'delivered') return { outcome: 'already-delivered', statusCode: null };
  if (d.status === 'skipped') return { outcome: 'skipped', statusCode: null };
  if (d.status === 'failed') return { outcome: 'given-up', statusCode: null };
  if (!d.live) {
    // Deleted or disabled since the event: nothing to send, nothing to retry.
    await db.update(webhookDeliveries).set({ status: 'skipped' }).where(and(eq(webhookDeliveries.id, d.deliveryId), eq(webhookDeliveries.status, 'pending')));
    return { outcome: 'skipped', statusCode: null };
  }
  const now = (deps.clock ?? (() => new Date()))();
  const signature = new Webhook(d.secret).sign(d.messageId, now, d.body);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': d.messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signature,
  };
  const started = performance.now();
  let result: PostResult;
  try {
    result = await post(parseWebhookUrl(d.url), headers, d.body, deps);
  } catch (e) {
    result = { statusCode: null, error: e instanceof Error ? e.message.slice(0, 500) : String(e) };
  }
  const durationMs = Math.round(performance.now() - started);
  const ok = result.error === null;
  await db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({ deliveryId: d.deliveryId, subscriptionId: d.subscriptionId, at: now, ok, statusCode: result.statusCode, error: result.error, durationMs });
    await tx
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        firstAttemptAt: sql`coalesce(${webhookDeliveries.firstAttemptAt}, ${now.toISOString()}::timestamptz)`,
        lastError: result.error,
        ...(ok ? { status: 'delivered' as const, deliveredAt: now } : {}),
      })
      .where(eq(webhookDeliveries.id, d.deliveryId));
  });
  if (!ok) throw new RetryLater('WEBHOOK_DELIVERY_FAILED', `webhook ${d.messageId} to subscription ${d.subscriptionId} not delivered: ${result.error ?? 'unknown error'}`);
  return { outcome: 'delivered', statusCode: result.statusCode };
}

/** The retry window is over without a 2xx: the delivery failed; maybe the subscription is disabled and its admin told. */
export async function giveUpWebhookDelivery(deps: WebhookDeliveryDeps, input: { deliveryId: number; workflowId: string }): Promise<GiveUpResult> {
  const { db } = deps;
  const decided = await db.transaction(async (tx) => {
    const [delivery] = await tx
      .select({ status: webhookDeliveries.status, subscriptionId: webhookDeliveries.subscriptionId, firstAttemptAt: webhookDeliveries.firstAttemptAt, lastError: webhookDeliveries.lastError })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, input.deliveryId))
      .for('update');
    if (!delivery || delivery.status === 'delivered' || delivery.status === 'skipped') return undefined;
    if (delivery.status === 'pending') await tx.update(webhookDeliveries).set({ status: 'failed' }).where(eq(webhookDeliveries.id, input.deliveryId));
    const [sub] = await tx
      .select({ id: webhookSubscriptions.id, disabledAt: webhookSubscriptions.disabledAt, disabledBy: webhookSubscriptions.disabledByDeliveryId, deletedAt: webhookSubscriptions.deletedAt })
      .from(webhookSubscriptions)
      .where(eq(webhookSubscriptions.id, delivery.subscriptionId))
      .for('update');
    if (!sub || sub.deletedAt !== null) return undefined;
    if (sub.disabledAt !== null) return sub.disabledBy === input.deliveryId ? { ...delivery, failingSince: delivery.firstAttemptAt } : undefined;
    const since = delivery.firstAttemptAt ?? new Date(0);
    const [success] = await tx
      .select({ id: webhookAttempts.id })
      .from(webhookAttempts)
      .where(and(eq(webhookAttempts.subscriptionId, sub.id), eq(webhookAttempts.ok, true), gte(webhookAttempts.at, since)))
      .limit(1);
    if (success) return undefined;
    await tx
      .update(webhookSubscriptions)
      .set({ disabledAt: sql`now()`, disabledReason: `every attempt failed since ${since.toISOString()}; last: ${(delivery.lastError ?? 'no answer').slice(0, 300)}`, disabledByDeliveryId: input.deliveryId })
      .where(and(eq(webhookSubscriptions.id, sub.id), isNull(webhookSubscriptions.disabledAt)));
    return { ...delivery, failingSince: delivery.firstAttemptAt };
  });
  if (!decided) return { disabledSubscription: false };
  const [about] = await db
    .select({
      connectionId: connections.id,
      connectionName: connections.name,
      adminUserId: connections.adminUserId,
      url: webhookSubscriptions.url,
      undelivered: sql<number>`(select count(*)::int from webhook_deliveries d where d.subscription_id = webhook_subscriptions.id and d.status <> 'delivered')`,
    })
    .from(webhookSubscriptions)
    .innerJoin(connections, eq(connections.id, webhookSubscriptions.connectionId))
    .where(eq(webhookSubscriptions.id, decided.subscriptionId));
  if (!about) return { disabledSubscription: true };
  await deps.notify({
    idempotencyKey: `webhook-disabled:${decided.subscriptionId}:${input.deliveryId}`,
    workflowId: input.workflowId,
    notification: {
      kind: 'webhook-disabled',
      userId: about.adminUserId,
      connectionId: about.connectionId,
      connectionName: about.connectionName,
      subscriptionId: decided.subscriptionId,
      url: about.url,
      failingSince: (decided.failingSince ?? new Date()).toISOString(),
      lastError: decided.lastError,
      undelivered: about.undelivered,
    },
  });
  return { disabledSubscription: true };
}

export type UndispatchedDelivery = { deliveryId: number; messageId: string; subscriptionId: number };

/** Deliveries no workflow was started for yet, oldest first. */
export async function undispatchedDeliveries(db: Database, limit: number): Promise<UndispatchedDelivery[]> {
  return db
    .select({ deliveryId: webhookDeliveries.id, messageId: webhookEvents.messageId, subscriptionId: webhookDeliveries.subscriptionId })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(isNull(webhookDeliveries.dispatchedAt))
    .orderBy(webhookDeliveries.id)
    .limit(limit);
}

export async function markDispatched(db: Database, deliveryIds: readonly number[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await db.execute(sql`update webhook_deliveries set dispatched_at = coalesce(dispatched_at, now()) where id in (${sql.join(deliveryIds.map((id) => sql`${id}`), sql`, `)})`);
}
