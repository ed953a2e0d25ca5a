// The webhook activities: thin adapters over domain/webhooks/delivery.ts. The admin's email when a
// subscription is disabled goes through the notification outbox's exactly-once sender.
import { asyncLocalStorage } from '@temporalio/activity';
import type { Database } from '../db/client';
import { deliverWebhook, giveUpWebhookDelivery } from '../domain/webhooks/delivery';
import type { Mailer } from '../domain/notifications/mail';
import { createNotificationSender } from '../domain/notifications/outbox';
import type { DeliverWebhookInput, GiveUpWebhookInput } from '../workflows/contract';
import { mappingFailures } from './failures';

/** Where webhooks may go, how long one POST may take, how long the log is kept (config/settings.ts WEBHOOK_*). */
export type WebhookActivitySettings = { allowPrivateTargets: boolean; timeoutMs: number; /** Absent = DEFAULT_WEBHOOK_RETENTION_DAYS. */ retentionDays?: number };

export const DEFAULT_WEBHOOK_ACTIVITY_SETTINGS: WebhookActivitySettings = { allowPrivateTargets: false, timeoutMs: 10_000 };

/** How often an attempt in flight says it is alive; the proxy's heartbeat timeout is a few times this. */
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Heartbeats while the POST waits for its receiver, so Temporal notices a worker that died mid-attempt
 * within the heartbeat timeout and tries again on another, instead of after the start-to-close timeout.
 */
async function heartbeating<T>(attempt: () => Promise<T>): Promise<T> {
  const context = asyncLocalStorage.getStore();
  if (!context) return attempt();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await attempt();
  } finally {
    clearInterval(timer);
  }
}

export function createWebhookActivities(deps: { db: Database; mailer: Mailer; clock: () => Date; webhooks?: WebhookActivitySettings }) {
  const sender = createNotificationSender({ db: deps.db, mailer: deps.mailer, clock: deps.clock });
  const settings = deps.webhooks ?? DEFAULT_WEBHOOK_ACTIVITY_SETTINGS;
  const delivery = { db: deps.db, ...settings, notify: sender.sendNotification };
  return mappingFailures({
    deliverWebhook: (input: DeliverWebhookInput) => heartbeating(() => deliverWebhook(delivery, input)),
    giveUpWebhookDelivery: (input: GiveUpWebhookInput) => giveUpWebhookDelivery(delivery, input),
  });
}
