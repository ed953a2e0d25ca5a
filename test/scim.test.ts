// Issue 23: the SCIM 2.0 service provider at /scim/v2, over HTTP against the real web app, worker,
// Temporal dev server and PostgreSQL. Discovery; Okta's and Entra ID's documented sequences (create →
// lookup → update → deactivate → reactivate) with their quirks; what `active: false` does (signed out
// everywhere at once, an offboarding queued, never inactivated directly, audited); and the
// connections' CLI and tokens.
import { randomBytes } from 'node:crypto';
import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../client/web/keys';
import { auditLog, connectionTokens, offboardings, users, webSessions } from '../db/schema';
import { startWebServer } from '../client/web/server';
import { createConnection } from '../domain/connections';
import { runCli } from './helpers/cli';
import { directoryFixtures } from './helpers/directory-fixtures';
import { CORE, ENTERPRISE, OFFBOARDING_EXT, PATCH, scimClient } from './helpers/scim-client';
import { budget } from './helpers/time-budget';
import { waitForValue } from './helpers/wait-until';
import { startWebStack, type WebStack } from './helpers/web-stack';

let s: WebStack;
let helen: number;
let token: string;
let scim: ReturnType<typeof scimClient>;
const db = () => s.h.t.db;
const POLICY = { reason: 'Left the company (identity provider)', successor: 'none' as const };

beforeAll(async () => {
  s = await startWebStack({ settings: { intakeWindowMs: 1500, scim: { requestsPerMinute: 100_000 } } });
  helen = await directoryFixtures(db()).admin({ name: 'Helen Park', email: 'helen.park@northwind.example', company: 'Northwind Builders' });
  const created = await createConnection(db(), { name: 'Okta', company: 'Northwind Builders', policy: POLICY, adminUserId: helen, createdBy: 'test' });
  token = created.token;
  scim = scimClient(s.url, token);
}, budget(240_000));
afterAll(async () => {
  await s?.close();
});

/** A signed-in browser session of `userId` (as the email link makes one). */
async function sessionOf(userId: number): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await db().insert(webSessions).values({ idHash: sha256(id), userId, via: 'email-link', scopeUserId: null, expiresAt: sql`now() + interval '1 day'` });
  return `offboarding_session=${id}`;
}

const scimAudit = async (userId: number) => db().select().from(auditLog).where(and(eq(auditLog.subjectUserId, userId), like(auditLog.action, 'scim.%')));

describe('discovery', () => {
  it('advertises exactly what is implemented, in application/scim+json', async () => {
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.type).toMatch(/^application\/scim\+json/);
    expect(spc.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, bulk: { supported: false }, sort: { supported: false }, changePassword: { supported: false }, etag: { supported: false } });
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body).toMatchObject({ totalResults: 1, Resources: [{ id: 'User', endpoint: '/Users', schema: CORE }] });
    const schemas = await scim('GET', '/Schemas');
    expect((schemas.body.Resources as { id: string }[]).map((r) => r.id)).toEqual([CORE, ENTERPRISE, OFFBOARDING_EXT]);
    expect((await scim('POST', '/ServiceProviderConfig', {})).status).toBe(405);
    const missing = await scim('GET', '/Groups');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });
});

