// Issue 24, webhooks out, end to end: the real web app (/api/v1/webhooks), worker, Temporal dev
// server, PostgreSQL, SMTP sink, the worker's relay, and a receiver that verifies every signature
// with the `standardwebhooks` package as a real receiver would. An offboarding started through the
// API → offboarding.started and offboarding.waiting; an inactivation → user.inactivated; the batch's
// end → batch.completed; an import → item.held-by-inactive-user; a reactivation → user.reactivated;
// each exactly once (unique webhook-ids = deliveries). A receiver answering 500 then 2xx gets each
// event retried with the same webhook-id and delivered once; one always failing is disabled after
// the (short, here) retry window and its admin gets one email. The SSRF guard refuses 127.0.0.1
// without WEBHOOK_ALLOW_PRIVATE_TARGETS (422 problem, nothing stored); a token without the scope is 403.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_BASE_PATH } from '../client/web/api/routes';
import { startWebServer, type WebServer } from '../client/web/server';
import { WebhookDeliveries } from '../client/web/views/webhook-deliveries';
import { webhookDeliveries, webhookEvents, webhookSubscriptions } from '../db/schema';
import { createConnection, createConnectionToken } from '../domain/connections';
import { loadSettings } from '../config/settings';
import { recentWebhookDeliveries } from '../domain/webhooks/delivery-log';
import { importWork } from '../domain/work-import';
import { type ImportRecord } from '../domain/work-import-records';
import { startWebhookRelay, type WebhookRelay } from '../worker/webhook-relay';
import { freePort } from './helpers/free-port';
import { budget, WAIT_MS } from './helpers/time-budget';
import { waitUntil } from './helpers/wait-until';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';
import { startWebStack, type WebStack } from './helpers/web-stack';

let s: WebStack;
let strict: WebServer;
let strictUrl: string;
let receiver: WebhookReceiver;
let relay: WebhookRelay;
let helen: number;
let ann: number;
let bo: number;
let token: string;
let noScope: string;
let connectionId: number;
const subs: Record<'main' | 'flaky' | 'down', number> = { main: 0, flaky: 0, down: 0 };
const db = () => s.h.t.db;
const ALL_EVENTS = ['offboarding.started', 'offboarding.waiting', 'user.inactivated', 'user.reactivated', 'batch.completed', 'item.held-by-inactive-user'];
const GIVE_UP_MS = 4000;

type Answer = { status: number; type: string; body: Record<string, unknown> };

async function api(method: string, path: string, o: { token?: string | null; body?: unknown; base?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const bearer = o.token === undefined ? token : o.token;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${o.base ?? s.url}${API_BASE_PATH}${path}`, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const storedCounts = async () => {
  const [row] = await db().execute<{ subs: number; deliveries: number }>(
    sql`select (select count(*)::int from webhook_subscriptions) as subs, (select count(*)::int from webhook_deliveries) as deliveries`,
  );
  return row;
};

const typesOf = (path: string) => {
  const counts: Record<string, number> = {};
  for (const r of receiver.delivered(path)) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  s = await startWebStack({
    settings: { api: { requestsPerMinute: 100_000 }, webhooks: { allowPrivateTargets: true } },
    webhooks: { allowPrivateTargets: true, timeoutMs: 5000 },
  });
  const f = s.h.fx;
  helen = await f.admin({ name: 'Helen Park', email: 'helen.park@acme.example' });
  const manager = await f.user({ name: 'Mo Reed', email: 'mo.reed@acme.example' });
  ann = await f.user({ name: 'Ann Lee', email: 'ann.lee@acme.example', managerId: manager });
  bo = await f.user({ name: 'Bo Chan', email: 'bo.chan@acme.example', managerId: manager, externalId: 'wd-bo' });
  const project = await f.project('Tower');
  for (const u of [manager, ann, bo]) await f.member(project, u);
  // Ann holds an item, so her offboarding waits; Bo holds none, so he is inactivated at once.
  await f.rfi({ projectId: project, assignees: [ann] });
  const created = await createConnection(db(), {
    name: 'Workday',
    company: 'Acme',
    policy: { reason: 'Left the company', successor: 'none' },
    adminUserId: helen,
    createdBy: 'test',
    scopes: ['webhooks', 'offboardings:read', 'offboardings:write'],
  });
  token = created.token;
  connectionId = created.connection.id;
  noScope = (await createConnectionToken(db(), connectionId, 'test', ['offboardings:read'])).token;
  relay = await startWebhookRelay({
    db: db(),
    sql: s.h.t.sql,
    client: s.env.client,
    taskQueue: s.taskQueue,
    settings: { retry: { firstMs: 300, maxMs: 1000, giveUpAfterMs: GIVE_UP_MS }, relayIntervalMs: 200 },
    log: (level, message) => console.warn(`relay ${level}: ${message}`),
  });
  // The same app without WEBHOOK_ALLOW_PRIVATE_TARGETS, as a production deployment runs.
  const port = await freePort();
  strictUrl = `http://127.0.0.1:${port}`;
  strict = await startWebServer({
    settings: { ...s.settings, port, publicUrl: strictUrl, webhooks: { allowPrivateTargets: false } },
    db: db(),
    temporal: s.env.client,
    taskQueue: s.taskQueue,
    mailer: s.h.mailer,
    log: () => undefined,
  });
}, budget(240_000));

