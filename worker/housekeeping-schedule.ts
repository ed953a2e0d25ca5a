// The web housekeeping's Temporal Schedule: created by every worker at start, once (a schedule that
// exists is left as it is, so several workers starting together are fine). Every hour it starts one
// webHousekeeping run; a run still going when the next is due makes that one skipped.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { WEB_HOUSEKEEPING_EVERY, WEB_HOUSEKEEPING_SCHEDULE_ID } from '../workflows/contract';

/** Creates the schedule unless it exists; true when this call created it. */
export async function ensureHousekeepingSchedule(client: Client, taskQueue: string): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: WEB_HOUSEKEEPING_SCHEDULE_ID,
      spec: { intervals: [{ every: WEB_HOUSEKEEPING_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'webHousekeeping',
        workflowId: 'web-housekeeping',
        taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      memo: { purpose: 'Deletes expired web sessions, used sign-in tokens, old rate-limit windows and form nonces' },
    });
    return true;
  } catch (e) {
    if (e instanceof ScheduleAlreadyRunning) return false;
    throw e;
  }
}
