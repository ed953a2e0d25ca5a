// The hourly purge of the web app's dead rows, on real PostgreSQL and a real Temporal dev server: the
// activity deletes exactly the dead rows (expired or idle sessions, sessions of ended offboardings,
// used or expired sign-in tokens, old rate-limit windows, expired link counts, old form nonces) in
// bounded chunks and keeps the live ones; the worker's schedule is created once, starts the workflow,
// and that run purges.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offboardings, webActionLinkUses, webFormUses, webhookAttempts, webhookDeliveries, webhookEvents, webRateLimits, webSessions, webSignInTokens } from '../db/schema';
import { loadSettings } from '../config/settings';
import { createConnection } from '../domain/connections';
import { purgeExpiredWebRows, type WebPurgeCounts } from '../domain/web-housekeeping';
import { purgeOldWebhookEvents, type WebhookPurgeCounts } from '../domain/webhooks/retention';
import { ensureHousekeepingSchedule } from '../worker/housekeeping-schedule';
import { WEB_HOUSEKEEPING_SCHEDULE_ID } from '../workflows/contract';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './helpers/temporal';
import { type Harness, runWorkerInBackground, startHarness } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';

let h: Harness;
let env: DevServerEnvironment;
let worker: { taskQueue: string; stop: () => Promise<void> };
let mia: number, uma: number;
let subscription: number;

beforeAll(async () => {
  [h, env] = await Promise.all([startHarness(), sharedDevServerEnvironment()]);
  worker = await runWorkerInBackground(env, h.activities);
  mia = await h.fx.user({ name: 'Mia Manager', email: 'mia@example.com' });
  uma = await h.fx.user({ name: 'Uma Leaving', managerId: mia });
  const helen = await h.fx.admin({ name: 'Helen Admin', email: 'helen@example.com' });
  const { connection } = await createConnection(db(), { name: 'Workday', company: 'Acme', policy: { reason: 'Left', successor: 'none' }, adminUserId: helen, createdBy: 'test', scopes: ['webhooks'] });
  const [sub] = await db().execute<{ id: number }>(sql`insert into webhook_subscriptions (connection_id, url, events, secret, created_by)
    values (${connection.id}, 'https://hooks.example.com/in', array['user.inactivated'], 'whsec_test', 'test') returning id`);
  subscription = sub!.id;
});
afterAll(async () => {
  await worker?.stop();
  await Promise.allSettled([env?.stop(), h?.close()]);
});

const db = () => h.t.db;
const ago = (interval: string) => sql`now() - ${interval}::interval`;
const ahead = (interval: string) => sql`now() + ${interval}::interval`;

/** Two of every kind of web row, one dead and one alive; the dead ones' keys start with "dead". */
async function seed(n: number): Promise<void> {
  const [ended] = await db()
    .insert(offboardings)
    .values({ userId: uma, workflowId: `wf-ended-${n}`, requestedBy: mia, endedAt: new Date(), outcome: 'removed' })
    .returning();
  const [running] = await db().select().from(offboardings).where(sql`${offboardings.userId} = ${uma} and ${offboardings.endedAt} is null`);
  const open = running ?? (await db().insert(offboardings).values({ userId: uma, workflowId: 'wf-open', requestedBy: mia }).returning())[0]!;
  const session = (id: string, values: Partial<typeof webSessions.$inferInsert>) =>
    db()
      .insert(webSessions)
      .values({ idHash: `${id}-${n}`, userId: mia, via: 'email-link', expiresAt: ahead('1 day'), ...values });
  await session('dead-expired', { expiresAt: new Date(Date.now() - 60_000) });
  await session('dead-idle', { lastSeenAt: new Date(Date.now() - 9 * 3_600_000) });
  await session('dead-ended', { via: 'action-link', scopeUserId: uma, offboardingId: ended!.id });
  await session('live', {});
  await session('live-link', { via: 'action-link', scopeUserId: uma, offboardingId: open.id });
  await db()
    .insert(webSignInTokens)
    .values([
      { tokenHash: `dead-used-${n}`, userId: mia, expiresAt: ahead('10 minutes'), usedAt: new Date() },
      { tokenHash: `dead-expired-${n}`, userId: mia, expiresAt: ago('1 minute') },
      { tokenHash: `live-${n}`, userId: mia, expiresAt: ahead('10 minutes') },
    ]);
  await db().execute(sql`insert into web_rate_limits (bucket, window_start, count) values
    (${`dead-${n}`}, now() - interval '25 hours', 3), (${`live-${n}`}, now(), 1)`);
  await db().execute(sql`insert into web_action_link_uses (link_hash, uses, expires_at) values
    (${`dead-${n}`}, 5, now() - interval '1 second'), (${`live-${n}`}, 1, now() + interval '1 day')`);
  await db().execute(sql`insert into web_form_uses (actor_id, request_id, action_hash, used_at) values
    (${mia}, ${`dead-${n}`}, 'h', now() - interval '8 days'), (${mia}, ${`live-${n}`}, 'h', now())`);
}