afterAll(async () => {
  await relay?.stop();
  await strict?.close();
  await s?.close();
  await receiver?.close();
});

describe('subscriptions', () => {
  it('refuses a target on 127.0.0.1 or localhost without the setting (422, nothing stored), and a token without the scope (403)', async () => {
    for (const url of [`${receiver.url}/a`, 'http://localhost:9/hook', 'http://[::1]:9/hook', 'http://10.1.2.3/hook', 'http://169.254.169.254/latest']) {
      const r = await api('POST', '/webhooks', { base: strictUrl, body: { url, events: ['user.inactivated'] } });
      expect(r.status, url).toBe(422);
      expect(r.type).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ code: 'INVALID_INPUT' });
      expect(String(r.body.detail)).toMatch(/loopback, link-local or private address/);
    }
    const ftp = await api('POST', '/webhooks', { base: strictUrl, body: { url: 'ftp://example.com/x', events: ['user.inactivated'] } });
    expect(ftp.status).toBe(422);
    const unknown = await api('POST', '/webhooks', { body: { url: `${receiver.url}/a`, events: ['user.deleted'] } });
    expect(unknown.status).toBe(422);
    const extra = await api('POST', '/webhooks', { body: { url: `${receiver.url}/a`, events: ['user.inactivated'], secret: 'mine' } });
    expect(extra.status).toBe(422);
    const missing = await api('POST', '/webhooks', { token: noScope, body: { url: `${receiver.url}/a`, events: ['user.inactivated'] } });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ code: 'MISSING_SCOPE', scope: 'webhooks' });
    expect((await api('GET', '/webhooks', { token: noScope })).status).toBe(403);
    expect((await api('GET', '/webhooks', { token: null })).status).toBe(401);
    expect(await storedCounts()).toEqual({ subs: 0, deliveries: 0 });
  });

  it('subscribes with the secret shown once, and lists without it, cursor-paged', async () => {
    const make = async (path: string, events: string[]) => {
      const r = await api('POST', '/webhooks', { body: { url: `${receiver.url}${path}`, events } });
      expect(r.status).toBe(201);
      expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(r.body).toMatchObject({ status: 'enabled', events, deliveries: { delivered: 0, pending: 0, failed: 0 } });
      return { id: Number(r.body.id), secret: String(r.body.secret) };
    };
    const main = await make('/main', ALL_EVENTS);
    const flaky = await make('/flaky', ['offboarding.started']);
    const down = await make('/down', ['offboarding.started']);
    receiver.route('/main', 'ok', main.secret);
    receiver.route('/flaky', 'fail-once', flaky.secret);
    receiver.route('/down', 'down', down.secret);
    Object.assign(subs, { main: main.id, flaky: flaky.id, down: down.id });

    const first = await api('GET', '/webhooks?limit=2');
    expect(first.status).toBe(200);
    expect(JSON.stringify(first.body)).not.toContain('whsec_');
    expect((first.body.items as { id: number }[]).map((i) => i.id)).toEqual([main.id, flaky.id]);
    expect(first.body.items).toEqual([expect.objectContaining({ failuresSinceLastSuccess: 0, lastAttemptAt: null }), expect.anything()]);
    const second = await api('GET', `/webhooks?limit=2&cursor=${String(first.body.nextCursor)}`);
    expect((second.body.items as { id: number }[]).map((i) => i.id)).toEqual([down.id]);
    expect(second.body.nextCursor).toBeNull();
    expect((await api('GET', '/webhooks?cursor=made-up')).status).toBe(422);
  });
});

