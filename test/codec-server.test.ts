// Issue 26: the codec server at /codec/decode|encode, over HTTP against a real web server and a real
// PostgreSQL: who may decode (admins, listed operators, codec tokens), CORS for exactly the Web UI's
// origin, the limits, the audit log, foreign payloads passed through, key rotation, and the CLI's
// codec-tokens. Every refusal asserts that nothing was decoded and nothing was audited.
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../client/web/keys';
import { startWebServer, type WebServer } from '../client/web/server';
import { loadSettings, type WebSettings } from '../config/settings';
import { codecTokens, offboardings, users, webSessions } from '../db/schema';
import { createMailer } from '../adapters/mail-transport';
import { createCodecToken } from '../domain/codec-tokens';
import { AesGcmPayloadCodec, payloadKeyId } from '../temporal/payload-codec';
import { runCli } from './helpers/cli';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures } from './helpers/directory-fixtures';
import { WEB_TEST_SECRET } from './helpers/web-stack';
import { budget } from './helpers/time-budget';

const UI = 'http://127.0.0.1:18233';
const key1 = randomBytes(32);
const key2 = randomBytes(32);
const SECRET = { details: 'Awaiting reassignment: 3 open items', items: ['rfi:1:manager'] };

let t: TestDatabase;
let admin: number;
let standard: number;
let operator: number;
/** Someone being offboarded in a batch, for a team link's session. */
let leaver: number;
const servers: WebServer[] = [];
const mailer = createMailer({ smtpUrl: undefined, outboxDir: '/tmp/offboarding-test-outbox', mailFrom: 'Offboarding <o@example.com>', log: () => undefined });

async function server(codec: Partial<NonNullable<WebSettings['codec']>> = {}, overrides: Partial<WebSettings> = {}): Promise<string> {
  const web = await startWebServer({
    settings: {
      port: 0,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3999',
      linkSecret: WEB_TEST_SECRET,
      auth: 'email-link',
      trustedHeader: 'X-Auth-Request-Email',
      trustedProxies: [],
      temporalUi: { url: UI, namespace: 'default' },
      codec: { payloadKey: key2.toString('base64'), previousPayloadKeys: [key1.toString('base64')], operators: ['ops@example.com'], requestsPerMinute: 1000, ...codec },
      ...overrides,
    },
    db: t.db,
    // Never dialled: the codec server does not talk to Temporal.
    temporal: new Client(),
    taskQueue: 'unused',
    mailer,
    log: () => undefined,
  });
  servers.push(web);
  return web.url;
}

/** A signed-in browser's cookie for `userId` (scoped to one leaving user, as from an action link, when given). */
async function sessionCookie(userId: number, scopeUserId: number | null = null): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  // An action link's session is bound to the offboarding of the person it is for.
  const [offboarding] = scopeUserId
    ? await t.db.insert(offboardings).values({ userId: scopeUserId, workflowId: `offboarding-user-${scopeUserId}`, requestedBy: userId }).returning({ id: offboardings.id })
    : [];
  await t.db.insert(webSessions).values({
    idHash: sha256(id),
    userId,
    via: scopeUserId ? 'action-link' : 'email-link',
    scopeUserId,
    offboardingId: offboarding?.id ?? null,
    expiresAt: sql`now() + interval '1 day'`,
  });
  return `offboarding_session=${id}`;
}

/** A browser's cookie for an admin's session from a digest's team link: bound to a batch that still runs. */
async function teamSessionCookie(userId: number, leaverId: number): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  const batchId = `codec-team-${leaverId}`;
  await t.db.insert(offboardings).values({ userId: leaverId, batchId, workflowId: `offboarding-user-${leaverId}`, requestedBy: userId });
  await t.db.insert(webSessions).values({ idHash: sha256(id), userId, via: 'action-link', scopeUserId: null, offboardingId: null, batchId, expiresAt: sql`now() + interval '1 day'` });
  return `offboarding_session=${id}`;
}

const wire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const plain = (value: unknown) => defaultPayloadConverter.toPayload(value);
const encrypted = async (value: unknown, ...keys: [Buffer, ...Buffer[]]) => wire((await new AesGcmPayloadCodec(...keys).encode([plain(value)]))[0]!);
const valueOf = (w: WireOut) =>
  defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(w.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(w.data, 'base64')),
  });

type WireOut = { metadata: Record<string, string>; data: string };
const payloadsOf = (text: string): WireOut[] => (JSON.parse(text) as { payloads: WireOut[] }).payloads;

