// The events a connection can subscribe to, and how one is recorded: an outbox row in the SAME
// transaction as the change it reports (the claim, the inactivation, the reactivation, the import,
// the outbox row of the manager's notice or the batch summary), so an event exists exactly when its
// fact was committed — no workflow code changes, no event for a change that rolled back, and a
// retried activity finds its event already there (dedupe_key). The same statement fans the event out
// to every live subscription of every connection of the company (a connection has one company):
// one webhook_deliveries row each, which the worker's relay (worker/webhook-relay.ts) starts as a
// workflow. A subscription created later does not get earlier events.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/transaction';

export const WEBHOOK_EVENT_TYPES = [
  'offboarding.started',
  'offboarding.waiting',
  'user.inactivated',
  'user.reactivated',
  'batch.completed',
  'item.held-by-inactive-user',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The PostgreSQL channel the relay listens on: a committed event wakes it at once. */
export const WEBHOOK_CHANNEL = 'webhook_deliveries';

/** A person as an event names them: enough for the receiving system to find its own record. */
export type EventPerson = { id: number; name: string; email: string | null; externalId: string | null };

export type WebhookEvent = {
  type: WebhookEventType;
  /** The company the fact belongs to (users.company): each of its connections' subscriptions gets it. */
  company: string;
  /** The same fact recorded twice (a retried activity) is one event. */
  dedupeKey: string;
  data: Record<string, unknown>;
};

/**
 * Writes the event and its deliveries in the caller's transaction; a second call with the same
 * dedupe key does nothing. The body is fixed here (Standard Webhooks' `{type, timestamp, data}`), so
 * every retry signs the same bytes.
 */
export async function recordWebhookEvent(db: DbOrTx, event: WebhookEvent): Promise<void> {
  const body = JSON.stringify({ type: event.type, timestamp: new Date().toISOString(), data: event.data });
  const rows = await db.execute<{ deliveries: number }>(sql`
    with event as (
      insert into webhook_events (type, company, dedupe_key, body)
      values (${event.type}, ${event.company}, ${event.dedupeKey}, ${body})
      on conflict (dedupe_key) do nothing
      returning id
    ), fanned as (
      insert into webhook_deliveries (event_id, subscription_id)
      select event.id, s.id
        from event, webhook_subscriptions s
        join connections c on c.id = s.connection_id
       where c.company = ${event.company} and c.disabled_at is null
         and s.disabled_at is null and s.deleted_at is null
         and ${event.type} = any(s.events)
      on conflict do nothing
      returning id
    )
    select count(*)::int as deliveries from fanned`);
  // Delivered to listeners on commit only; nobody hears of a rolled-back event.
  if ((rows[0]?.deliveries ?? 0) > 0) await db.execute(sql`select pg_notify(${WEBHOOK_CHANNEL}, '')`);
}

/** People as events name them, by ID (those not found are left out). */
export async function eventPeople(db: DbOrTx, ids: readonly number[]): Promise<Map<number, EventPerson & { company: string }>> {
  const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647);
  if (unique.length === 0) return new Map();
  const rows = await db.execute<EventPerson & { company: string }>(sql`
    select id, name, email, external_id as "externalId", company from users where id in (${sql.join(
      unique.map((id) => sql`${id}`),
      sql`, `,
    )})`);
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, email: r.email, externalId: r.externalId, company: r.company }]));
}

/** The person without their company (which the event carries once). */
export const personOf = (p: EventPerson & { company: string }): EventPerson => ({ id: p.id, name: p.name, email: p.email, externalId: p.externalId });

/** The companies (of those given) with at least one live subscription to the event type. */
export async function companiesListening(db: DbOrTx, companies: readonly string[], type: WebhookEventType): Promise<Set<string>> {
  if (companies.length === 0) return new Set();
  const rows = await db.execute<{ company: string }>(sql`
    select distinct c.company from connections c join webhook_subscriptions s on s.connection_id = c.id
     where c.company in (${sql.join(
       companies.map((x) => sql`${x}`),
       sql`, `,
     )}) and c.disabled_at is null and s.disabled_at is null and s.deleted_at is null and ${type} = any(s.events)`);
  return new Set(rows.map((r) => r.company));
}
