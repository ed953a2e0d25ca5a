// How workflows call activities: timeouts and retries per kind of work, and a one-line summary on
// every call (summaries.ts) so the Web UI names what each activity did. Domain refusals are
// non-retryable ApplicationFailures (their type is a refusal code); everything else is retried.
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/common';
import { type ActivityInterfaceFor, type LocalActivityInterfaceFor, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { OffboardingActivities } from '../activities';
import { REFUSAL_CODES, type WebhookRetry } from './contract';
import { ACTIVITY_SUMMARIES } from './summaries';

const nonRetryableErrorTypes: string[] = [...REFUSAL_CODES];

// Each proxy sees only its own activities, so a call cannot silently skip the heartbeat timeout
// of the scan or the bounded retries of email.
type DigestActivities = Pick<OffboardingActivities, 'sendActionDigests' | 'sendWaitingDigests' | 'sendClosingDigests'>;
type DomainActivities = Omit<OffboardingActivities, 'listOpenItems' | 'sendNotification' | 'sendNotifications' | 'purgeExpiredWebRows' | 'deliverWebhook' | keyof DigestActivities>;
type WebhookAttempts = Pick<OffboardingActivities, 'deliverWebhook'>;
type HousekeepingActivities = Pick<OffboardingActivities, 'purgeExpiredWebRows'>;
type ScanActivities = Pick<OffboardingActivities, 'listOpenItems'>;
type EmailActivities = Pick<OffboardingActivities, 'sendNotification' | 'sendNotifications'>;

type LocalSteps = Pick<OffboardingActivities, 'beginOffboarding' | 'reassignItems' | 'completeOffboarding' | 'finishOffboarding'>;

type Call = ((...args: unknown[]) => Promise<unknown>) & {
  executeWithOptions(options: ActivityOptions | LocalActivityOptions, args: unknown[]): Promise<unknown>;
};

/**
 * The proxy with each call's summary worked out from its arguments. The summary travels as the
 * command's user metadata: it adds no command and no event, so it needs no patch to replay.
 */
function summarised<P extends ActivityInterfaceFor<Partial<OffboardingActivities>> | LocalActivityInterfaceFor<Partial<OffboardingActivities>>>(proxy: P): P {
  return new Proxy(proxy, {
    get(target, name, receiver) {
      const call = Reflect.get(target, name, receiver) as Call;
      const summarise = ACTIVITY_SUMMARIES[name as keyof OffboardingActivities] as ((...args: unknown[]) => string) | undefined;
      if (!summarise) return call;
      const withSummary = (...args: unknown[]) => call.executeWithOptions({ summary: summarise(...args) }, args);
      withSummary.executeWithOptions = (options: ActivityOptions | LocalActivityOptions, args: unknown[]) =>
        call.executeWithOptions({ summary: summarise(...args), ...options }, args);
      return withSummary;
    },
  });
}

/** Short transactions on PostgreSQL: retried (with backoff) through a database restart. */
export const domain = summarised(
  proxyActivities<DomainActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
  }),
);

/**
 * The same short transactions, run by the worker inside the workflow task instead of through an
 * activity task ('local-steps', issue 25): a person's begin, successor hand-over, completion and the
 * end of the claim. Each records one marker instead of an activity's three events and the workflow
 * task that follows it, and needs no trip through the server's task queue: the server does about
 * half the work per person. Same timeout and retries as `domain`; a worker that dies mid-step leaves
 * no marker, so the step runs again on the next worker (each is idempotent).
 */
export const localSteps = summarised(
  proxyLocalActivities<LocalSteps>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
  }),
);

/** A person's main steps, as one flow calls them: local under 'local-steps', activity tasks before. */
export type MainSteps = { [K in keyof LocalSteps]: (...args: Parameters<LocalSteps[K]>) => Promise<Awaited<ReturnType<LocalSteps[K]>>> };

export function mainSteps(local: boolean): MainSteps {
  const from = local ? localSteps : domain;
  return {
    beginOffboarding: (input) => from.beginOffboarding(input),
    reassignItems: (input) => from.reassignItems(input),
    completeOffboarding: (input) => from.completeOffboarding(input),
    finishOffboarding: (input) => from.finishOffboarding(input),
  };
}

/** The web purge deletes in chunks and heartbeats after each; a run that fails waits for the next hour. */
export const housekeeping = summarised(
  proxyActivities<HousekeepingActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
  }),
);

/** The open-item scan heartbeats, so a dead worker is noticed long before the start-to-close timeout. */
export const scans = summarised(
  proxyActivities<ScanActivities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes },
  }),
);

/**
 * Email never blocks an offboarding: it runs beside the main flow. One delivery round is a few quick
 * attempts; workflows/email-delivery.ts repeats rounds with a durable pause, so a failure shows in
 * the status query within a minute while delivery keeps being tried (the outbox keeps it exactly-once).
 */
export const email = summarised(
  proxyActivities<EmailActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes },
  }),
);

/**
 * A webhook's POSTs: retried with exponential backoff (first wait, its cap) until the delivery's
 * retry window is over (schedule-to-close), then the workflow gives up. The window comes from the
 * worker's settings, given to each delivery when it starts. An attempt heartbeats while it waits for
 * the receiver: a worker killed mid-attempt is noticed after the heartbeat timeout, not the minute
 * of start-to-close (the end-to-end test kills one with deliveries open).
 */
export function webhookAttempts(retry: WebhookRetry): ActivityInterfaceFor<WebhookAttempts> {
  return summarised(
    proxyActivities<WebhookAttempts>({
      startToCloseTimeout: '1 minute',
      heartbeatTimeout: '10 seconds',
      scheduleToCloseTimeout: retry.giveUpAfterMs,
      retry: { initialInterval: retry.firstMs, backoffCoefficient: 2, maximumInterval: retry.maxMs, nonRetryableErrorTypes },
    }),
  );
}

/**
 * A batch's digests: one round may send an email to each of hundreds of managers and new owners, so it
 * heartbeats after each and may run for minutes; rounds are repeated by the batch (offboarding-batch/digests.ts),
 * and the outbox keeps every email exactly-once across attempts.
 */
export const digests = summarised(
  proxyActivities<DigestActivities>({
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes },
  }),
);