describe('Okta’s sequence', () => {
  it('looks up, creates with a manager, updates, deactivates (an offboarding, signed out at once) and reactivates', async () => {
    // Okta looks the person up before every create.
    const lookup = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "dana.fox@northwind.example"')}&startIndex=1&count=100`);
    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });
    const manager = await scim('POST', '/Users', {
      schemas: [CORE],
      userName: 'mo.reed@northwind.example',
      name: { givenName: 'Mo', familyName: 'Reed' },
      emails: [{ primary: true, value: 'mo.reed@northwind.example', type: 'work' }],
      active: true,
    });
    expect(manager.status).toBe(201);
    const managerId = String(manager.body.id);
    const created = await scim('POST', '/Users', {
      schemas: [CORE, ENTERPRISE],
      userName: 'dana.fox@northwind.example',
      name: { givenName: 'Dana', familyName: 'Fox' },
      emails: [{ primary: true, value: 'dana.fox@northwind.example', type: 'work' }],
      displayName: 'Dana Fox',
      active: true,
      externalId: '00u1okta',
      [ENTERPRISE]: { employeeNumber: 'E-17', manager: { value: managerId } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('location')).toBe(`${s.url}/scim/v2/Users/${String(created.body.id)}`);
    const id = Number(created.body.id);
    const [row] = await db().select().from(users).where(eq(users.id, id));
    expect(row).toMatchObject({ name: 'Dana Fox', email: 'dana.fox@northwind.example', company: 'Northwind Builders', managerId: Number(managerId), externalId: '00u1okta', employeeNumber: 'E-17', status: 'active', deprovisionedAt: null });
    const found = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "DANA.FOX@northwind.example"')}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: String(id), active: true }] });
    // Okta's profile update: PUT of the whole user.
    const put = await scim('PUT', `/Users/${id}`, { ...created.body, title: 'Site Engineer', meta: undefined });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ title: 'Site Engineer' });

    // An open item: the offboarding waits for a handover (without one it would inactivate at once).
    const fx = directoryFixtures(db());
    await fx.rfi({ projectId: await fx.project(), managerId: id });
    const cookie = await sessionOf(id);
    expect((await fetch(`${s.url}/people`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    // Okta's deactivation.
    const off = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.active).toBe(false);
    // Signed out everywhere at once; still active in the directory until the offboarding completes.
    expect(await db().select().from(webSessions).where(eq(webSessions.userId, id))).toEqual([]);
    const [after] = await db().select().from(users).where(eq(users.id, id));
    expect(after?.status).toBe('active');
    expect(after?.deprovisionedAt).not.toBeNull();
    expect((await fetch(`${s.url}/people`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
    // The offboarding starts (the connection's window, then a batch in Helen's name).
    const claim = await waitForValue(
      'the offboarding of the deprovisioned person',
      async () => (await db().select().from(offboardings).where(eq(offboardings.userId, id)))[0],
      (o) => o !== undefined,
      60_000,
    );
    expect(claim?.requestedBy).toBe(helen);
    const shown = await waitForValue('the extension showing the batch', () => scim('GET', `/Users/${id}`), (a) => (a.body[OFFBOARDING_EXT] as { batchId?: string } | undefined)?.batchId !== undefined, 30_000);
    expect(shown.body.active).toBe(false);
    // Okta's reactivation: a rescinded termination takes the person out of their batch.
    const on = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.active).toBe(true);
    await waitForValue('the offboarding removed', async () => (await db().select().from(offboardings).where(eq(offboardings.userId, id)))[0], (o) => o?.outcome === 'removed', 60_000);
    const [final] = await db().select().from(users).where(eq(users.id, id));
    expect(final).toMatchObject({ status: 'active', deprovisionedAt: null });
    const actions = (await scimAudit(id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['scim.user.created', 'scim.user.replaced', 'scim.user.patched', 'scim.offboarding.requested', 'scim.offboarding.removed']));
    const audits = await scimAudit(id);
    expect(audits.every((a) => a.actorId === helen && a.requestId !== null)).toBe(true);
  });
});

describe('Entra ID’s sequence', () => {
  it('accepts its capitalised ops, dotted path-less keys, "False" strings and manager removal', async () => {
    const lookup = await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "entra-42"')}`);
    expect(lookup.body).toMatchObject({ totalResults: 0 });
    const created = await scim('POST', '/Users', {
      schemas: [CORE, ENTERPRISE],
      externalId: 'entra-42',
      userName: 'ola.berg@northwind.example',
      active: true,
      displayName: 'Ola Berg',
      emails: [{ primary: true, type: 'work', value: 'ola.berg@northwind.example' }],
      name: { formatted: 'Ola Berg', familyName: 'Berg', givenName: 'Ola' },
      [ENTERPRISE]: { manager: { value: String(helen) } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = String(created.body.id);
    const byEmail = await scim('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "ola.berg@northwind.example"')}`);
    expect(byEmail.body).toMatchObject({ totalResults: 1 });
    const update = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', value: { 'name.givenName': 'Ola-Marie', displayName: 'Ola-Marie Berg' } },
        { op: 'Add', path: 'title', value: 'Estimator' },
        { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'E-42' },
        { op: 'Remove', path: 'manager' },
      ],
    });
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    expect(update.body).toMatchObject({ displayName: 'Ola-Marie Berg', title: 'Estimator', name: { givenName: 'Ola-Marie' }, [ENTERPRISE]: { employeeNumber: 'E-42' } });
    const [row] = await db().select().from(users).where(eq(users.id, Number(id)));
    expect(row).toMatchObject({ name: 'Ola-Marie Berg', jobTitle: 'Estimator', managerId: null, scimManagerRef: null });
    const off = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.active).toBe(false);
    const on = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(on.body.active).toBe(true);
    const [back] = await db().select().from(users).where(eq(users.id, Number(id)));
    expect(back).toMatchObject({ status: 'active', deprovisionedAt: null });
  });

  it('keeps an unknown manager as unresolved, not an error', async () => {
    const created = await scim('POST', '/Users', { schemas: [CORE, ENTERPRISE], userName: 'kim.lee@northwind.example', [ENTERPRISE]: { manager: 'not-here-yet' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body[ENTERPRISE]).toEqual({ manager: { value: 'not-here-yet' } });
    const [row] = await db().select().from(users).where(eq(users.id, Number(created.body.id)));
    expect(row).toMatchObject({ managerId: null, scimManagerRef: 'not-here-yet' });
  });
});

describe('DELETE', () => {
  it('answers 404 from then on, keeps the person, and starts their offboarding', async () => {
    const created = await scim('POST', '/Users', { schemas: [CORE], userName: 'gone@northwind.example' });
    const id = Number(created.body.id);
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
    const [row] = await db().select().from(users).where(eq(users.id, id));
    expect(row).toMatchObject({ status: 'active' });
    expect(row?.scimDeletedAt).not.toBeNull();
    expect(row?.deprovisionedAt).not.toBeNull();
    await waitForValue('the offboarding of the deleted person', async () => (await db().select().from(offboardings).where(eq(offboardings.userId, id)))[0], (o) => o !== undefined, 60_000);
  });
});

describe('connections', () => {
  it('the CLI creates one (token last, alone), lists it without the value, and revokes its token', async () => {
    const env = { DATABASE_URL: s.h.t.url };
    const made = await runCli(['connections', 'create', '--name', 'Entra ID', '--company', 'Northwind Builders', '--for', 'helen.park@northwind.example', '--reason', 'Left', '--successor', 'manager'], env);
    expect(made.code, made.stderr).toBe(0);
    const lines = made.stdout.trim().split('\n');
    const newToken = lines[lines.length - 1]!;
    expect(newToken).toMatch(/^con_[A-Za-z0-9_-]{43}$/);
    expect((await scimClient(s.url, newToken)('GET', '/Users?count=1')).status).toBe(200);
    const listed = await runCli(['connections', 'list', '--json'], env);
    expect(listed.stdout).not.toContain(newToken);
    const all = listed.json<{ id: number; name: string; tokens: { id: number }[] }[]>();
    const entra = all.find((c) => c.name === 'Entra ID')!;
    expect((await runCli(['connections', 'revoke', String(entra.tokens[0]!.id)], env)).code).toBe(0);
    const refused = await scimClient(s.url, newToken)('GET', '/Users');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ status: '401' });
    // Revoking again changes nothing (and is audited once); both changes are audited, never the token.
    expect((await runCli(['connections', 'revoke', String(entra.tokens[0]!.id)], env)).code).toBe(0);
    const audited = await db()
      .select({ action: auditLog.action, entityType: auditLog.entityType, entityId: auditLog.entityId, actorId: auditLog.actorId, after: auditLog.after })
      .from(auditLog)
      .where(like(auditLog.action, 'connection.%'));
    const ofEntra = audited.filter((a) => `${a.entityType}:${a.entityId}` === `connection:${entra.id}` || `${a.entityType}:${a.entityId}` === `connection-token:${entra.tokens[0]!.id}`);
    expect(ofEntra.map((a) => [a.action, a.actorId])).toEqual([
      ['connection.create', null],
      ['connection.token-revoke', null],
    ]);
    expect(JSON.stringify(audited)).not.toContain(newToken);
    // Bad input is a usage error, and changes nothing.
    expect((await runCli(['connections', 'create', '--name', 'x', '--company', 'y', '--for', 'helen.park@northwind.example', '--reason', 'r', '--successor', 'boss'], env)).code).toBe(2);
  });

  it('a connection whose admin lost admin rights answers 401 at once', async () => {
    const ivy = await directoryFixtures(db()).admin({ name: 'Ivy Admin', email: 'ivy.admin@northwind.example', company: 'Northwind Builders' });
    const made = await createConnection(db(), { name: 'Ivy’s', company: 'Northwind Builders', policy: POLICY, adminUserId: ivy, createdBy: 'test' });
    const ivys = scimClient(s.url, made.token);
    expect((await ivys('GET', '/Users?count=0')).status).toBe(200);
    await db().update(users).set({ directoryPermission: 'standard' }).where(eq(users.id, ivy));
    expect((await ivys('GET', '/Users?count=0')).status).toBe(401);
    const [tokenRow] = await db().select().from(connectionTokens).where(eq(connectionTokens.connectionId, made.connection.id));
    expect(tokenRow?.revokedAt).toBeNull();
  });
});

describe('bad input: a SCIM error with its scimType, and nothing changed', () => {
  const snapshot = async () => ({
    users: (await db().select({ n: sql<number>`count(*)::int` }).from(users))[0]?.n,
    changed: (await db().select({ n: sql<number>`count(*)::int` }).from(users).where(sql`updated_at > created_at`))[0]?.n,
    // SCIM's own rows: batches started earlier in the file write theirs in the background.
    audit: (await db().select({ n: sql<number>`count(*)::int` }).from(auditLog).where(like(auditLog.action, 'scim.%')))[0]?.n,
  });
  let target: string;
  let outsider: number;
  beforeAll(async () => {
    outsider = await directoryFixtures(db()).user({ name: 'Apex Person', email: 'someone@apex.example', company: 'Apex Electrical' });
    target = String((await scim('POST', '/Users', { schemas: [CORE], userName: 'target@northwind.example', displayName: 'Target' })).body.id);
  });

  const cases: { row: string; send: () => Promise<{ status: number; body: Record<string, unknown> }>; status: number; scimType?: string }[] = [
    { row: 'no token', send: () => scimClient(s.url, undefined)('POST', '/Users', { schemas: [CORE], userName: 'x1@northwind.example' }), status: 401 },
    { row: 'invalid token', send: () => scimClient(s.url, `con_${'A'.repeat(43)}`)('POST', '/Users', { schemas: [CORE], userName: 'x2@northwind.example' }), status: 401 },
    { row: 'malformed JSON', send: () => scim('POST', '/Users', '{"schemas": ['), status: 400, scimType: 'invalidSyntax' },
    { row: 'unknown member in a PatchOp', send: () => scim('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'x', when: 'now' }] }), status: 400, scimType: 'invalidSyntax' },
    { row: 'PATCH path naming no attribute', send: () => scim('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'favouriteColour', value: 'red' }] }), status: 400, scimType: 'invalidPath' },
    { row: 'unknown schema', send: () => scim('POST', '/Users', { schemas: [CORE, 'urn:example:unknown'], userName: 'x3@northwind.example' }), status: 400, scimType: 'invalidValue' },
    { row: 'duplicate userName', send: () => scim('POST', '/Users', { schemas: [CORE], userName: 'TARGET@northwind.example' }), status: 409, scimType: 'uniqueness' },
    { row: 'unknown user', send: () => scim('PUT', '/Users/999999', { schemas: [CORE], userName: 'x4@northwind.example' }), status: 404 },
    { row: 'another company’s user', send: () => scim('GET', `/Users/${outsider}`), status: 404 },
    { row: 'invalid filter', send: () => scim('GET', `/Users?filter=${encodeURIComponent('title co "x"')}`), status: 400, scimType: 'invalidFilter' },
    { row: 'unparsable filter', send: () => scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), status: 400, scimType: 'invalidFilter' },
    { row: 'over-long value', send: () => scim('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'x'.repeat(201) }] }), status: 400, scimType: 'invalidValue' },
    { row: 'control characters', send: () => scim('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Evil\u0000Name' }] }), status: 400, scimType: 'invalidValue' },
    { row: 'PATCH setting id', send: () => scim('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'id', value: '1' }] }), status: 400, scimType: 'mutability' },
    { row: 'PATCH setting meta', send: () => scim('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { meta: { created: '2000-01-01' } } }] }), status: 400, scimType: 'mutability' },
    { row: 'active: "maybe"', send: () => scim('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }), status: 400, scimType: 'invalidValue' },
    { row: 'body over the limit', send: () => scim('POST', '/Users', { schemas: [CORE], userName: 'x5@northwind.example', padding: 'x'.repeat(70 * 1024) }), status: 413 },
    { row: 'not count as an integer', send: () => scim('GET', '/Users?count=lots'), status: 400, scimType: 'invalidValue' },
  ];

  it.each(cases)('$row → $status $scimType', async ({ send, status, scimType }) => {
    const before = await snapshot();
    const answer = await send();
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}) });
    expect(await snapshot()).toEqual(before);
  });

  it('a revoked token and another connection’s token change nothing', async () => {
    const other = await createConnection(db(), { name: 'Other', company: 'Apex Electrical', policy: POLICY, adminUserId: helen, createdBy: 'test' });
    const before = await snapshot();
    const theirs = scimClient(s.url, other.token);
    expect((await theirs('PATCH', `/Users/${target}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] })).status).toBe(404);
    expect((await theirs('GET', `/Users?filter=${encodeURIComponent('userName eq "target@northwind.example"')}`)).body).toMatchObject({ totalResults: 0 });
    await db().update(connectionTokens).set({ revokedAt: sql`now()` }).where(eq(connectionTokens.connectionId, other.connection.id));
    expect((await theirs('DELETE', `/Users/${target}`)).status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it('1,001 users in one list request: count is clamped to maxResults (RFC 7644 §3.4.2.4), nothing refused', async () => {
    const many = await scim('GET', '/Users?count=1001');
    expect(many.status).toBe(200);
    expect(many.body.itemsPerPage).toBeLessThanOrEqual(200);
    expect((many.body.Resources as unknown[]).length).toBe(many.body.itemsPerPage);
  });

  it('too many requests of a connection: 429 with Retry-After, nothing changed', async () => {
    // A second web server on the same database, allowing two requests a minute per connection.
    const limited = await startWebServer({ settings: { ...s.settings, port: 0, scim: { requestsPerMinute: 2 } }, db: db(), temporal: s.env.client, taskQueue: s.taskQueue, mailer: s.h.mailer, log: () => undefined });
    try {
      const c = scimClient(limited.url, (await createConnection(db(), { name: 'RL', company: 'Northwind Builders', policy: POLICY, adminUserId: helen, createdBy: 'test' })).token);
      await c('GET', '/Users?count=0');
      await c('GET', '/Users?count=0');
      const before = await snapshot();
      const third = await c('POST', '/Users', { schemas: [CORE], userName: 'rl-new@northwind.example' });
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
    } finally {
      await limited.close();
    }
  });
});
