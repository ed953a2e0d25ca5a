// `offboard webhooks`: a connection's webhook subscriptions from the CLI, on real PostgreSQL, with the
// API's domain functions. Create prints the secret once (last line; --json), list and --json never
// show it, deliveries shows the log, delete ends the subscription and keeps its log. Each refused
// input (a private URL without WEBHOOK_ALLOW_PRIVATE_TARGETS, an unknown or disabled connection, an
// unknown event, an unknown or deleted subscription, a malformed flag) exits non-zero with a clear
// message and changes nothing: the subscriptions, deliveries and audit rows are compared before and after.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connections, webhookAttempts, webhookDeliveries, webhookEvents, webhookSubscriptions } from '../db/schema';
import { createConnection } from '../domain/connections';
import { type CliResult, runCli } from './helpers/cli';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures } from './helpers/directory-fixtures';
import { budget } from './helpers/time-budget';

let t: TestDatabase;
let workday: number;
let disabled: number;
const PUBLIC_URL = 'https://203.0.113.10/hooks/offboarding';

const offboard = (args: string[], extra: Record<string, string> = {}) => runCli(args, { DATABASE_URL: t.url, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', ...extra });

beforeAll(async () => {
  t = await createTestDatabase();
  const helen = await directoryFixtures(t.db).admin({ name: 'Helen Park', email: 'helen.park@example.com', company: 'Acme' });
  const policy = { reason: 'Left the company', successor: 'none' };
  workday = (await createConnection(t.db, { name: 'Workday', company: 'Acme', policy, adminUserId: helen, createdBy: 'test', scopes: ['webhooks'] })).connection.id;
  disabled = (await createConnection(t.db, { name: 'Old HR', company: 'Acme', policy, adminUserId: helen, createdBy: 'test', scopes: ['webhooks'] })).connection.id;
  await t.db.update(connections).set({ disabledAt: new Date() }).where(eq(connections.id, disabled));
}, budget(120_000));
afterAll(async () => {
  await t?.drop();
});

/** Everything a webhooks command could change. */
async function state() {
  const subscriptions = await t.db.select().from(webhookSubscriptions).orderBy(webhookSubscriptions.id);
  const [counts] = await t.db.execute<{ deliveries: number; audit: number }>(
    sql`select (select count(*)::int from webhook_deliveries) as deliveries, (select count(*)::int from audit_log) as audit`,
  );
  return { subscriptions, ...counts };
}

/** Exit 1 with the refusal's code first and what to do next; no stack trace. */
function expectRefused(r: CliResult, message: RegExp): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 1, stderr: expect.stringMatching(/^INVALID_INPUT: /) });
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}

