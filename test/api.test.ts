// Issue 24: the JSON API at /api/v1 over HTTP against the real web app, worker, Temporal dev server
// and PostgreSQL. The contract (OpenAPI 3.1, the reference page and its CSP), tokens and scopes
// (401/403 and nothing changes), starting a batch with an Idempotency-Key (twice → one batch; another
// body → refused), reading it back, the lists' cursors, removing, cancelling, open items, the
// Assignment Report and reactivating; each change asserted in the database or the workflow.
import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_BASE_PATH } from '../client/web/api/routes';
import { CONTENT_SECURITY_POLICY } from '../client/web/security-headers';
import { connectionTokens, offboardings, users } from '../db/schema';
import { createConnection, createConnectionToken, revokeConnectionToken } from '../domain/connections';
import { directoryFixtures } from './helpers/directory-fixtures';
import { budget } from './helpers/time-budget';
import { waitForValue } from './helpers/wait-until';
import { startWebStack, type WebStack } from './helpers/web-stack';

let s: WebStack;
let helen: number;
let manager: number;
let leavers: number[];
let project: number;
let token: string;
let readOnly: string;
let scimOnly: string;
let connectionId: number;
const db = () => s.h.t.db;
const POLICY = { reason: 'Left the company', successor: 'none' as const };

type Answer = { status: number; type: string; headers: Headers; body: Record<string, unknown> };

