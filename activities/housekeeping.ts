// The housekeeping activity: the web tables' purge, heartbeating after each chunk so a dead worker is
// noticed and the next attempt carries on (each chunk is its own statement; nothing is half done).
import { asyncLocalStorage } from '@temporalio/activity';
import type { Database } from '../db/client';
import { purgeExpiredWebRows } from '../domain/web-housekeeping';
import type { WebHousekeepingResult } from '../workflows/contract';
import { mappingFailures } from './failures';

export function createHousekeepingActivities(deps: { db: Database }) {
  return mappingFailures({
    async purgeExpiredWebRows(): Promise<WebHousekeepingResult> {
      return purgeExpiredWebRows(deps.db, { afterChunk: (soFar) => asyncLocalStorage.getStore()?.heartbeat(soFar) });
    },
  });
}
