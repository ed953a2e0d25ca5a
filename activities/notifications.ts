// The email activity: a thin Temporal adapter over the exactly-once sender
// (domain/notifications/outbox.ts), logging through the activity's logger.
import { Context } from '@temporalio/activity';
import { createNotificationSender, type NotificationDeps, type NotificationLog } from '../domain/notifications/outbox';
import type { SendNotificationInput, SendNotificationResult, SendNotificationsInput } from '../workflows/contract';
import { Refusal } from '../domain/refusal';
import { mappingFailures } from './failures';

/** Temporal's activity logger inside an activity (so lines carry the workflow and activity IDs); console otherwise. */
const activityLog: NotificationLog = (level, message, meta) => {
  let logger: { info(m: string, a?: Record<string, unknown>): void; warn(m: string, a?: Record<string, unknown>): void } | undefined;
  try {
    logger = Context.current().log;
  } catch {
    logger = undefined;
  }
  if (logger) logger[level](message, meta);
  else if (level === 'warn') console.warn(message, meta ?? '');
  else console.info(message, meta ?? '');
};

/** The most emails one call sends: a step of one offboarding says a few things at most. */
export const MAX_NOTIFICATIONS_PER_CALL = 50;

export function createNotificationActivities(deps: NotificationDeps) {
  const sender = createNotificationSender({ ...deps, log: deps.log ?? activityLog });
  // Workflows send their own notifications only (the sign-in link is the web app's).
  return mappingFailures({
    sendNotification: (input: SendNotificationInput): Promise<SendNotificationResult> => sender.sendNotification(input),
    /**
     * Several emails in one activity (what one step of a workflow has to say). Each is sent exactly
     * once as above; every one is tried even when one fails, and then the first failure is thrown, so
     * the retry sends only what is left (the others are 'already-sent').
     */
    async sendNotifications(input: SendNotificationsInput): Promise<SendNotificationResult[]> {
      const list: unknown = input?.notifications;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_NOTIFICATIONS_PER_CALL) {
        throw new Refusal('INVALID_INPUT', `"notifications" must list 1..${MAX_NOTIFICATIONS_PER_CALL} emails`);
      }
      const results: SendNotificationResult[] = [];
      let failure: Error | undefined;
      for (const one of list as SendNotificationInput[]) {
        try {
          results.push(await sender.sendNotification(one));
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
        }
      }
      if (failure !== undefined) throw failure;
      return results;
    },
  });
}
