// The housekeeping activity: the web tables' purge and the webhook log's, heartbeating after each
// chunk so a dead worker is noticed and the next attempt carries on (each chunk is its own
// statement; nothing is half done).
import { asyncLocalStorage } from '@temporalio/activity';
import type { Database } from '../db/client';
import { purgeExpiredWebRows } from '../domain/web-housekeeping';
import { DEFAULT_WEBHOOK_RETENTION_DAYS, purgeOldWebhookEvents } from '../domain/webhooks/retention';
import type { WebHousekeepingResult } from '../workflows/contract';
import { mappingFailures } from './failures';

export function createHousekeepingActivities(deps: { db: Database; webhooks?: { retentionDays?: number } }) {
  const retentionDays = deps.webhooks?.retentionDays ?? DEFAULT_WEBHOOK_RETENTION_DAYS;
  const heartbeat = (soFar: object) => asyncLocalStorage.getStore()?.heartbeat(soFar);
  return mappingFailures({
    // The name stays as released (the schedule's workflow calls it); it purges the webhook log too.
    async purgeExpiredWebRows(): Promise<WebHousekeepingResult> {
      const web = await purgeExpiredWebRows(deps.db, { afterChunk: heartbeat });
      const webhooks = await purgeOldWebhookEvents(deps.db, { retentionDays, afterChunk: (soFar) => heartbeat({ ...web, ...soFar }) });
      return { ...web, ...webhooks };
    },
  });
}