async function keys(): Promise<string[]> {
  const rows = [
    ...(await db().select({ k: webSessions.idHash }).from(webSessions)),
    ...(await db().select({ k: webSignInTokens.tokenHash }).from(webSignInTokens)),
    ...(await db().select({ k: webRateLimits.bucket }).from(webRateLimits)),
    ...(await db().select({ k: webActionLinkUses.linkHash }).from(webActionLinkUses)),
    ...(await db().select({ k: webFormUses.requestId }).from(webFormUses)),
  ];
  return rows.map((r) => r.k).sort();
}

type Delivery = 'pending' | 'delivered' | 'failed' | 'skipped';

/**
 * Webhook events `age` old with a delivery per status given (each with an attempt) and the dedupe key
 * `<key>-<n>`: a key starting with "dead" is settled and past 30 days, any other must stay.
 */
async function seedEvent(key: string, age: string, deliveries: Delivery[]): Promise<void> {
  const [event] = await db().execute<{ id: number }>(sql`insert into webhook_events (type, company, dedupe_key, body, occurred_at)
    values ('user.inactivated', 'Acme', ${key}, '{}', now() - ${age}::interval) returning id`);
  for (const status of deliveries) {
    // One subscription gets an event once: a second delivery of the same event goes to another subscription.
    const [sub] = await db().execute<{ id: number }>(sql`insert into webhook_subscriptions (connection_id, url, events, secret, created_by)
      select connection_id, url, events, secret, 'test' from webhook_subscriptions where id = ${subscription} returning id`);
    const [delivery] = await db()
      .insert(webhookDeliveries)
      .values({ eventId: event!.id, subscriptionId: sub!.id, status, attempts: 1, dispatchedAt: sql`now() - ${age}::interval` })
      .returning({ id: webhookDeliveries.id });
    await db().insert(webhookAttempts).values({ deliveryId: delivery!.id, subscriptionId: sub!.id, ok: status === 'delivered', durationMs: 5, at: sql`now() - ${age}::interval` });
  }
}

/** Every kind of event, one each: `n` makes the keys of a second seeding unique. */
async function seedWebhooks(n: number): Promise<void> {
  await seedEvent(`dead-delivered-${n}`, '31 days', ['delivered']);
  await seedEvent(`dead-given-up-${n}`, '40 days', ['failed']);
  await seedEvent(`dead-mixed-${n}`, '31 days', ['delivered', 'failed', 'skipped']);
  await seedEvent(`dead-unheard-${n}`, '60 days', []);
  await seedEvent(`recent-delivered-${n}`, '29 days', ['delivered']);
  await seedEvent(`recent-failed-${n}`, '1 day', ['failed']);
  // Old, but one of its deliveries is still being retried (or not yet started): kept, all of it.
  await seedEvent(`old-pending-${n}`, '90 days', ['pending']);
  await seedEvent(`old-partly-pending-${n}`, '45 days', ['delivered', 'pending']);
}

async function webhookLog(): Promise<{ events: string[]; deliveries: number; attempts: number }> {
  const events = (await db().select({ k: webhookEvents.dedupeKey }).from(webhookEvents)).map((r) => r.k).sort();
  const [counts] = await db().execute<{ deliveries: number; attempts: number }>(
    sql`select (select count(*)::int from webhook_deliveries) as deliveries, (select count(*)::int from webhook_attempts) as attempts`,
  );
  return { events, deliveries: counts!.deliveries, attempts: counts!.attempts };
}

