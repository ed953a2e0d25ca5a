// offboard webhooks list [--connection <id>] · webhooks create --connection <id> --url <url> --event <type>…
//                 · webhooks delete <subscription-id> · webhooks deliveries <subscription-id> [--limit <n>]
// A connection's webhook subscriptions for operators, on the same domain functions as the API's
// /api/v1/webhooks (domain/webhooks/subscriptions.ts, delivery-log.ts): the same checks (event names,
// the SSRF guard with WEBHOOK_ALLOW_PRIVATE_TARGETS, at most 20 a connection), and, like the API,
// not audited (a subscription records who created it). The signing secret is printed once, on the
// last line, so `| tail -1` hands it to the receiver's setup.
import { z } from 'zod';
import type { Database } from '../../../db/client';
import { type ConnectionInfo, listConnections } from '../../../domain/connections';
import { subscriptionDeliveryLog } from '../../../domain/webhooks/delivery-log';
import { WEBHOOK_EVENT_TYPES } from '../../../domain/webhooks/events';
import {
  createWebhookSubscription,
  deleteWebhookSubscription,
  listWebhookSubscriptions,
  liveSubscriptionConnection,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  type WebhookSubscriptionInfo,
} from '../../../domain/webhooks/subscriptions';
import { refuse } from '../../../workflows/contract';
import { type Command, flags, requiredText } from '../common';
import { UsageError } from '../exit-codes';

const SUBSCRIPTION_COLUMNS = [
  { key: 'id', title: 'ID', align: 'right' as const },
  { key: 'connectionId', title: 'CONNECTION', align: 'right' as const },
  { key: 'url', title: 'URL', max: 60 },
  { key: 'events', title: 'EVENTS' },
  { key: 'status', title: 'STATUS' },
  { key: 'deliveries', title: 'DELIVERED/PENDING/FAILED' },
  { key: 'failuresSinceLastSuccess', title: 'FAILING', align: 'right' as const },
  { key: 'lastAttemptAt', title: 'LAST ATTEMPT' },
];

const DELIVERY_COLUMNS = [
  { key: 'attemptId', title: 'ATTEMPT', align: 'right' as const },
  { key: 'at', title: 'AT' },
  { key: 'eventType', title: 'EVENT' },
  { key: 'webhookId', title: 'WEBHOOK-ID' },
  { key: 'ok', title: 'OK' },
  { key: 'statusCode', title: 'STATUS', align: 'right' as const },
  { key: 'durationMs', title: 'MS', align: 'right' as const },
  { key: 'deliveryStatus', title: 'DELIVERY' },
  { key: 'error', title: 'ERROR', max: 60 },
];

const DEFAULT_DELIVERIES = 50;
const MAX_DELIVERIES = 1000;

const idOf = (what: string, list: string) => z.string().regex(/^[1-9][0-9]{0,9}$/, `must be a ${what} ID (a number from \`offboard ${list}\`)`).transform(Number);
const connectionFlag = idOf('connection', 'connections list').refine((n) => n <= 2_147_483_647, 'must be a connection ID (a number from `offboard connections list`)');
const subscriptionId = idOf('subscription', 'webhooks list').refine((n) => n <= 2_147_483_647, 'must be a subscription ID (a number from `offboard webhooks list`)');

const createFlags = z.object({ connection: connectionFlag, url: requiredText, event: z.array(z.string()).min(1, 'is required (repeat it for several events)') });
const deliveriesFlags = z.object({
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, `must be a whole number from 1 to ${MAX_DELIVERIES}`)
    .transform(Number)
    .refine((n) => n <= MAX_DELIVERIES, `must be a whole number from 1 to ${MAX_DELIVERIES}`)
    .optional(),
});

/** The connection; an unknown one is refused. */
async function connectionNamed(db: Database, id: number): Promise<ConnectionInfo> {
  const [connection] = await listConnections(db, [id]);
  if (!connection) refuse('INVALID_INPUT', `No connection has the ID ${id}; \`offboard connections list\` shows them. Nothing was changed.`);
  return connection;
}

/** The subscription's connection; an unknown or deleted subscription is refused. */
async function connectionOf(db: Database, id: number): Promise<number> {
  const connectionId = await liveSubscriptionConnection(db, id);
  if (connectionId === undefined) refuse('INVALID_INPUT', `No webhook subscription has the ID ${id} (or it was deleted); \`offboard webhooks list\` shows them.`);
  return connectionId;
}

const rowOf = (s: WebhookSubscriptionInfo) => ({
  ...s,
  events: s.events.join(' '),
  deliveries: `${s.deliveries.delivered}/${s.deliveries.pending}/${s.deliveries.failed}`,
  lastAttemptAt: s.lastAttemptAt?.toISOString() ?? null,
});