type Answer = { status: number; headers: Headers; text: string };
async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

const codecAudits = async () => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where action like 'codec.%'`))[0]!.n;

let base: string;
beforeAll(async () => {
  t = await createTestDatabase();
  const fx = directoryFixtures(t.db);
  admin = await fx.admin({ name: 'Helen Park', email: 'helen@example.com' });
  standard = await fx.user({ name: 'Sam Standard', email: 'sam@example.com' });
  operator = await fx.user({ name: 'Olga Ops', email: 'OPS@example.com' });
  leaver = await fx.user({ name: 'Lea Leaving', email: 'lea@example.com' });
  base = await server();
}, budget(120_000));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await mailer.close();
  await t?.drop();
});

describe('the codec server', () => {
  it('decodes for a signed-in company directory admin from the Web UI, with CORS for its origin, and audits it', async () => {
    const before = await codecAudits();
    const cookie = await sessionCookie(admin);
    const payloads = [await encrypted(SECRET, key2), await encrypted('reminder 1', key2)];
    const r = await post(base, '/codec/decode', { payloads }, { cookie, origin: UI, 'x-workflow-id': 'offboarding-user-7' });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(UI);
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
    const decoded = JSON.parse(r.text) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(decoded.payloads.map(valueOf)).toEqual([SECRET, 'reminder 1']);
    expect(await codecAudits()).toBe(before + 1);
    const [row] = await t.db.execute<{ actor_id: number; entity_id: string; workflow_id: string; after: unknown }>(
      sql`select actor_id, entity_id, workflow_id, after from audit_log where action = 'codec.decode' order by id desc limit 1`,
    );
    expect(row).toMatchObject({ actor_id: admin, entity_id: 'default', workflow_id: 'offboarding-user-7', after: { payloads: 2, passedThrough: 0, via: 'session' } });
  });

  it('answers the Web UI’s preflight for its origin only', async () => {
    const ask = (origin: string) =>
      fetch(`${base}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const ok = await ask(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const evil = await ask('https://evil.example');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses everyone else with 401 or 403, decoding and auditing nothing', async () => {
    const before = await codecAudits();
    const payloads = [await encrypted(SECRET, key2)];
    const cases: [Record<string, string>, number][] = [
      [{ origin: UI }, 401],
      [{ origin: UI, cookie: await sessionCookie(standard) }, 403],
      [{ origin: UI, cookie: await sessionCookie(admin, standard) }, 403], // an action link's session
      [{ origin: UI, cookie: await teamSessionCookie(admin, leaver) }, 403], // a digest's team link's session
      [{ cookie: 'offboarding_session=not-a-session-id-at-all-00000000000000000000' }, 401],
      [{ authorization: `Bearer cdc_${randomBytes(32).toString('base64url')}` }, 401],
    ];
    for (const [headers, status] of cases) {
      const r = await post(base, '/codec/decode', { payloads }, headers);
      expect(r.status, JSON.stringify(headers)).toBe(status);
      expect(r.text).not.toContain(Buffer.from(JSON.stringify(SECRET)).toString('base64'));
      expect(r.text).not.toContain('open items');
    }
    expect(await codecAudits()).toBe(before);
  });

  it('decodes for an operator listed in CODEC_OPERATORS who is not an admin', async () => {
    const r = await post(base, '/codec/decode', { payloads: [await encrypted(SECRET, key2)] }, { origin: UI, cookie: await sessionCookie(operator) });
    expect(r.status).toBe(200);
    const [row] = await t.db.execute<{ actor_id: number; after: unknown }>(sql`select actor_id, after from audit_log where action = 'codec.decode' order by id desc limit 1`);
    expect(row).toMatchObject({ actor_id: operator, after: { via: 'session', operator: 'ops@example.com' } });
  });

  it('decodes for a codec token (the temporal CLI), not once it is revoked or its admin is no longer one', async () => {
    const { token, info } = await createCodecToken(t.db, { name: 'ops laptop', actsForUserId: admin, createdBy: 'test' });
    const payloads = [await encrypted(SECRET, key2)];
    const ok = await post(base, '/codec/decode', { payloads }, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(valueOf(payloadsOf(ok.text)[0]!)).toEqual(SECRET);
    const [used] = await t.db.select().from(codecTokens).where(eq(codecTokens.id, info.id));
    expect(used?.lastUsedAt).not.toBeNull();
    expect(used?.tokenHash).not.toContain(token.slice(4));

    // An admin who stops being one takes their tokens' rights along.
    await t.db.update(users).set({ directoryPermission: 'standard' }).where(eq(users.id, admin));
    try {
      expect((await post(base, '/codec/decode', { payloads }, { authorization: `Bearer ${token}` })).status).toBe(403);
    } finally {
      await t.db.update(users).set({ directoryPermission: 'admin' }).where(eq(users.id, admin));
    }
  });

  it('passes a payload that is not ours back unchanged (plaintext, another key’s, another system’s)', async () => {
    const foreignEncrypted = await encrypted(SECRET, randomBytes(32));
    const plaintext = wire(plain({ hello: 'world' }));
    const otherSystem = { metadata: { encoding: Buffer.from('binary/snappy').toString('base64') }, data: 'AAEC', externalPayloads: [{ sizeBytes: '3' }] };
    const ours = await encrypted(SECRET, key2);
    const r = await post(base, '/codec/decode', { payloads: [foreignEncrypted, plaintext, otherSystem, ours] }, { cookie: await sessionCookie(admin) });
    expect(r.status).toBe(200);
    const out = JSON.parse(r.text) as { payloads: unknown[] };
    expect(out.payloads.slice(0, 3)).toEqual([foreignEncrypted, plaintext, otherSystem]);
    expect(valueOf(out.payloads[3] as never)).toEqual(SECRET);
    const [row] = await t.db.execute<{ after: unknown }>(sql`select after from audit_log where action = 'codec.decode' order by id desc limit 1`);
    expect(row?.after).toMatchObject({ payloads: 4, passedThrough: 3 });
  });

  it('decodes payloads written with key 1 after key 2 became current, and encodes with key 2', async () => {
    const cookie = await sessionCookie(admin);
    const byKey1 = await encrypted(SECRET, key1);
    const r = await post(base, '/codec/decode', { payloads: [byKey1] }, { cookie });
    expect(valueOf(payloadsOf(r.text)[0]!)).toEqual(SECRET);
    const e = await post(base, '/codec/encode', { payloads: [wire(plain('x'))] }, { cookie });
    expect(e.status).toBe(200);
    const [encoded] = payloadsOf(e.text);
    expect(Buffer.from(encoded!.metadata['encryption-key-id']!, 'base64').toString()).toBe(payloadKeyId(key2));
  });

  it('refuses bad input with a status and changes nothing', async () => {
    const before = await codecAudits();
    const cookie = await sessionCookie(admin);
    const ours = await encrypted(SECRET, key2);
    expect((await post(base, '/codec/decode', '{"payloads": [', { cookie })).status).toBe(400); // malformed JSON
    expect((await post(base, '/codec/decode', { payload: [ours] }, { cookie })).status).toBe(400); // not the protocol's shape
    expect((await post(base, '/codec/decode', { payloads: [{ data: 'not base64!' }] }, { cookie })).status).toBe(400);
    const huge = { payloads: Array.from({ length: 10 }, () => ({ metadata: {}, data: Buffer.alloc(1024 * 1024).toString('base64') })) };
    const tooLarge = await post(base, '/codec/decode', huge, { cookie });
    expect(tooLarge.status).toBe(413); // 10 MB of payloads
    const foreign = await post(base, '/codec/decode', { payloads: [ours] }, { cookie, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403); // a foreign Origin, even with an admin's session
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.text).not.toContain('open items');
    expect((await post(base, '/codec/decode', JSON.stringify({ payloads: [ours] }), { cookie, 'content-type': 'text/plain' })).status).toBe(415);
    const { token, info } = await createCodecToken(t.db, { name: 'to revoke', actsForUserId: admin, createdBy: 'test' });
    const cli = await runCli(['codec-tokens', 'revoke', String(info.id), '--json'], { DATABASE_URL: t.url });
    expect(cli.code).toBe(0);
    expect((await post(base, '/codec/decode', { payloads: [ours] }, { authorization: `Bearer ${token}` })).status).toBe(401); // a revoked token
    expect(await codecAudits()).toBe(before);
  });

  it('limits each caller’s requests per minute (429 with Retry-After)', async () => {
    const limited = await server({ requestsPerMinute: 2 });
    // A caller of its own: the window counts every request of the minute, the other tests' too.
    const fresh = await directoryFixtures(t.db).admin({ name: 'Rita Rate', email: 'rita@example.com' });
    const cookie = await sessionCookie(fresh);
    const payloads = [await encrypted('x', key2)];
    expect((await post(limited, '/codec/decode', { payloads }, { cookie })).status).toBe(200);
    expect((await post(limited, '/codec/decode', { payloads }, { cookie })).status).toBe(200);
    const third = await post(limited, '/codec/decode', { payloads }, { cookie });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('60');
  });

  it('behind an SSO proxy, believes its header: operators (even outside the directory) and admins decode, others get 403', async () => {
    const sso = await server(
      { operators: ['sre@example.com'] },
      { auth: 'trusted-header', trustedProxies: ['127.0.0.1'], trustedHeader: 'X-Auth-Request-Email' },
    );
    const payloads = [await encrypted(SECRET, key2)];
    const as = (email: string) => post(sso, '/codec/decode', { payloads }, { 'x-auth-request-email': email, origin: UI });
    const sre = await as('SRE@example.com');
    expect(sre.status).toBe(200);
    expect(valueOf(payloadsOf(sre.text)[0]!)).toEqual(SECRET);
    const [row] = await t.db.execute<{ actor_id: number | null; after: unknown }>(sql`select actor_id, after from audit_log where action = 'codec.decode' order by id desc limit 1`);
    expect(row).toMatchObject({ actor_id: null, after: { via: 'trusted-header', operator: 'sre@example.com' } });
    expect((await as('helen@example.com')).status).toBe(200);
    expect((await as('sam@example.com')).status).toBe(403);
    expect((await as('stranger@example.com')).status).toBe(403);
    // The proxy's word wins over a session cookie, as for the pages: Helen's cookie does not make Sam an admin.
    const helenCookie = await sessionCookie(admin);
    expect((await post(sso, '/codec/decode', { payloads }, { 'x-auth-request-email': 'sam@example.com', cookie: helenCookie })).status).toBe(403);
    expect((await post(sso, '/codec/decode', { payloads }, { cookie: helenCookie })).status).toBe(401);
  });

  it('answers 404 when payload encryption is off', async () => {
    const off = await server({ payloadKey: undefined, previousPayloadKeys: [] });
    expect((await post(off, '/codec/decode', { payloads: [] }, { cookie: await sessionCookie(admin) })).status).toBe(404);
  });
});