describe('events', () => {
  it('an offboarding, its inactivation, the batch’s end, an import and a reactivation each arrive once, signed', async () => {
    const start = await api('POST', '/batches', { body: { users: [ann, bo], reason: 'Left' } });
    expect(start.status).toBe(201);
    const batchId = String((start.body.batch as { batchId: string }).batchId);
    await waitUntil('started, waiting and inactivated', () => {
      const t = typesOf('/main');
      return t['offboarding.started'] === 2 && t['offboarding.waiting'] === 1 && t['user.inactivated'] === 1;
    }, WAIT_MS);
    const waiting = receiver.delivered('/main').find((r) => r.type === 'offboarding.waiting');
    expect(waiting?.data).toMatchObject({ user: { id: ann, email: 'ann.lee@acme.example' }, batchId, openItems: 1 });
    const inactivated = receiver.delivered('/main').find((r) => r.type === 'user.inactivated');
    expect(inactivated?.data).toMatchObject({ user: { id: bo, externalId: 'wd-bo' } });

    // Ann leaves the batch: it ends (Bo inactivated, Ann removed).
    expect((await api('POST', `/batches/${batchId}/removals`, { body: { user: ann } })).status).toBe(200);
    await waitUntil('batch.completed', () => typesOf('/main')['batch.completed'] === 1, WAIT_MS);
    expect(receiver.delivered('/main').find((r) => r.type === 'batch.completed')?.data).toMatchObject({ batchId, counts: { inactivated: 1, removed: 1 }, inactivated: [bo], removed: [ann] });

    // An item arrives held by Bo, who is inactive now.
    const records = [
      { kind: 'project', number: 'WH-1', name: 'Webhook Works', status: 'active' },
      { kind: 'item', tool: 'rfi', externalId: 'wh-rfi-1', project: 'WH-1', number: 'R-1', title: 'Still his', status: 'open', people: [{ role: 'assignee', email: 'bo.chan@acme.example' }] },
    ] as ImportRecord[];
    const imported = await importWork(db(), records, { actorId: helen });
    expect(imported.heldByInactiveUser).toHaveLength(1);
    await importWork(db(), records, { actorId: helen }); // the same file again tells nobody twice
    await waitUntil('item.held-by-inactive-user', () => typesOf('/main')['item.held-by-inactive-user'] === 1, WAIT_MS);

    expect((await api('POST', `/users/${bo}/reactivate`, { body: { reason: 'Came back' } })).status).toBe(200);
    await waitUntil('user.reactivated', () => typesOf('/main')['user.reactivated'] === 1, WAIT_MS);

    // Nothing more comes: each event once.
    await new Promise((r) => setTimeout(r, 1500));
    const main = receiver.received.filter((r) => r.path === '/main');
    expect(main.every((r) => r.verified && r.answered === 200)).toBe(true);
    expect(new Set(main.map((r) => r.webhookId)).size).toBe(main.length);
    expect(typesOf('/main')).toEqual({
      'offboarding.started': 2,
      'offboarding.waiting': 1,
      'user.inactivated': 1,
      'batch.completed': 1,
      'item.held-by-inactive-user': 1,
      'user.reactivated': 1,
    });
    const rows = await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subs.main));
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ['delivered', 1]));
    expect(rows).toHaveLength(7);
  });

  it('a receiver answering 500, then 2xx, gets each event again with the same webhook-id, delivered once', async () => {
    await waitUntil('flaky deliveries', () => receiver.delivered('/flaky').length === 2, WAIT_MS);
    const flaky = receiver.received.filter((r) => r.path === '/flaky');
    expect(flaky.every((r) => r.verified)).toBe(true);
    const started = receiver.delivered('/main').filter((r) => r.type === 'offboarding.started').map((r) => r.webhookId).sort();
    // The same event has the same webhook-id for every subscription, and on every retry.
    expect(receiver.delivered('/flaky').map((r) => r.webhookId).sort()).toEqual(started);
    for (const id of started) expect(flaky.filter((r) => r.webhookId === id).map((r) => r.answered)).toEqual([500, 204]);
    const rows = await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subs.flaky));
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['delivered', 2],
      ['delivered', 2],
    ]);
  });

  it('a receiver that keeps failing is disabled after the retry window, and its admin gets one email', async () => {
    await waitUntil(
      'the down subscription disabled',
      async () => {
        const [row] = await db().select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, subs.down));
        return row?.disabledAt !== null && row?.disabledAt !== undefined;
      },
      Math.max(WAIT_MS, budget(GIVE_UP_MS * 4 + 20_000)),
    );
    const mails = () => s.h.sink.messages.filter((m) => m.parsed.headers.get('x-offboarding-kind') === 'webhook-disabled');
    await waitUntil('the admin’s email', () => mails().length === 1, WAIT_MS);
    await waitUntil(
      'both deliveries ended',
      async () => (await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subs.down))).every((d) => d.status !== 'pending'),
      Math.max(WAIT_MS, budget(GIVE_UP_MS * 3 + 10_000)),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(mails()).toHaveLength(1);
    const mail = mails()[0]!;
    expect(mail.envelope.to).toEqual(['helen.park@acme.example']);
    expect(mail.parsed.subject).toBe('Webhook disabled for Workday: its endpoint kept failing');
    expect(mail.parsed.text).toContain(`${receiver.url}/down`);
    expect(receiver.received.filter((r) => r.path === '/down').every((r) => r.verified && r.answered === 503)).toBe(true);
    const listed = await api('GET', '/webhooks');
    const down = (listed.body.items as { id: number; status: string; failuresSinceLastSuccess: number; disabledReason: string; deliveries: { failed: number } }[]).find((i) => i.id === subs.down);
    // Two deliveries, none delivered: the first to give up disables the subscription; the other gave up
    // too, or (on a slow machine, when it tried after the disabling) was skipped.
    expect(down).toMatchObject({ status: 'disabled', deliveries: { delivered: 0, pending: 0 } });
    expect(down!.deliveries.failed).toBeGreaterThanOrEqual(1);
    const ended = await db().select({ status: webhookDeliveries.status }).from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subs.down));
    expect(ended.map((d) => d.status).every((st) => st === 'failed' || st === 'skipped')).toBe(true);
    expect(ended).toHaveLength(2);
    expect(down!.failuresSinceLastSuccess).toBeGreaterThan(1);
    expect(down!.disabledReason).toMatch(/HTTP 503/);
  });
});

