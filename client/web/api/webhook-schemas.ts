// The webhook subscriptions' part of the API contract (webhook-routes.ts): the zod schemas that
// validate the requests and make the OpenAPI document. Bodies are strict, like the rest of the API.
import { z } from '@hono/zod-openapi';
import { MAX_WEBHOOK_URL_LENGTH } from '../../../domain/webhooks/target-guard';
import { WEBHOOK_EVENT_TYPES } from '../../../domain/webhooks/events';

export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES).openapi('WebhookEventType', { description: 'An event a subscription can receive.' });

export const CreateWebhookBody = z
  .object({
    url: z
      .string()
      .min(1)
      .max(MAX_WEBHOOK_URL_LENGTH)
      .openapi({ description: 'http(s) URL on the public internet (loopback, link-local and private addresses are refused unless the deployment allows them).', example: 'https://hr.example.com/hooks/offboarding' }),
    events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length * 2),
  })
  .strict()
  .openapi('CreateWebhook');

export const WebhookSubscription = z
  .object({
    id: z.number().int(),
    url: z.string(),
    events: z.array(WebhookEventType),
    status: z.enum(['enabled', 'disabled']),
    createdAt: z.string().openapi({ format: 'date-time' }),
    disabledAt: z.string().nullable().openapi({ format: 'date-time' }),
    disabledReason: z.string().nullable(),
    deliveries: z.object({ delivered: z.number().int(), pending: z.number().int(), failed: z.number().int() }),
    failuresSinceLastSuccess: z.number().int(),
    lastAttemptAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookSubscription');

export const CreatedWebhook = WebhookSubscription.extend({
  secret: z.string().openapi({ description: 'The signing secret (Standard Webhooks, `whsec_…`). Shown in this answer only.' }),
}).openapi('CreatedWebhook');

const pageLimit = z
  .string()
  .regex(/^[1-9][0-9]{0,2}$/, 'must be a whole number from 1 to 200')
  .transform(Number)
  .refine((n) => n <= 200, 'must be a whole number from 1 to 200')
  .optional();
const cursor = z.string().max(200).optional().openapi({ description: 'The nextCursor of the previous page.' });

export const WebhookListQuery = z.object({ cursor, limit: pageLimit }).strict();
export const WebhookPage = z.object({ items: z.array(WebhookSubscription), nextCursor: z.string().nullable() }).openapi('WebhookPage');

export const WebhookIdParam = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a subscription ID')
    .transform(Number)
    .refine((n) => n <= 2_147_483_647, 'must be a subscription ID')
    .openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '7' }),
});

export const WebhookDelivery = z
  .object({
    attemptId: z.number().int(),
    at: z.string().openapi({ format: 'date-time' }),
    eventType: z.string(),
    webhookId: z.string().openapi({ description: 'The webhook-id header: the event’s ID, the same on every retry.' }),
    ok: z.boolean(),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    deliveryStatus: z.enum(['pending', 'delivered', 'failed', 'skipped']),
  })
  .openapi('WebhookDelivery');

export const WebhookDeliveryPage = z.object({ items: z.array(WebhookDelivery), nextCursor: z.string().nullable() }).openapi('WebhookDeliveryPage');
