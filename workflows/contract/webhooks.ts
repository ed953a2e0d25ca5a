// The webhook delivery workflow's contract (workflows/webhook-delivery.ts): one workflow per
// (event, subscription), started by the worker's relay under an ID made of the event's random
// message ID and the subscription, so a repeated start is refused and the event is sent once.

/** The retries of one delivery, from the worker's settings (WEBHOOK_RETRY_*), fixed when it starts. */
export type WebhookRetry = { firstMs: number; maxMs: number; giveUpAfterMs: number };

export type WebhookDeliveryInput = { deliveryId: number; retry: WebhookRetry };

export type DeliverWebhookInput = { deliveryId: number };
export type DeliverWebhookResult = { outcome: 'delivered' | 'already-delivered' | 'skipped' | 'given-up'; statusCode: number | null };
export type GiveUpWebhookInput = { deliveryId: number; workflowId: string };
export type GiveUpResult = { disabledSubscription: boolean };

export type WebhookDeliveryResult = { outcome: DeliverWebhookResult['outcome']; disabledSubscription: boolean };

/** `webhook-delivery-<message ID>-<subscription ID>`: no personal data, unique across databases (the message ID is random). */
export const webhookDeliveryWorkflowId = (messageId: string, subscriptionId: number): string => `webhook-delivery-${messageId}-${subscriptionId}`;
