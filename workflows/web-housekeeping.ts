// One run of the web housekeeping, started by its Temporal Schedule (worker/housekeeping-schedule.ts):
// the purge is one activity, so ops see each run and its counts in the Web UI.
import { housekeeping } from './activity-proxies';
import type { WebHousekeepingResult } from './contract';

export async function webHousekeeping(): Promise<WebHousekeepingResult> {
  return housekeeping.purgeExpiredWebRows();
}