describe('the codec settings', () => {
  it('reads CODEC_OPERATORS as lower-case emails, refuses anything else, and defaults the Web UI to the web app’s site', () => {
    expect(loadSettings({ CODEC_OPERATORS: ' Ops@Example.com , sre@example.com ' }).web.codec?.operators).toEqual(['ops@example.com', 'sre@example.com']);
    expect(() => loadSettings({ CODEC_OPERATORS: 'ops' })).toThrow(/^CODEC_OPERATORS: must be email addresses/);
    expect(() => loadSettings({ CODEC_REQUESTS_PER_MINUTE: '0' })).toThrow(/^CODEC_REQUESTS_PER_MINUTE/);
    const defaults = loadSettings({});
    expect(new URL(defaults.web.temporalUi!.url).hostname).toBe(new URL(defaults.web.publicUrl).hostname);
  });
});

describe('offboard codec-tokens', () => {
  it('creates a token shown once, lists it without the value, and revokes it', async () => {
    const env = { DATABASE_URL: t.url };
    const created = await runCli(['codec-tokens', 'create', '--name', 'ci reader', '--for', 'helen@example.com', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const doc = created.json<{ id: number; token: string; scopes: string[]; actsForUserId: number }>();
    expect(doc).toMatchObject({ scopes: ['codec'], actsForUserId: admin });
    expect(doc.token).toMatch(/^cdc_[A-Za-z0-9_-]{43}$/);
    const listed = await runCli(['codec-tokens', 'list'], env);
    expect(listed.stdout).toContain('ci reader');
    expect(listed.stdout).not.toContain(doc.token);
    expect((await post(base, '/codec/decode', { payloads: [] }, { authorization: `Bearer ${doc.token}` })).status).toBe(200);
    expect((await runCli(['codec-tokens', 'revoke', String(doc.id)], env)).code).toBe(0);
    expect((await post(base, '/codec/decode', { payloads: [] }, { authorization: `Bearer ${doc.token}` })).status).toBe(401);
    // Only for an active admin; a bad sub-command is a usage error.
    expect((await runCli(['codec-tokens', 'create', '--name', 'x', '--for', 'sam@example.com'], env)).code).toBe(1);
    expect((await runCli(['codec-tokens', 'rotate'], env)).code).toBe(2);
  });
});
