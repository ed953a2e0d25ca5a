// One event to one subscription (domain/webhooks/delivery.ts has the design): POST attempts retried
// by Temporal with backoff for the retry window, then — if none was answered 2xx — the delivery is
// given up, which may disable the subscription and email its connection's admin. Started by the
// worker's relay (worker/webhook-relay.ts) under a deterministic ID, so each runs once.
import { isCancellation, workflowInfo } from '@temporalio/workflow';
import { domain, webhookAttempts } from './activity-proxies';
import type { WebhookDeliveryInput, WebhookDeliveryResult } from './contract';

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  try {
    const sent = await webhookAttempts(input.retry).deliverWebhook({ deliveryId: input.deliveryId });
    return { outcome: sent.outcome, disabledSubscription: false };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const gaveUp = await domain.giveUpWebhookDelivery({ deliveryId: input.deliveryId, workflowId: workflowInfo().workflowId });
    return { outcome: 'given-up', disabledSubscription: gaveUp.disabledSubscription };
  }
}
