// How workflows call activities: timeouts and retries per kind of work. Domain refusals are
// non-retryable ApplicationFailures (their type is a refusal code); everything else is retried.
import { proxyActivities } from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import { REFUSALS } from './contract';

const nonRetryableErrorTypes = Object.keys(REFUSALS);

// Each proxy sees only its own activities, so a call cannot silently skip the heartbeat timeout
// of the scan or the bounded retries of email.
type DomainActivities = Omit<OffboardingActivities, 'listOpenItems' | 'sendNotification'>;
type ScanActivities = Pick<OffboardingActivities, 'listOpenItems'>;
type EmailActivities = Pick<OffboardingActivities, 'sendNotification'>;

/** Short transactions on PostgreSQL: retried (with backoff) through a database restart. */
export const domain = proxyActivities<DomainActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
});

/** The open-item scan heartbeats, so a dead worker is noticed long before the start-to-close timeout. */
export const scans = proxyActivities<ScanActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
});

/**
 * Email never blocks an offboarding: it runs beside the main flow. One delivery round is a few quick
 * attempts; workflows/email-delivery.ts repeats rounds with a durable pause, so a failure shows in
 * the status query within a minute while delivery keeps being tried (the outbox keeps it exactly-once).
 */
export const email = proxyActivities<EmailActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes },
});