describe('the webhook log’s purge', () => {
  it('deletes settled events past the retention with their deliveries and attempts, in chunks; keeps recent and pending ones', async () => {
    for (let n = 0; n < 2; n++) await seedWebhooks(n);
    const chunks: WebhookPurgeCounts[] = [];
    const counts = await purgeOldWebhookEvents(db(), { retentionDays: 30, chunk: 3, afterChunk: (c) => chunks.push({ ...c }) });
    // Per seeding: 4 dead events, 5 deliveries and 5 attempts among them.
    expect(counts).toEqual({ webhookEvents: 8, webhookDeliveries: 10, webhookAttempts: 10 });
    // Three events per statement: 8 take 3 chunks (the last, short one ends it).
    expect(chunks.map((c) => c.webhookEvents)).toEqual([3, 6, 8]);
    const left = await webhookLog();
    expect(left.events).toEqual(
      ['old-partly-pending', 'old-pending', 'recent-delivered', 'recent-failed'].flatMap((k) => [`${k}-0`, `${k}-1`]).sort(),
    );
    // What stays is whole: each kept event still has its deliveries and their attempts (1 + 1 + 1 + 2 each).
    expect(left).toMatchObject({ deliveries: 10, attempts: 10 });
    // A shorter retention takes the recent settled ones too; pending ones stay whatever the age.
    expect(await purgeOldWebhookEvents(db(), { retentionDays: 1 })).toEqual({ webhookEvents: 4, webhookDeliveries: 4, webhookAttempts: 4 });
    expect((await webhookLog()).events).toEqual(['old-partly-pending-0', 'old-partly-pending-1', 'old-pending-0', 'old-pending-1']);
    expect(await purgeOldWebhookEvents(db(), { retentionDays: 1 })).toEqual({ webhookEvents: 0, webhookDeliveries: 0, webhookAttempts: 0 });
    await db().delete(webhookAttempts);
    await db().delete(webhookDeliveries);
    await db().delete(webhookEvents);
  });

  it('keeps 30 days unless WEBHOOK_RETENTION_DAYS says otherwise; a value out of range stops start-up naming it', () => {
    expect(loadSettings({}).webhooks.retentionDays).toBe(30);
    expect(loadSettings({ WEBHOOK_RETENTION_DAYS: '7' }).webhooks.retentionDays).toBe(7);
    expect(() => loadSettings({ WEBHOOK_RETENTION_DAYS: '0' })).toThrow(/^WEBHOOK_RETENTION_DAYS: must be at least 1 day$/);
    expect(() => loadSettings({ WEBHOOK_RETENTION_DAYS: '3651' })).toThrow(/^WEBHOOK_RETENTION_DAYS: must be at most 3650 days$/);
    expect(() => loadSettings({ WEBHOOK_RETENTION_DAYS: 'thirty' })).toThrow(/^WEBHOOK_RETENTION_DAYS: must be a whole number of days/);
    expect(() => loadSettings({ WEBHOOK_RETENTION_DAYS: '1.5' })).toThrow(/^WEBHOOK_RETENTION_DAYS: must be a whole number of days/);
  });
});

describe('the web purge', () => {
  it('deletes the dead rows in bounded chunks and keeps the live ones', async () => {
    for (let n = 0; n < 3; n++) await seed(n);
    const chunks: WebPurgeCounts[] = [];
    const counts = await purgeExpiredWebRows(db(), { chunk: 2, afterChunk: (c) => chunks.push({ ...c }) });
    expect(counts).toEqual({ sessions: 9, signInTokens: 6, rateLimits: 3, actionLinkUses: 3, formUses: 3 });
    expect((await keys()).filter((k) => k.startsWith('dead'))).toEqual([]);
    expect(await keys()).toHaveLength(3 * 5 + 3);
    // Two rows per statement: 9 sessions take 5 chunks, and so on (the last, short one ends each table).
    expect(chunks.length).toBe(5 + 4 + 2 + 2 + 2);
    // Nothing left to do: a second run deletes nothing.
    expect(await purgeExpiredWebRows(db())).toEqual({ sessions: 0, signInTokens: 0, rateLimits: 0, actionLinkUses: 0, formUses: 0 });
  });

  it('the worker’s schedule is created once, runs webHousekeeping every hour, and a run purges', async () => {
    expect(await ensureHousekeepingSchedule(env.client, worker.taskQueue)).toBe(true);
    // Every worker start calls it: the schedule that exists is kept.
    expect(await ensureHousekeepingSchedule(env.client, worker.taskQueue)).toBe(false);
    const schedule = env.client.schedule.getHandle(WEB_HOUSEKEEPING_SCHEDULE_ID);
    const described = await schedule.describe();
    expect(described.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'webHousekeeping', taskQueue: worker.taskQueue });
    expect(described.policies.overlap).toBe('SKIP');

    await seed(9);
    await seedWebhooks(9);
    await schedule.trigger();
    await expect.poll(async () => (await schedule.describe()).info.recentActions.length, { timeout: budget(30_000) }).toBeGreaterThan(0);
    const [first] = (await schedule.describe()).info.recentActions;
    const run = env.client.workflow.getHandle(first!.action.workflow.workflowId);
    // The webhook log at the default retention, 30 days.
    expect(await run.result()).toEqual({ sessions: 3, signInTokens: 2, rateLimits: 1, actionLinkUses: 1, formUses: 1, webhookEvents: 4, webhookDeliveries: 5, webhookAttempts: 5 });
    expect((await keys()).filter((k) => k.startsWith('dead'))).toEqual([]);
    expect((await webhookLog()).events.filter((k) => k.startsWith('dead'))).toEqual([]);
    expect((await webhookLog()).events).toHaveLength(4);
    expect(await db().select().from(webSessions).where(eq(webSessions.idHash, 'live-link-9'))).toHaveLength(1);
    await schedule.delete();
  });
});