export const webhooksCommand: Command = {
  name: 'webhooks',
  synopsis: 'webhooks list [--connection <id>] | create --connection <id> --url <url> --event <type>… | delete <id> | deliveries <id> [--limit <n>]',
  summary: 'Webhook subscriptions of the connections: where events are POSTed, signed; their delivery log',
  help: [
    'list [--connection <id>]            the live subscriptions (of every connection, or of one), never their secrets',
    'create --connection <id> --url <url> --event <type> [--event <type> …]',
    '                                    POST those events to the URL; the signing secret is printed once, on the last line',
    `                                    events: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    '                                    the URL must reach the public internet unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true',
    'delete <subscription-id>            no more deliveries (pending ones are skipped); its log stays',
    `deliveries <subscription-id> [--limit <n>]   its attempts, newest first (default ${DEFAULT_DELIVERIES}, at most ${MAX_DELIVERIES})`,
  ],
  options: { connection: { type: 'string' }, url: { type: 'string' }, event: { type: 'string', multiple: true }, limit: { type: 'string' } },
  positionals: { min: 1, max: 2, names: '<list|create|delete|deliveries> [<id>]' },
  async run(ctx, { positionals, values }) {
    const [action, id] = positionals;
    const misplaced = (allowed: readonly string[]) => {
      const extra = ['connection', 'url', 'event', 'limit'].find((k) => values[k] !== undefined && !allowed.includes(k));
      if (extra) throw new UsageError(`--${extra} does not go with ${String(action).slice(0, 40)}`, 'webhooks');
    };
    const noId = () => {
      if (id !== undefined) throw new UsageError(`unexpected argument "${id.slice(0, 40)}"`, 'webhooks');
    };
    const subscription = () => {
      const parsed = subscriptionId.safeParse(id);
      if (!parsed.success) throw new UsageError(`<subscription-id> ${id === undefined ? 'is required' : (parsed.error.issues[0]?.message ?? 'is invalid')}`, 'webhooks');
      return parsed.data;
    };

    if (action === 'list') {
      noId();
      misplaced(['connection']);
      const f = flags('webhooks', z.object({ connection: connectionFlag.optional() }), values);
      const db = await ctx.conn.db();
      const ids = f.connection !== undefined ? [(await connectionNamed(db, f.connection)).id] : (await listConnections(db)).map((c) => c.id);
      const rows: WebhookSubscriptionInfo[] = [];
      for (const connectionId of ids) rows.push(...(await listWebhookSubscriptions(db, connectionId, { limit: MAX_SUBSCRIPTIONS_PER_CONNECTION })));
      ctx.out.data(rows);
      if (rows.length === 0) ctx.out.line('No webhook subscriptions. Create one with `offboard webhooks create --connection <id> --url <url> --event <type>`.');
      else ctx.out.table(SUBSCRIPTION_COLUMNS, rows.map(rowOf));
      return;
    }
    if (action === 'create') {
      noId();
      misplaced(['connection', 'url', 'event']);
      const f = flags('webhooks', createFlags, values);
      const db = await ctx.conn.db();
      const connection = await connectionNamed(db, f.connection);
      // A disabled connection's subscriptions get no events (domain/webhooks/events.ts): say so rather than store a dead one.
      if (connection.disabledAt !== null) refuse('INVALID_INPUT', `Connection ${connection.id} "${connection.name}" is disabled: its subscriptions get no events. Nothing was stored.`);
      const { secret, subscription: created } = await createWebhookSubscription(db, {
        connectionId: f.connection,
        url: f.url,
        events: f.event,
        createdBy: 'cli',
        allowPrivateTargets: ctx.conn.settings.webhooks.allowPrivateTargets,
      });
      ctx.out.data({ ...created, secret });
      ctx.out.line(`Webhook subscription ${created.id} of connection ${created.connectionId} posts ${created.events.join(', ')} to ${created.url}.`);
      ctx.out.line('Receivers verify the webhook-signature header with this secret (Standard Webhooks). It is shown only now:');
      ctx.out.line(secret);
      return;
    }
    if (action === 'delete') {
      misplaced([]);
      const sid = subscription();
      const db = await ctx.conn.db();
      const connectionId = await connectionOf(db, sid);
      // Deleted in between by someone else: the same answer as an unknown one.
      if (!(await deleteWebhookSubscription(db, connectionId, sid))) refuse('INVALID_INPUT', `No webhook subscription has the ID ${sid} (or it was deleted); \`offboard webhooks list\` shows them.`);
      ctx.out.data({ id: sid, connectionId, deleted: true });
      ctx.out.line(`Webhook subscription ${sid} of connection ${connectionId} is deleted: no more deliveries; its log stays.`);
      return;
    }
    if (action === 'deliveries') {
      misplaced(['limit']);
      const sid = subscription();
      const f = flags('webhooks', deliveriesFlags, values);
      const db = await ctx.conn.db();
      await connectionOf(db, sid);
      const rows = await subscriptionDeliveryLog(db, sid, { limit: f.limit ?? DEFAULT_DELIVERIES });
      ctx.out.data(rows);
      if (rows.length === 0) ctx.out.line(`Webhook subscription ${sid} has no delivery attempts yet.`);
      else ctx.out.table(DELIVERY_COLUMNS, rows.map((r) => ({ ...r, at: r.at.toISOString() })));
      return;
    }
    throw new UsageError(`"${String(action).slice(0, 40)}" is not list, create, delete or deliveries`, 'webhooks');
  },
};