async function api(method: string, path: string, o: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  const bearer = o.token === undefined ? token : o.token;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  if (o.body !== undefined || o.raw !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${s.url}${API_BASE_PATH}${path}`, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : o.raw !== undefined ? { body: o.raw } : {}) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const batchRows = async () => db().select().from(offboardings).where(isNotNull(offboardings.batchId));

beforeAll(async () => {
  s = await startWebStack({ settings: { api: { requestsPerMinute: 100_000 } } });
  const f = directoryFixtures(db());
  helen = await f.admin({ name: 'Helen Park', email: 'helen.park@northwind.example', company: 'Northwind Builders' });
  manager = await f.user({ name: 'Mo Reed', email: 'mo.reed@northwind.example' });
  leavers = [
    await f.user({ name: 'Ann Lee', email: 'ann.lee@northwind.example', managerId: manager }),
    await f.user({ name: 'Bo Chan', email: 'bo.chan@northwind.example', managerId: manager }),
    await f.user({ name: 'Cy Diaz', email: 'cy.diaz@northwind.example', managerId: manager }),
  ];
  project = await f.project('Tower');
  for (const u of [manager, ...leavers]) await f.member(project, u);
  await f.rfi({ projectId: project, assignees: [leavers[0]!] });
  await f.rfi({ projectId: project, assignees: [leavers[1]!] });
  // Cy holds one too, so his offboarding waits (and a cancel has something to cancel).
  await f.rfi({ projectId: project, assignees: [leavers[2]!] });
  const created = await createConnection(db(), { name: 'Workday', company: 'Northwind Builders', policy: POLICY, adminUserId: helen, createdBy: 'test', scopes: ['offboardings:read', 'offboardings:write'] });
  token = created.token;
  connectionId = created.connection.id;
  readOnly = (await createConnectionToken(db(), connectionId, 'test', ['offboardings:read'])).token;
  scimOnly = (await createConnectionToken(db(), connectionId, 'test', ['scim'])).token;
}, budget(240_000));
afterAll(async () => {
  await s?.close();
});

describe('the contract', () => {
  it('serves OpenAPI 3.1 from the schemas, and a reference page whose CSP alone is relaxed', async () => {
    const doc = await api('GET', '/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths as object);
    expect(paths).toEqual(expect.arrayContaining(['/batches', '/batches/{batchId}', '/batches/{batchId}/removals', '/batches/{batchId}/cancel', '/users/{userId}/open-items', '/users/{userId}/reactivate', '/assignment-report']));
    const page = await fetch(`${s.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/api/v1/openapi.json');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' https:\/\/cdn\.jsdelivr\.net 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect((await fetch(`${s.url}/signin`)).headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('tokens and scopes', () => {
  const start = { users: ['ann.lee@northwind.example'], reason: 'Left' };
  it('refuses no token, an unknown or revoked one (401) and a token without the scope (403); nothing starts', async () => {
    const none = await api('POST', '/batches', { token: null, body: start });
    expect(none.status).toBe(401);
    expect(none.type).toMatch(/^application\/problem\+json/);
    expect(none.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await api('GET', '/batches', { token: `con_${'x'.repeat(43)}` })).status).toBe(401);
    const scim = await api('POST', '/batches', { token: scimOnly, body: start });
    expect(scim.status).toBe(403);
    expect(scim.body).toMatchObject({ code: 'MISSING_SCOPE', scope: 'offboardings:write' });
    expect((await api('POST', '/batches', { token: readOnly, body: start })).body).toMatchObject({ code: 'MISSING_SCOPE' });
    expect((await api('GET', '/batches', { token: readOnly })).status).toBe(200);
    const extra = await createConnectionToken(db(), connectionId, 'test', ['offboardings:read', 'offboardings:write']);
    await revokeConnectionToken(db(), extra.info.id);
    expect((await api('POST', '/batches', { token: extra.token, body: start })).body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(await batchRows()).toEqual([]);
    expect((await api('GET', '/batches')).headers.get('ratelimit')).toMatch(/^"per-token";r=\d+;t=\d+$/);
  });

  it('answers 401 once the connection’s admin is no longer one, at the next request', async () => {
    await db().update(users).set({ directoryPermission: 'standard' }).where(eq(users.id, helen));
    try {
      const r = await api('POST', '/batches', { body: start });
      expect(r.status).toBe(401);
      expect(String(r.body.detail)).toMatch(/no longer an active company directory admin/);
    } finally {
      await db().update(users).set({ directoryPermission: 'admin' }).where(eq(users.id, helen));
    }
    expect(await batchRows()).toEqual([]);
  });

  it('the CLI gives a token scopes and refuses an unknown one', async () => {
    await expect(createConnectionToken(db(), connectionId, 'test', ['offboardings:delete'])).rejects.toThrow(/Unknown scope "offboardings:delete"/);
    const rows = await db().select({ scopes: connectionTokens.scopes }).from(connectionTokens).where(eq(connectionTokens.connectionId, connectionId));
    expect(rows.map((r) => r.scopes)).toContainEqual(['offboardings:read']);
  });
});

describe('bad input changes nothing', () => {
  it('malformed JSON (400), wrong types, unknown fields, another content type', async () => {
    const malformed = await api('POST', '/batches', { raw: '{"users": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'MALFORMED_REQUEST' });
    const wrong = await api('POST', '/batches', { body: { users: 'ann.lee@northwind.example' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String(wrong.body.detail)).toMatch(/^body\.users:/);
    const unknown = await api('POST', '/batches', { body: { users: [leavers[0]], forse: true } });
    expect(unknown.status).toBe(422);
    expect(String(unknown.body.detail)).toMatch(/forse/);
    const form = await api('POST', '/batches', { raw: 'users=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const past = await api('POST', '/batches', { body: { users: [leavers[0]], effectiveAt: '2001-01-01T00:00:00Z' } });
    expect(past.body).toMatchObject({ status: 422, code: 'EFFECTIVE_DATE_IN_PAST' });
    const nobody = await api('POST', '/batches', { body: { users: ['nobody@northwind.example'] } });
    expect(nobody.body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    expect((await api('GET', '/batches?limit=0')).status).toBe(422);
    expect((await api('GET', '/assignment-report?cursor=bm9wZQ')).body).toMatchObject({ status: 422, code: 'INVALID_INPUT' });
    expect(await batchRows()).toEqual([]);
  });
});

describe('offboardings', () => {
  let batchId = '';
  it('reviews a batch (dry run): who would be offboarded with their items, nothing started', async () => {
    const r = await api('POST', '/batches', { body: { users: [leavers[0], 'bo.chan@northwind.example'], dryRun: true } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, existing: false, skipped: [] });
    const people = r.body.users as { userId: number; items: unknown[] }[];
    expect(people.map((u) => [u.userId, u.items.length])).toEqual([
      [leavers[0], 1],
      [leavers[1], 1],
    ]);
    expect(await batchRows()).toEqual([]);
  });

  it('starts a batch with an Idempotency-Key: the same key and body twice is one batch and one answer; another body is refused', async () => {
    const body = { users: [leavers[0], leavers[1]], reason: 'Left the company', policy: { remindEveryDays: 3 } };
    const key = { 'idempotency-key': 'hr-import-2026-0001' };
    const first = await api('POST', '/batches', { body, headers: key });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, batch: { requestedBy: helen, total: 2 } });
    batchId = String((first.body.batch as { batchId: string }).batchId);
    // Its keys in another order: the same body.
    const again = await api('POST', '/batches', { body: { policy: { remindEveryDays: 3 }, reason: 'Left the company', users: [leavers[0], leavers[1]] }, headers: key });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await api('POST', '/batches', { body: { ...body, users: [leavers[2]] }, headers: key });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const rows = await waitForValue('the batch’s two offboardings', batchRows, (r) => r.length >= 2, budget(30_000));
    expect(rows.map((r) => [r.batchId, r.userId]).sort()).toEqual([
      [batchId, leavers[0]],
      [batchId, leavers[1]],
    ]);
    expect((await db().select().from(offboardings).where(eq(offboardings.userId, leavers[2]!))).length).toBe(0);
  });

  it('gets the batch: counts by stage, its people, who was skipped', async () => {
    const r = await api('GET', `/batches/${batchId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ batchId, requestedBy: helen, total: 2, rejected: [] });
    expect((r.body.users as { userId: number }[]).map((u) => u.userId).sort()).toEqual([leavers[0], leavers[1]].sort());
    const counts = r.body.counts as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(2);
    expect((await api('GET', '/batches/no-such-batch')).body).toMatchObject({ status: 404, code: 'BATCH_NOT_FOUND' });
  });

  it('pages the batch’s people with limit and cursor; a bad limit or cursor is a 422 problem and changes nothing', async () => {
    const first = await api('GET', `/batches/${batchId}?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ batchId, total: 2, nextCursor: expect.any(String) });
    const second = await api('GET', `/batches/${batchId}?limit=1&cursor=${String(first.body.nextCursor)}`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ batchId, total: 2, nextCursor: null });
    const people = [...(first.body.users as { userId: number }[]), ...(second.body.users as { userId: number }[])].map((u) => u.userId);
    expect(people).toEqual([leavers[0], leavers[1]]);
    // Without limit: every person on one page (up to 2,000), as before.
    expect(((await api('GET', `/batches/${batchId}`)).body.users as unknown[]).length).toBe(2);
    expect((await api('GET', `/batches/${batchId}?limit=2000`)).body).toMatchObject({ nextCursor: null });

    // Reads only, but asserted: the offboardings and the batch's people are as they were (stages move on their own).
    const batchPeople = async () => ((await api('GET', `/batches/${batchId}`)).body.users as { userId: number }[]).map((u) => u.userId);
    const before = { rows: await batchRows(), people: await batchPeople() };
    const refused = [
      await api('GET', `/batches/${batchId}?limit=0`),
      await api('GET', `/batches/${batchId}?limit=2001`),
      await api('GET', `/batches/${batchId}?limit=ten`),
      await api('GET', `/batches/${batchId}?cursor=bm9wZQ`),
      // A cursor of another list, and one of this batch given with offset too.
      await api('GET', `/batches/${batchId}?cursor=${Buffer.from(JSON.stringify({ batchId: 'b-20260101-other1', offset: 1 })).toString('base64url')}`),
      await api('GET', `/batches/${batchId}?cursor=${String(first.body.nextCursor)}&offset=1`),
    ];
    expect(refused.map((r) => [r.status, r.type, r.body.code])).toEqual(refused.map(() => [422, 'application/problem+json', 'INVALID_INPUT']));
    expect(String(refused[1]!.body.detail)).toMatch(/^query\.limit: must be a whole number from 1 to 2000/);
    expect(String(refused[3]!.body.detail)).toMatch(/cursor/);
    expect({ rows: await batchRows(), people: await batchPeople() }).toEqual(before);
  });

  it('a user’s open items, and the Assignment Report page by page', async () => {
    const items = await api('GET', `/users/${leavers[0]}/open-items`);
    expect(items.status).toBe(200);
    expect((items.body.items as { tool: string; userId: number }[]).map((i) => [i.tool, i.userId])).toEqual([['rfi', leavers[0]]]);
    expect((await api('GET', '/users/999999/open-items')).body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Answer = await api('GET', `/assignment-report?projectId=${project}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(3);
      seen.push(...(page.body.items as { key: string }[]).map((i) => i.key));
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 5);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(3);
  });

  it('removes a person from the batch, lists batches by cursor, cancels the rest', async () => {
    const removed = await api('POST', `/batches/${batchId}/removals`, { body: { user: 'bo.chan@northwind.example' } });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ batchId, removed: [leavers[1]] });
    await waitForValue('Bo removed', () => db().select().from(offboardings).where(and(eq(offboardings.userId, leavers[1]!), eq(offboardings.outcome, 'removed'))), (r) => r.length === 1, budget(30_000));
    const second = await api('POST', '/batches', { body: { users: [leavers[2]] } });
    expect(second.status).toBe(201);
    const secondId = String((second.body.batch as { batchId: string }).batchId);
    const p1 = await api('GET', '/batches?limit=1');
    const p1Items = p1.body.items as { batchId: string }[];
    expect(p1Items.length).toBe(1);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await api('GET', `/batches?limit=1&cursor=${String(p1.body.nextCursor)}`);
    const listed = [...p1Items, ...(p2.body.items as { batchId: string }[])].map((b) => b.batchId);
    expect(listed.sort()).toEqual([batchId, secondId].sort());
    expect(p2.body.nextCursor).toBeNull();
    for (const id of [batchId, secondId]) {
      const cancelled = await api('POST', `/batches/${id}/cancel`);
      expect(cancelled.status).toBe(200);
    }
    await waitForValue('Cy cancelled', () => db().select().from(offboardings).where(and(eq(offboardings.userId, leavers[2]!), eq(offboardings.outcome, 'cancelled'))), (r) => r.length === 1, budget(30_000));
    const after = await api('POST', `/batches/${secondId}/cancel`);
    expect(after.body).toMatchObject({ status: 409, code: 'BATCH_FINISHED' });
    expect((await db().select({ status: users.status }).from(users).where(eq(users.id, leavers[2]!)))[0]?.status).toBe('active');
  });

  it('reactivates an inactive user', async () => {
    const gone = await directoryFixtures(db()).user({
      name: 'Di Ng',
      email: 'di.ng@northwind.example',
      status: 'inactive',
      inactivatedAt: new Date(),
      inactivatedBy: helen,
      inactivationReason: 'left',
    });
    const r = await api('POST', `/users/${gone}/reactivate`, { body: { reason: 'Came back' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userId: gone });
    expect((await db().select({ status: users.status }).from(users).where(eq(users.id, gone)))[0]?.status).toBe('active');
    const twice = await api('POST', `/users/${gone}/reactivate`, { body: {} });
    expect(twice.body).toMatchObject({ status: 409, code: 'USER_ALREADY_ACTIVE' });
  });
});
