// Delivers one notification in rounds: each round is a few attempts of the email activity; between
// failed rounds the workflow pauses durably, for up to a day. The idempotency key stays the same, so
// the outbox sends the message once whatever happens.
import { log, sleep } from '@temporalio/workflow';
import { email } from './activity-proxies';
import type { SendNotificationInput } from './contract';
import { formatDuration } from './summaries';
import { emailRetryTimer, emailsSummary } from './summaries';

export const EMAIL_ROUND_PAUSE_MS = 10 * 60 * 1000;
export const EMAIL_MAX_ROUNDS = 144; // a day of rounds

/** Resolves true once sent, false after the last round failed; `onFailedRound` counts failures. */
export async function deliverNotification(input: SendNotificationInput, onFailedRound: () => void = () => undefined): Promise<boolean> {
  for (let round = 1; ; round++) {
    try {
      await email.sendNotification(input);
      return true;
    } catch (err) {
      onFailedRound();
      log.warn('notification round failed', { kind: input.notification.kind, round, error: String(err) });
      if (round >= EMAIL_MAX_ROUNDS) return false;
      await sleep(EMAIL_ROUND_PAUSE_MS, { summary: emailRetryTimer(input.notification, round + 1, EMAIL_ROUND_PAUSE_MS) });
    }
  }
}

/**
 * The same for several notifications at once, in one activity per round: what one step of an
 * offboarding has to say goes in one go. Each keeps its idempotency key, so a round that failed half
 * way sends only the rest next time.
 */
export async function deliverNotifications(inputs: SendNotificationInput[], onFailedRound: () => void = () => undefined): Promise<boolean> {
  if (inputs.length === 1 && inputs[0]) return deliverNotification(inputs[0], onFailedRound);
  for (let round = 1; ; round++) {
    try {
      await email.sendNotifications({ notifications: inputs });
      return true;
    } catch (err) {
      onFailedRound();
      log.warn('notifications round failed', { kinds: inputs.map((i) => i.notification.kind), round, error: String(err) });
      if (round >= EMAIL_MAX_ROUNDS) return false;
      const what = emailsSummary(inputs.map((i) => i.notification)).replace(/^\S+ emails?: /, '');
      await sleep(EMAIL_ROUND_PAUSE_MS, { summary: `email round ${round + 1} in ${formatDuration(EMAIL_ROUND_PAUSE_MS)}: ${what}` });
    }
  }
}
