// Issue 24: the work comes in over the JSON API — `PUT /projects/{number}` with members and
// `POST /items/bulk` — against the real web app, worker, Temporal dev server and PostgreSQL. Upserts
// answer per record (created / updated / unchanged / refused with a code), idempotent by external ID;
// 1,001 items, wrong types, unknown fields and a token without directory:write change nothing; an item
// pushed for someone being offboarded shows in their offboarding's open items; and a token over
// API_REQUESTS_PER_MINUTE is answered 429 with Retry-After and RateLimit, changing nothing.
import { spawn } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { eq, inArray, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../adapters/mail-transport';
import { API_BASE_PATH, bodyLimitOf, MAX_API_BODY_BYTES } from '../client/web/api/routes';
import { largestJsonBytes } from '../client/web/api/largest-json';
import { BulkItem, MAX_BULK_ITEMS_BODY_BYTES } from '../client/web/api/work-schemas';
import { startWebServer } from '../client/web/server';
import { auditLog, defectItems, projectMembers, projects, rfis, users } from '../db/schema';
import { createConnection, createConnectionToken } from '../domain/connections';
import { projectRoot } from '../config/settings';
import { childOutput } from './helpers/child-output';
import { directoryFixtures } from './helpers/directory-fixtures';
import { freePort } from './helpers/free-port';
import { rawRequest } from './helpers/raw-http';
import { budget } from './helpers/time-budget';
import { startWebStack, type WebStack } from './helpers/web-stack';
import { waitForUserStatus } from './helpers/workflow-harness';

let s: WebStack;
let helen: number;
let ann: number;
let bo: number;
let token: string;
let readWrite: string;
let connectionId: number;
const db = () => s.h.t.db;

type Answer = { status: number; type: string; headers: Headers; body: Record<string, unknown> };

async function api(method: string, p: string, o: { token?: string; body?: unknown; base?: string } = {}): Promise<Answer> {
  const res = await fetch(`${o.base ?? s.url}${API_BASE_PATH}${p}`, {
    method,
    headers: { authorization: `Bearer ${o.token ?? token}`, 'content-type': 'application/json' },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type ItemAnswer = { index: number; tool: string; externalId: string; outcome: string; code?: string; message?: string };
const itemsOf = (a: Answer) => a.body.items as ItemAnswer[];

const defect = (i: number, extra: Record<string, unknown> = {}) => ({
  tool: 'defect',
  externalId: `bulk-${i}`,
  project: 'API-1',
  number: `D-${i}`,
  title: `Punch item ${i}`,
  status: 'work_required',
  people: [{ role: 'assigned-to', email: i % 2 === 0 ? 'ann.lee@northwind.example' : 'bo.chan@northwind.example' }],
  ...extra,
});

/** What the work routes may have written: projects, members, items and their audit rows. */
async function snapshot() {
  const [p] = await db().execute<{ n: number }>(sql`select count(*)::int as n from projects`);
  const [m] = await db().execute<{ n: number }>(sql`select count(*)::int as n from project_members`);
  const [d] = await db().execute<{ n: number }>(sql`select count(*)::int as n from defect_items`);
  const [r] = await db().execute<{ n: number }>(sql`select count(*)::int as n from rfis`);
  const [a] = await db().execute<{ n: number }>(sql`select count(*)::int as n from audit_log where action like '%.imported'`);
  return { projects: p?.n, members: m?.n, defects: d?.n, rfis: r?.n, audit: a?.n };
}

beforeAll(async () => {
  s = await startWebStack({ settings: { api: { requestsPerMinute: 100_000 } } });
  const f = directoryFixtures(db());
  helen = await f.admin({ name: 'Helen Park', email: 'helen.park@northwind.example', company: 'Northwind Builders' });
  ann = await f.user({ name: 'Ann Lee', email: 'ann.lee@northwind.example', managerId: helen });
  bo = await f.user({ name: 'Bo Chan', email: 'bo.chan@northwind.example', managerId: helen });
  await db().update(users).set({ externalId: 'okta-00u-bo' }).where(eq(users.id, bo));
  const created = await createConnection(db(), {
    name: 'Procore sync',
    company: 'Northwind Builders',
    policy: { reason: 'Left the company', successor: 'none' },
    adminUserId: helen,
    createdBy: 'test',
    scopes: ['directory:write'],
  });
  token = created.token;
  connectionId = created.connection.id;
  readWrite = (await createConnectionToken(db(), connectionId, 'test', ['offboardings:read', 'offboardings:write'])).token;
}, budget(240_000));
afterAll(async () => {
  await s?.close();
});

describe('PUT /projects/{number}', () => {
  it('creates a project with members by email and SCIM external ID, then answers unchanged, then updated', async () => {
    const body = { name: 'API Tower', members: [{ person: { email: 'ANN.LEE@northwind.example' } }, { person: { externalId: 'okta-00u-bo' }, permission: 'admin' }] };
    const first = await api('PUT', '/projects/API-1', { body });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      project: { number: 'API-1', outcome: 'created' },
      members: [
        { index: 0, member: 'ANN.LEE@northwind.example', outcome: 'created' },
        { index: 1, member: 'external ID "okta-00u-bo"', outcome: 'created' },
      ],
    });
    const [p] = await db().select().from(projects).where(eq(projects.number, 'API-1'));
    const members = await db().select().from(projectMembers).where(eq(projectMembers.projectId, p!.id));
    expect(members.map((m) => [m.userId, m.directoryPermission]).sort()).toEqual([[ann, 'standard'], [bo, 'admin']].sort());

    const again = await api('PUT', '/projects/API-1', { body });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ project: { outcome: 'unchanged' }, members: [{ outcome: 'unchanged' }, { outcome: 'unchanged' }] });

    const renamed = await api('PUT', '/projects/API-1', { body: { name: 'API Tower (phase 2)', members: [{ person: { externalId: 'okta-00u-bo' }, permission: 'standard' }] } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ project: { outcome: 'updated' }, members: [{ outcome: 'updated' }] });
    const [after] = await db().select().from(projects).where(eq(projects.id, p!.id));
    expect(after?.name).toBe('API Tower (phase 2)');
    // The changes are the connection's admin's, in the audit log.
    const audit = await db().select().from(auditLog).where(like(auditLog.action, '%.imported'));
    expect(new Set(audit.map((a) => a.actorId))).toEqual(new Set([helen]));
  });

  it('refuses a member nobody is, by email and by external ID, and adds the rest', async () => {
    const before = await snapshot();
    const r = await api('PUT', '/projects/API-1', {
      body: { name: 'API Tower (phase 2)', members: [{ person: { email: 'nobody@northwind.example' } }, { person: { externalId: 'okta-unknown' } }] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      project: { outcome: 'unchanged' },
      members: [
        { outcome: 'refused', code: 'USER_NOT_FOUND', message: expect.stringMatching(/nobody@northwind\.example/) },
        { outcome: 'refused', code: 'USER_NOT_FOUND', message: expect.stringMatching(/okta-unknown/) },
      ],
    });
    expect(await snapshot()).toEqual(before);
  });
});

describe('POST /items/bulk', () => {
  it('creates 200 items, answers the same 200 unchanged, and one changed item updated', async () => {
    const items = Array.from({ length: 200 }, (_, i) => defect(i));
    const first = await api('POST', '/items/bulk', { body: { items } });
    expect(first.status).toBe(200);
    expect(first.body.counts).toEqual({ created: 200, updated: 0, unchanged: 0, refused: 0 });
    expect(itemsOf(first)[7]).toEqual({ index: 7, tool: 'defect', externalId: 'bulk-7', outcome: 'created' });
    const rows = await db().select().from(defectItems).where(like(defectItems.externalId, 'bulk-%'));
    expect(rows).toHaveLength(200);
    expect(rows.find((r) => r.externalId === 'bulk-8')?.assignedToId).toBe(ann);

    const again = await api('POST', '/items/bulk', { body: { items } });
    expect(again.body.counts).toEqual({ created: 0, updated: 0, unchanged: 200, refused: 0 });

    const changed = items.map((i, n) => (n === 42 ? { ...i, status: 'ready_for_review', people: [{ role: 'assigned-to', externalId: 'okta-00u-bo' }] } : i));
    const third = await api('POST', '/items/bulk', { body: { items: changed } });
    expect(third.body.counts).toEqual({ created: 0, updated: 1, unchanged: 199, refused: 0 });
    expect(itemsOf(third)[42]).toMatchObject({ externalId: 'bulk-42', outcome: 'updated' });
    const [row] = await db().select().from(defectItems).where(eq(defectItems.externalId, 'bulk-42'));
    expect(row).toMatchObject({ status: 'ready_for_review', assignedToId: bo });
  });

  it('refuses 1,001 items as a whole (TOO_MANY_ITEMS) and writes none of them', async () => {
    const before = await snapshot();
    const r = await api('POST', '/items/bulk', { body: { items: Array.from({ length: 1001 }, (_, i) => defect(10_000 + i)) } });
    expect(r.status).toBe(422);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ code: 'TOO_MANY_ITEMS', maxItems: 1000, detail: expect.stringMatching(/at most 1000 items/) });
    expect(await snapshot()).toEqual(before);
  });

  it('its body limit fits 1,000 items at their largest, however the text is escaped or indented', () => {
    // The largest item: a meeting item, every field at its maximum, 50 people by external ID, every
    // character of free text one that JSON may write as \uXXXX (Python's json does).
    const text = (n: number) => 'é'.repeat(n);
    const person = (i: number) => ({ role: text(40), externalId: `${i}`.padEnd(200, 'é') });
    const largest = {
      tool: 'meeting-item',
      externalId: text(200),
      project: text(100),
      number: text(100),
      title: text(500),
      status: 'open',
      meeting: { externalId: text(200), title: text(500), date: '2026-01-31' },
      people: Array.from({ length: 50 }, (_, i) => person(i)),
    };
    expect(BulkItem.safeParse(largest).success).toBe(true);
    const escaped = (json: string) => json.replace(/é/g, '\\u00e9');
    const compact = Buffer.byteLength(escaped(JSON.stringify(largest)));
    const indented = Buffer.byteLength(escaped(JSON.stringify({ items: [largest] }, null, 2))) - Buffer.byteLength(JSON.stringify({ items: [] }, null, 2));
    expect(JSON.parse(escaped(JSON.stringify(largest)))).toEqual(largest);
    // The limit's own estimate (largest-json.ts) is an upper bound, and a tight one.
    expect(compact).toBeLessThanOrEqual(largestJsonBytes(BulkItem));
    expect(compact).toBeGreaterThan(0.99 * largestJsonBytes(BulkItem));
    expect(1000 * indented + 100).toBeLessThanOrEqual(MAX_BULK_ITEMS_BODY_BYTES);
    expect(bodyLimitOf('POST', `${API_BASE_PATH}/items/bulk`)).toBe(MAX_BULK_ITEMS_BODY_BYTES);
    expect(bodyLimitOf('POST', `${API_BASE_PATH}/batches`)).toBe(MAX_API_BODY_BYTES);
    expect(bodyLimitOf('PUT', `${API_BASE_PATH}/projects/P-1`)).toBe(MAX_API_BODY_BYTES);
  });

  it('accepts 1,000 items in a body over 1 MiB; refuses a body over its own limit with 413 naming it, writing nothing', async () => {
    // Long IDs, long Japanese titles (3 bytes a character), a manager and an assignee each: 1,000 RFIs
    // in about 2 MB, within the 1,000-item rule.
    const items = Array.from({ length: 1000 }, (_, i) => ({
      tool: 'rfi',
      externalId: `long-${i}-`.padEnd(200, 'x'),
      project: 'API-1',
      number: `RFI-${i}-`.padEnd(100, '0'),
      title: `${i} ${'東側階段3階の手すりが欠落している。'.repeat(30)}`.slice(0, 500),
      status: 'open',
      people: [
        { role: 'manager', email: 'ann.lee@northwind.example' },
        { role: 'assignee', externalId: 'okta-00u-bo' },
      ],
    }));
    const body = JSON.stringify({ items });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1.5 * MAX_API_BODY_BYTES);
    const accepted = await api('POST', '/items/bulk', { body: { items } });
    expect(accepted.status, JSON.stringify(accepted.body).slice(0, 500)).toBe(200);
    expect(accepted.body.counts, JSON.stringify(itemsOf(accepted)[0])).toEqual({ created: 1000, updated: 0, unchanged: 0, refused: 0 });
    expect(await db().select({ id: rfis.id }).from(rfis).where(like(rfis.externalId, 'long-%'))).toHaveLength(1000);

    const before = await snapshot();
    // A body declared over the limit: refused before a byte of it is read.
    const declared = await rawRequest(s.url, {
      method: 'POST',
      path: `${API_BASE_PATH}/items/bulk`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(MAX_BULK_ITEMS_BODY_BYTES + 1) },
      body: '{"items": [',
    });
    declared.socket.destroy();
    expect([declared.status, declared.headers['content-type']]).toEqual([413, 'application/problem+json']);
    // A valid body padded past the limit, streamed without a length: refused once it passes the limit.
    const valid = Buffer.from(JSON.stringify({ items: [defect(29_999)] }));
    const padding = Buffer.alloc(1024 * 1024, ' ');
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(valid);
        if (sent > MAX_BULK_ITEMS_BODY_BYTES) return controller.close();
        controller.enqueue(padding);
        sent += padding.length;
      },
    });
    const res = await fetch(`${s.url}${API_BASE_PATH}/items/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_BULK_ITEMS_BODY_BYTES, hint: expect.stringContaining(`at most ${MAX_BULK_ITEMS_BODY_BYTES / 1024 / 1024} MiB`) });
    // Elsewhere the limit is still 1 MiB, and the hint says so.
    const start = await api('POST', '/batches', { token: readWrite, body: { users: ['ann.lee@northwind.example'], reason: 'x'.repeat(MAX_API_BODY_BYTES) } });
    expect(start.status).toBe(413);
    expect(start.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_API_BODY_BYTES, hint: expect.stringContaining('at most 1 MiB') });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an unknown person (email, external ID), an unknown project and a role the tool lacks, each with its code; the rest go in', async () => {
    const before = await snapshot();
    const r = await api('POST', '/items/bulk', {
      body: {
        items: [
          defect(500, { people: [{ role: 'assigned-to', email: 'nobody@northwind.example' }] }),
          defect(501, { people: [{ role: 'assigned-to', externalId: 'okta-unknown' }] }),
          defect(502, { project: 'NO-SUCH-PROJECT' }),
          defect(503, { people: [{ role: 'manager', email: 'ann.lee@northwind.example' }] }),
          { tool: 'rfi', externalId: 'api-rfi-1', project: 'API-1', number: 'RFI-1', title: 'Which anchor bolts?', status: 'open', people: [{ role: 'approver', email: 'ann.lee@northwind.example' }] },
          defect(504),
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.counts).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 5 });
    const answers = itemsOf(r);
    expect(answers.map((a) => [a.externalId, a.outcome, a.code])).toEqual([
      ['bulk-500', 'refused', 'USER_NOT_FOUND'],
      ['bulk-501', 'refused', 'USER_NOT_FOUND'],
      ['bulk-502', 'refused', 'PROJECT_NOT_FOUND'],
      ['bulk-503', 'refused', 'ROLE_NOT_IN_TOOL'],
      ['api-rfi-1', 'refused', 'ROLE_NOT_IN_TOOL'],
      ['bulk-504', 'created', undefined],
    ]);
    expect(answers[0]?.message).toMatch(/nobody@northwind\.example/);
    expect(answers[1]?.message).toMatch(/okta-unknown/);
    expect(answers[2]?.message).toMatch(/NO-SUCH-PROJECT/);
    expect(answers[3]?.message).toMatch(/no role "manager"; its roles are assigned-to/);
    expect(answers[4]?.message).toMatch(/no role "approver"; its roles are manager, assignee/);
    // Only bulk-504 (and its audit row) is new.
    expect(await snapshot()).toEqual({ ...before, defects: (before.defects ?? 0) + 1, audit: (before.audit ?? 0) + 1 });
    expect(await db().select().from(rfis).where(eq(rfis.externalId, 'api-rfi-1'))).toEqual([]);
  });

  it('refuses wrong types, unknown fields and an unstorable character as a whole, naming the field; nothing changes', async () => {
    const before = await snapshot();
    const cases: [unknown, RegExp][] = [
      [{ items: [defect(600, { number: 42 })] }, /^body\.items\.0\.number: /],
      [{ items: [defect(601, { hours: 'eight' })] }, /unrecognized|hours/i],
      [{ items: [defect(602, { priority: 'high' })] }, /priority/],
      [{ items: [defect(603)], dryRun: true }, /dryRun/],
      [{ items: [defect(604, { tool: 'invoice' })] }, /^body\.items\.0\.tool: must be one of rfi, submittal/],
      [{ items: [defect(605, { externalId: 'nul\u0000byte' })] }, /^body\.items\.0\.externalId: must not contain a NUL/],
      [{ items: 'all of them' }, /^body\.items: /],
      [{ items: [] }, /^body\.items: must name at least one item/],
    ];
    for (const [body, detail] of cases) {
      const r = await api('POST', '/items/bulk', { body });
      expect(r.status, JSON.stringify(body).slice(0, 200)).toBe(422);
      expect(r.body).toMatchObject({ code: 'INVALID_INPUT' });
      expect(String(r.body.detail)).toMatch(detail);
    }
    const put = await api('PUT', '/projects/API-2', { body: { name: 'Other', members: [{ person: { email: 'ann.lee@northwind.example' }, permission: 'owner' }] } });
    expect(put.status).toBe(422);
    expect(put.body).toMatchObject({ code: 'INVALID_INPUT', detail: expect.stringMatching(/^body\.members\.0\.permission: /) });
    expect(await snapshot()).toEqual(before);
  });

  it('answers 403 MISSING_SCOPE to a token without directory:write; nothing changes', async () => {
    const before = await snapshot();
    const items = await api('POST', '/items/bulk', { token: readWrite, body: { items: [defect(700)] } });
    expect(items.status).toBe(403);
    expect(items.body).toMatchObject({ code: 'MISSING_SCOPE', scope: 'directory:write' });
    const put = await api('PUT', '/projects/API-3', { token: readWrite, body: { name: 'Nope' } });
    expect(put.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('accepts an open item held by an inactive person and says so', async () => {
    const gone = await directoryFixtures(db()).user({ name: 'Cy Gone', email: 'cy.gone@northwind.example', status: 'inactive', inactivatedAt: new Date() });
    const r = await api('POST', '/items/bulk', { body: { items: [defect(800, { people: [{ role: 'assigned-to', email: 'cy.gone@northwind.example' }] })] } });
    expect(r.status).toBe(200);
    expect(r.body.counts).toMatchObject({ created: 1 });
    expect(r.body.heldByInactiveUser).toEqual([expect.objectContaining({ index: 0, tool: 'defect', externalId: 'bulk-800', role: 'assigned-to', userId: gone })]);
  });
});

describe('an item pushed for someone being offboarded', () => {
  it('shows in their offboarding’s open items at once', async () => {
    const f = directoryFixtures(db());
    const lee = await f.user({ name: 'Lee Leaver', email: 'lee.leaver@northwind.example', managerId: helen });
    const [p] = await db().select().from(projects).where(eq(projects.number, 'API-1'));
    await f.member(p!.id, lee);
    await f.defect({ projectId: p!.id, assignedToId: lee });
    await s.offboard(lee, helen);
    await waitForUserStatus(s.env.client, lee, (st) => st.stage === 'awaiting-reassignment' && st.pendingItems.length === 1, budget(60_000));

    const r = await api('POST', '/items/bulk', {
      body: { items: [{ tool: 'rfi', externalId: 'api-rfi-lee', project: 'API-1', number: 'RFI-L1', title: 'Arrived during the offboarding', status: 'open', people: [{ role: 'assignee', email: 'lee.leaver@northwind.example' }] }] },
    });
    expect(r.status).toBe(200);
    expect(r.body.counts).toMatchObject({ created: 1 });
    expect(r.body.rechecks).toEqual([{ userId: lee, rechecked: true }]);
    const st = await waitForUserStatus(s.env.client, lee, (x) => x.pendingItems.length === 2, budget(30_000));
    expect(st.pendingItems.map((i) => i.title)).toContain('Arrived during the offboarding');
    const open = await api('GET', `/users/${lee}/open-items`, { token: readWrite });
    expect((open.body.items as { title: string }[]).map((i) => i.title)).toContain('Arrived during the offboarding');
  });
});

describe('the rate limit', () => {
  it('answers the request over API_REQUESTS_PER_MINUTE with 429, Retry-After and RateLimit, and changes nothing', async () => {
    // A second web app on the same database and worker, with a limit a test reaches.
    const mailer = createMailer({ smtpUrl: undefined, outboxDir: path.join(os.tmpdir(), 'api-work-test-outbox'), mailFrom: 'o <o@example.com>', log: () => undefined });
    const limited = await startWebServer({
      settings: { ...s.settings, port: await freePort(), api: { requestsPerMinute: 2 } },
      db: db(),
      temporal: s.env.client,
      taskQueue: s.taskQueue,
      mailer,
      log: () => undefined,
    });
    try {
      const fresh = (await createConnectionToken(db(), connectionId, 'test', ['directory:write'])).token;
      // Three requests inside one minute's window: wait for the next minute when this one is nearly over.
      const second = new Date().getUTCSeconds();
      if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
      const ok1 = await api('PUT', '/projects/RATE-1', { token: fresh, base: limited.url, body: { name: 'Rate one' } });
      const ok2 = await api('PUT', '/projects/RATE-2', { token: fresh, base: limited.url, body: { name: 'Rate two' } });
      expect([ok1.status, ok2.status]).toEqual([201, 201]);
      expect(ok2.headers.get('ratelimit')).toMatch(/^"per-token";r=0;t=\d+$/);
      const before = await snapshot();
      const over = await api('PUT', '/projects/RATE-3', { token: fresh, base: limited.url, body: { name: 'Rate three' } });
      expect(over.status).toBe(429);
      expect(over.type).toMatch(/^application\/problem\+json/);
      expect(over.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      const retryAfter = Number(over.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(over.headers.get('ratelimit')).toMatch(/^"per-token";r=0;t=\d+$/);
      expect(over.headers.get('ratelimit-policy')).toBe('"per-token";q=2;w=60');
      expect(await snapshot()).toEqual(before);
      expect(await db().select().from(projects).where(inArray(projects.number, ['RATE-3']))).toEqual([]);
    } finally {
      await limited.close();
      await mailer.close();
    }
  });
});

describe('the API document in a process that loaded the import first', () => {
  it('still builds: the work schemas do not need the domain’s schemas to have been made after zod was extended', async () => {
    // zod 4 gives `.openapi` only to schemas made after @hono/zod-openapi extended zod; a test worker
    // that ran an import test first once failed to load every API file after it.
    const script = "await import('./domain/work-import-records.ts'); const m = await import('./client/web/api/work-schemas.ts'); console.log(Object.keys(m).length);";
    const out = await childOutput(spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(out.stderr).not.toContain('TypeError');
    expect(out.code).toBe(0);
    expect(Number(out.stdout.trim())).toBeGreaterThan(0);
  });
});
