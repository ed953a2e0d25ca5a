// /api/v1/webhooks: a connection's webhook subscriptions (scope `webhooks`). The events, signing,
// retries and SSRF guard are domain/webhooks/; here only the HTTP shape: create (the secret is in
// this answer only), list (cursor-paged, never the secret), the delivery log, delete.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { TokenScope } from '../../../domain/connections';
import { subscriptionDeliveryLog, type WebhookDeliveryLogEntry } from '../../../domain/webhooks/delivery-log';
import { createWebhookSubscription, deleteWebhookSubscription, isLiveSubscription, listWebhookSubscriptions, type WebhookSubscriptionInfo } from '../../../domain/webhooks/subscriptions';
import type { WebDeps } from '../context';
import { decodeCursor, pageOf } from './cursor';
import { ApiProblem } from './problem';
import { type ApiEnv, json, jsonBody, problems, security } from './route-parts';
import * as w from './webhook-schemas';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

const subscriptionOf = (s: WebhookSubscriptionInfo) => ({
  id: s.id,
  url: s.url,
  events: s.events,
  status: s.status,
  createdAt: s.createdAt.toISOString(),
  disabledAt: iso(s.disabledAt),
  disabledReason: s.disabledReason,
  deliveries: s.deliveries,
  failuresSinceLastSuccess: s.failuresSinceLastSuccess,
  lastAttemptAt: iso(s.lastAttemptAt),
});

const deliveryOf = (d: WebhookDeliveryLogEntry) => ({
  attemptId: d.attemptId,
  at: d.at.toISOString(),
  eventType: d.eventType,
  webhookId: d.webhookId,
  ok: d.ok,
  statusCode: d.statusCode,
  error: d.error,
  durationMs: d.durationMs,
  deliveryStatus: d.deliveryStatus,
});

const idCursor = z.object({ id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict();

export function webhookRoutes(api: OpenAPIHono<ApiEnv>, deps: WebDeps, scope: (needed: TokenScope) => MiddlewareHandler<ApiEnv>): void {
  const allowPrivateTargets = deps.settings.webhooks?.allowPrivateTargets ?? false;
  const notFound = (id: number) => new ApiProblem(404, 'NOT_FOUND', `This connection has no webhook subscription ${id}.`);

  api.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks',
      summary: 'Subscribe a URL to events (the signing secret is in this answer only)',
      description: 'Events are signed per Standard Webhooks with the secret returned here; see docs/api.md. Scope webhooks.',
      security,
      middleware: [scope('webhooks')] as const,
      request: { body: jsonBody(w.CreateWebhookBody) },
      responses: { 201: json(w.CreatedWebhook, 'Subscribed'), ...problems(401, 403, 413, 415, 422, 429) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const caller = c.get('caller');
      const { secret, subscription } = await createWebhookSubscription(deps.db, {
        connectionId: caller.connection.id,
        url: body.url,
        events: body.events,
        createdBy: `connection ${caller.connection.id} (token ${caller.tokenId})`,
        allowPrivateTargets,
      });
      return c.json({ ...subscriptionOf(subscription), secret }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/webhooks',
      summary: 'This connection’s webhook subscriptions, with their status and failure counts',
      description: 'Cursor-paged in ID order. Never the secret. Scope webhooks.',
      security,
      middleware: [scope('webhooks')] as const,
      request: { query: w.WebhookListQuery },
      responses: { 200: json(w.WebhookPage, 'A page of subscriptions'), ...problems(401, 403, 422, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const size = q.limit ?? 50;
      const after = decodeCursor(q.cursor, idCursor);
      const rows = await listWebhookSubscriptions(deps.db, c.get('caller').connection.id, { limit: size + 1, ...(after ? { afterId: after.id } : {}) });
      const { page, nextCursor } = pageOf(rows, size, (last) => ({ id: last.id }));
      return c.json({ items: page.map(subscriptionOf), nextCursor }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/webhooks/{id}/deliveries',
      summary: 'A subscription’s delivery log: every attempt, newest first',
      description: 'Status code, error and duration of each attempt. Cursor-paged. Scope webhooks.',
      security,
      middleware: [scope('webhooks')] as const,
      request: { params: w.WebhookIdParam, query: w.WebhookListQuery },
      responses: { 200: json(w.WebhookDeliveryPage, 'A page of attempts'), ...problems(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      if (!(await isLiveSubscription(deps.db, c.get('caller').connection.id, id))) throw notFound(id);
      const size = q.limit ?? 50;
      const before = decodeCursor(q.cursor, idCursor);
      const rows = await subscriptionDeliveryLog(deps.db, id, { limit: size + 1, ...(before ? { beforeId: before.id } : {}) });
      const { page, nextCursor } = pageOf(rows, size, (last) => ({ id: last.attemptId }));
      return c.json({ items: page.map(deliveryOf), nextCursor }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/webhooks/{id}',
      summary: 'End a subscription (no more deliveries; its log stays)',
      description: 'Scope webhooks.',
      security,
      middleware: [scope('webhooks')] as const,
      request: { params: w.WebhookIdParam },
      responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await deleteWebhookSubscription(deps.db, c.get('caller').connection.id, id))) throw notFound(id);
      return c.body(null, 204);
    },
  );
}
