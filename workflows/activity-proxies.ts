// How workflows call activities: timeouts and retries per kind of work. Domain refusals are
// non-retryable ApplicationFailures (their type is a refusal code); everything else is retried.
import { proxyActivities } from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import { REFUSALS } from './refusals';

const nonRetryableErrorTypes = Object.keys(REFUSALS);

/** Short transactions on PostgreSQL: retried (with backoff) through a database restart. */
export const domain = proxyActivities<OffboardingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
});

/** The open-item scan heartbeats, so a dead worker is noticed long before the start-to-close timeout. */
export const scans = proxyActivities<OffboardingActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
});

/**
 * Email never blocks an offboarding: it runs beside the main flow and is retried with backoff for a
 * day (the outbox keeps it exactly-once); after that the failure is counted in the status.
 */
export const email = proxyActivities<OffboardingActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes },
});
