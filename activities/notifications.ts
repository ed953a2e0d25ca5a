// The email activity: a thin Temporal adapter over the exactly-once sender
// (domain/notifications/outbox.ts), logging through the activity's logger.
import { Context } from '@temporalio/activity';
import { createNotificationSender, type NotificationDeps, type NotificationLog } from '../domain/notifications/outbox';
import type { SendNotificationInput, SendNotificationResult } from '../workflows/contract';
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

export function createNotificationActivities(deps: NotificationDeps) {
  const sender = createNotificationSender({ ...deps, log: deps.log ?? activityLog });
  // Workflows send their own notifications only (the sign-in link is the web app's).
  return mappingFailures({ sendNotification: (input: SendNotificationInput): Promise<SendNotificationResult> => sender.sendNotification(input) });
}