describe('offboard webhooks', () => {
  it('creates a subscription and prints its secret once; lists it (never the secret); shows its deliveries; deletes it', async () => {
    const audit = (await state()).audit;
    const created = await offboard(['webhooks', 'create', '--connection', String(workday), '--url', PUBLIC_URL, '--event', 'user.inactivated', '--event', 'offboarding.started']);
    expect(created.code, created.stderr).toBe(0);
    const lines = created.stdout.trim().split('\n');
    const secret = lines.at(-1)!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.stdout).toMatch(new RegExp(`Webhook subscription \\d+ of connection ${workday} posts user.inactivated, offboarding.started to ${PUBLIC_URL}`));
    const [row] = await t.db.select().from(webhookSubscriptions);
    expect(row).toMatchObject({ connectionId: workday, url: PUBLIC_URL, events: ['user.inactivated', 'offboarding.started'], secret, createdBy: 'cli', deletedAt: null });

    // --json: one document with the secret, once.
    const json = await offboard(['webhooks', 'create', '--connection', String(workday), '--url', `${PUBLIC_URL}/2`, '--event', 'batch.completed', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = json.json<{ id: number; connectionId: number; events: string[]; secret: string; status: string }>();
    expect(doc).toMatchObject({ connectionId: workday, events: ['batch.completed'], status: 'enabled', secret: expect.stringMatching(/^whsec_/) });

    const listed = await offboard(['webhooks', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(PUBLIC_URL);
    expect(listed.stdout).toMatch(/user\.inactivated offboarding\.started/);
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toContain(doc.secret);
    const listedJson = await offboard(['webhooks', 'list', '--connection', String(workday), '--json']);
    const docs = listedJson.json<Record<string, unknown>[]>();
    expect(docs.map((d) => d.id)).toEqual([row!.id, doc.id]);
    expect(JSON.stringify(docs)).not.toMatch(/whsec_/);
    expect(await offboard(['webhooks', 'list', '--connection', String(disabled), '--json']).then((r) => r.json<unknown[]>())).toEqual([]);

    // Its delivery log: an event delivered on the second attempt.
    const [event] = await t.db.insert(webhookEvents).values({ type: 'user.inactivated', company: 'Acme', dedupeKey: 'cli-test-1', body: '{}' }).returning();
    const [delivery] = await t.db.insert(webhookDeliveries).values({ eventId: event!.id, subscriptionId: row!.id, status: 'delivered', attempts: 2 }).returning();
    await t.db.insert(webhookAttempts).values([
      { deliveryId: delivery!.id, subscriptionId: row!.id, ok: false, statusCode: 503, error: 'HTTP 503', durationMs: 12 },
      { deliveryId: delivery!.id, subscriptionId: row!.id, ok: true, statusCode: 204, durationMs: 8 },
    ]);
    const log = await offboard(['webhooks', 'deliveries', String(row!.id), '--json']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.json<{ statusCode: number; ok: boolean; webhookId: string; deliveryStatus: string }[]>().map((d) => [d.statusCode, d.ok, d.webhookId, d.deliveryStatus])).toEqual([
      [204, true, event!.messageId, 'delivered'],
      [503, false, event!.messageId, 'delivered'],
    ]);
    const one = await offboard(['webhooks', 'deliveries', String(row!.id), '--limit', '1']);
    expect(one.stdout).toMatch(/204/);
    expect(one.stdout).not.toMatch(/HTTP 503/);

    const deleted = await offboard(['webhooks', 'delete', String(row!.id)]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(new RegExp(`Webhook subscription ${row!.id} of connection ${workday} is deleted`));
    const [gone] = await t.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, row!.id));
    expect(gone!.deletedAt).not.toBeNull();
    // Its log stays; the list no longer shows it.
    expect((await t.db.select().from(webhookAttempts)).length).toBe(2);
    expect((await offboard(['webhooks', 'list', '--json'])).json<{ id: number }[]>().map((d) => d.id)).toEqual([doc.id]);
    // Like the API's calls, not audited.
    expect((await state()).audit).toBe(audit);
    // Listed in the tool's help, with its own.
    expect((await offboard(['--help'])).stdout).toMatch(/^ {2}webhooks {2,}Webhook subscriptions/m);
    expect((await offboard(['webhooks', '--help'])).stdout).toMatch(/--event <type>[\s\S]*printed once/);
  });

  it('refuses bad input with a clear message and a non-zero exit, and changes nothing', async () => {
    const before = await state();
    const c = String(workday);
    const [deletedOne] = await t.db.select({ id: webhookSubscriptions.id }).from(webhookSubscriptions).where(sql`${webhookSubscriptions.deletedAt} is not null`);
    // A private target without the setting: refused, naming the address and the setting.
    expectRefused(await offboard(['webhooks', 'create', '--connection', c, '--url', 'http://127.0.0.1:9/hook', '--event', 'user.inactivated']), /127\.0\.0\.1.*WEBHOOK_ALLOW_PRIVATE_TARGETS/);
    expectRefused(await offboard(['webhooks', 'create', '--connection', c, '--url', 'http://10.1.2.3/hook', '--event', 'user.inactivated']), /private address/);
    expectRefused(await offboard(['webhooks', 'create', '--connection', c, '--url', 'ftp://203.0.113.10/x', '--event', 'user.inactivated']), /http or https/);
    // An unknown or disabled connection.
    expectRefused(await offboard(['webhooks', 'create', '--connection', '999999', '--url', PUBLIC_URL, '--event', 'user.inactivated']), /No connection has the ID 999999/);
    expectRefused(await offboard(['webhooks', 'create', '--connection', String(disabled), '--url', PUBLIC_URL, '--event', 'user.inactivated']), /is disabled/);
    expectRefused(await offboard(['webhooks', 'list', '--connection', '999999']), /No connection has the ID 999999/);
    // An event that is none.
    expectRefused(await offboard(['webhooks', 'create', '--connection', c, '--url', PUBLIC_URL, '--event', 'user.deleted']), /Unknown event "user\.deleted".*user\.inactivated/);
    // An unknown or deleted subscription.
    expectRefused(await offboard(['webhooks', 'delete', '999999']), /No webhook subscription has the ID 999999/);
    expectRefused(await offboard(['webhooks', 'delete', String(deletedOne!.id)]), /No webhook subscription has the ID/);
    expectRefused(await offboard(['webhooks', 'deliveries', '999999']), /No webhook subscription has the ID 999999/);
    // Malformed flags and arguments: usage errors (exit 2).
    for (const args of [
      ['webhooks', 'create', '--connection', c, '--url', PUBLIC_URL],
      ['webhooks', 'create', '--connection', 'abc', '--url', PUBLIC_URL, '--event', 'user.inactivated'],
      ['webhooks', 'create', '--url', PUBLIC_URL, '--event', 'user.inactivated'],
      ['webhooks', 'delete', 'x'],
      ['webhooks', 'delete'],
      ['webhooks', 'deliveries', '1', '--limit', '0'],
      ['webhooks', 'deliveries', '1', '--limit', '1001'],
      ['webhooks', 'list', '--url', PUBLIC_URL],
      ['webhooks', 'create', '--connection', c, '--url', PUBLIC_URL, '--event', 'user.inactivated', '--limit', '5'],
      ['webhooks', 'rotate'],
    ]) {
      const r = await offboard(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await state()).toEqual(before);

    // The same private target is accepted where the setting allows it.
    const allowed = await offboard(['webhooks', 'create', '--connection', c, '--url', 'http://127.0.0.1:9/hook', '--event', 'user.inactivated', '--json'], { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.json<{ url: string }>().url).toBe('http://127.0.0.1:9/hook');
  });
});
