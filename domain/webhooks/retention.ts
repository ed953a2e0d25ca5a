// How long the webhook log is kept: an event whose every delivery is settled (delivered, given up or
// skipped) is deleted with its deliveries and their attempts once it is older than the retention
// (WEBHOOK_RETENTION_DAYS), by the hourly housekeeping's activity. An event with a delivery still
// pending is kept whatever its age: its workflow may still send it. Settled is final (a delivery never
// goes back to pending, and an event gets no new deliveries after its own transaction), so what is
// judged dead here stays dead. Subscriptions are never deleted (their deleted_at ends them).
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

export const DEFAULT_WEBHOOK_RETENTION_DAYS = 30;
/** Events per statement: short transactions, no long locks (as the web purge). */
export const WEBHOOK_PURGE_CHUNK = 500;

export type WebhookPurgeCounts = { webhookEvents: number; webhookDeliveries: number; webhookAttempts: number };

/** Deletes settled events older than `retentionDays` with their deliveries and attempts, `chunk` events per statement. */
export async function purgeOldWebhookEvents(
  db: Database,
  options: { retentionDays: number; chunk?: number; afterChunk?: (soFar: WebhookPurgeCounts) => void },
): Promise<WebhookPurgeCounts> {
  const chunk = options.chunk ?? WEBHOOK_PURGE_CHUNK;
  const days = options.retentionDays;
  const counts: WebhookPurgeCounts = { webhookEvents: 0, webhookDeliveries: 0, webhookAttempts: 0 };
  for (;;) {
    // One statement: the foreign keys are checked at its end, when attempts, deliveries and events are
    // gone together. In ID order, so the primary key finds the oldest events without a full scan.
    const [row] = await db.execute<{ events: number; deliveries: number; attempts: number }>(sql`
      with doomed as (
        select e.id from webhook_events e
         where e.occurred_at <= now() - make_interval(days => ${days})
           and not exists (select 1 from webhook_deliveries d where d.event_id = e.id and d.status = 'pending')
         order by e.id
         limit ${chunk}
      ), attempts as (
        delete from webhook_attempts a using webhook_deliveries d, doomed
         where a.delivery_id = d.id and d.event_id = doomed.id
        returning 1
      ), deliveries as (
        delete from webhook_deliveries d using doomed where d.event_id = doomed.id returning 1
      ), events as (
        delete from webhook_events e using doomed where e.id = doomed.id returning 1
      )
      select (select count(*) from events)::int as events,
             (select count(*) from deliveries)::int as deliveries,
             (select count(*) from attempts)::int as attempts`);
    const events = row?.events ?? 0;
    counts.webhookEvents += events;
    counts.webhookDeliveries += row?.deliveries ?? 0;
    counts.webhookAttempts += row?.attempts ?? 0;
    options.afterChunk?.(counts);
    if (events < chunk) break;
  }
  return counts;
}