describe('the delivery log', () => {
  it('answers each attempt newest first, per subscription, and the Connections page’s read and table show them escaped', async () => {
    const log = await api('GET', `/webhooks/${subs.flaky}/deliveries?limit=3`);
    expect(log.status).toBe(200);
    const items = log.body.items as { attemptId: number; statusCode: number; ok: boolean; eventType: string; durationMs: number }[];
    expect(items).toHaveLength(3);
    expect(items.map((i) => i.attemptId)).toEqual([...items.map((i) => i.attemptId)].sort((a, b) => b - a));
    expect(items.every((i) => i.eventType === 'offboarding.started' && i.durationMs >= 0)).toBe(true);
    const rest = await api('GET', `/webhooks/${subs.flaky}/deliveries?cursor=${String(log.body.nextCursor)}`);
    expect((rest.body.items as unknown[]).length).toBe(1);
    expect(rest.body.nextCursor).toBeNull();
    expect([...items, ...(rest.body.items as typeof items)].map((i) => i.statusCode).sort()).toEqual([204, 204, 500, 500]);

    const recent = await recentWebhookDeliveries(db(), connectionId, 50);
    expect(new Set(recent.map((r) => r.subscriptionId))).toEqual(new Set([subs.main, subs.flaky, subs.down]));
    expect(recent.filter((r) => r.subscriptionId === subs.main)).toHaveLength(7);
    const [one] = recent;
    const node = WebhookDeliveries({ rows: [{ ...one!, ok: false, statusCode: null, error: '<script>alert(1)</script>', url: 'https://x.example/?a=<b>' }] }) as unknown as { toString(): string | Promise<string> };
    const html = await node.toString();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<table');
  });

  it('DELETE ends a subscription: gone from the list, its log 404, a second DELETE 404', async () => {
    expect((await api('DELETE', `/webhooks/${subs.flaky}`)).status).toBe(204);
    const list = await api('GET', '/webhooks');
    expect((list.body.items as { id: number }[]).map((i) => i.id)).not.toContain(subs.flaky);
    expect((await api('DELETE', `/webhooks/${subs.flaky}`)).body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((await api('GET', `/webhooks/${subs.flaky}/deliveries`)).status).toBe(404);
    expect((await api('GET', `/webhooks/999999/deliveries`)).status).toBe(404);
    const [events] = await db().select({ n: sql<number>`count(*)::int` }).from(webhookEvents);
    expect(events!.n).toBe(7);
  });
});

describe('the webhook POST timeout', () => {
  it('stays inside the attempt’s minute: above 50 s (or not a whole number) stops start-up naming the setting', () => {
    expect(loadSettings({}).webhooks.timeoutMs).toBe(10_000);
    expect(loadSettings({ WEBHOOK_TIMEOUT_SECONDS: '50' }).webhooks.timeoutMs).toBe(50_000);
    expect(() => loadSettings({ WEBHOOK_TIMEOUT_SECONDS: '60' })).toThrow(/^WEBHOOK_TIMEOUT_SECONDS: must be at most 50 seconds/);
    expect(() => loadSettings({ WEBHOOK_TIMEOUT_SECONDS: '0' })).toThrow(/^WEBHOOK_TIMEOUT_SECONDS: must be at least 1 second$/);
    expect(() => loadSettings({ WEBHOOK_TIMEOUT_SECONDS: 'ten' })).toThrow(/^WEBHOOK_TIMEOUT_SECONDS: must be a whole number of seconds/);
  });
});
