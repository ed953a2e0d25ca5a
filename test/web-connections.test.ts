// HR's "Connections" page (issue 23) in a real browser against the real web server, Temporal dev
// server, worker and PostgreSQL, on the demo directory:
//   1. JavaScript off: Helen opens Connections from the menu, creates a connection; the token is on
//      the answer page once (never on the page again), stored only as its SHA-256, audited; it works
//      against /scim/v2, and the change it makes is listed among the connection's last SCIM changes.
//   2. JavaScript on: she issues a second token, it works; she revokes it: 401 from then on, audited.
//   3. Bad input: each a clear answer and nothing changed (connections, tokens, audit rows).
//   4. A person the connection deprovisions (`active: false`) cannot sign in: their open page ends,
//      the sign-in form sends them no link (and answers as for anyone), a sign-in link sent before
//      does not work, and an action link about their report is refused (scim.test.ts covers the
//      sessions ending in the database).
// A screenshot of the page (test/screenshots/hr-connections.png) and axe-core on it.
import { createHash, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoDirectory } from '../db/seed';
import { offboardings, users, webSessions } from '../db/schema';
import { signActionLink } from '../domain/action-links';
import { issueSignInToken } from '../client/web/sign-in-tokens';
import { CONNECTION_TOKEN_PATTERN } from '../domain/connections';
import { csrfOf, launchBrowser, postForm, screenshot, seriousA11yViolations, signedInContext } from './helpers/browser';
import { CORE, ENTERPRISE, PATCH, scimClient } from './helpers/scim-client';
import { directoryFixtures } from './helpers/directory-fixtures';
import { mailsAbout, waitForUserStatus } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';
import { startWebStack, WEB_TEST_SECRET, type WebStack } from './helpers/web-stack';

let s: WebStack;
let browser: Browser;
const id: Record<string, number> = {};

beforeAll(async () => {
  [s, browser] = await Promise.all([startWebStack({ settings: { intakeWindowMs: 1500, scim: { requestsPerMinute: 100_000 } } }), launchBrowser()]);
  await seedDemoDirectory(s.h.t.db);
  for (const u of await s.h.t.db.select({ id: users.id, email: users.email, name: users.name }).from(users)) {
    id[u.email ? (u.email.split('@')[0] ?? '') : u.name] = u.id;
  }
}, budget(240_000));
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const db = () => s.h.t.db;
const helen = () => id['helen.park']!;
const signedIn = (userId: number, options: { javaScript?: boolean } = {}) => signedInContext(browser, { db: db(), url: s.url }, userId, options);
const banner = async (page: Page) => (await page.locator('#banner').textContent())?.trim() ?? '';
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** What a refused input must leave as it was. */
async function counts() {
  const [row] = await db().execute<{ connections: number; tokens: number; revoked: number; audits: number }>(sql`
    select (select count(*)::int from connections) as connections, (select count(*)::int from connection_tokens) as tokens,
           (select count(*)::int from connection_tokens where revoked_at is not null) as revoked,
           (select count(*)::int from audit_log where action like 'connection.%') as audits`);
  return row!;
}
const audits = (action: string) =>
  db().execute<{ actorId: number | null; entityId: string; requestId: string | null; after: Record<string, unknown> }>(sql`
    select actor_id as "actorId", entity_id as "entityId", request_id as "requestId", after from audit_log where action = ${action} order by id`);

let connectionId = 0;
let firstToken = '';

describe('Connections (HR)', () => {
  it('1. JavaScript off: creates a connection; the token is shown once, stored hashed, audited, and works over SCIM', async () => {
    const { context, page } = await signedIn(helen(), { javaScript: false });
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.waitForURL(`${s.url}/hr/connections`);
    expect(await page.locator('h1').textContent()).toBe('Connections');
    expect(await page.locator('main').textContent()).toContain('No connections yet');
    // JavaScript off: the <details> opens on a click of its summary, as with it on.
    await page.getByText('New connection').click();
    await page.getByLabel('Name', { exact: true }).fill('Okta');
    await page.getByLabel('Company its people belong to').fill('Northwind Builders');
    await page.getByLabel('Acts for (a company directory admin)').selectOption({ label: 'Helen Park (helen.park@northwind-builders.example)' });
    await page.getByLabel('Reason', { exact: true }).fill('Terminated in Okta');
    await page.getByLabel('Reminders every (days)').fill('2');
    await page.getByLabel('Who takes over a leaver’s items').selectOption('manager');
    await page.getByRole('button', { name: 'Create the connection' }).click();
    expect(await page.locator('h1').textContent()).toBe('Connection “Okta”');
    expect(await banner(page)).toContain('Connection “Okta” created for Northwind Builders; it acts for Helen Park.');
    firstToken = (await page.getByLabel(/^Bearer token #/).inputValue()).trim();
    expect(firstToken).toMatch(CONNECTION_TOKEN_PATTERN);
    await screenshot(page, 'hr-connections-token-once');

    // The database: the connection, its token as a SHA-256 only, the audit row in Helen's name.
    const [conn] = await db().execute<{ id: number; name: string; company: string; adminUserId: number; policy: unknown }>(sql`
      select id, name, company, admin_user_id as "adminUserId", policy from connections`);
    expect(conn).toMatchObject({ name: 'Okta', company: 'Northwind Builders', adminUserId: helen(), policy: { reason: 'Terminated in Okta', remindEveryDays: 2, successor: 'manager' } });
    connectionId = conn!.id;
    const tokens = await db().execute<{ tokenHash: string; scopes: string[] }>(sql`select token_hash as "tokenHash", scopes from connection_tokens`);
    expect(tokens).toEqual([{ tokenHash: sha256(firstToken), scopes: ['scim'] }]);
    const [leak] = await db().execute<{ n: number }>(sql`
      select count(*)::int as n from (select row_to_json(t)::text as j from connection_tokens t union all select row_to_json(a)::text from audit_log a
        union all select row_to_json(f)::text from web_sessions f) x where j like ${`%${firstToken}%`}`);
    expect(leak?.n).toBe(0);
    const created = await audits('connection.create');
    expect(created).toEqual([expect.objectContaining({ actorId: helen(), entityId: String(connectionId), requestId: expect.stringMatching(/^web:\d+:/) })]);
    expect(JSON.stringify(created)).not.toContain(firstToken);

    // The page lists it, with the policy in words, and never the token again.
    await page.getByRole('link', { name: 'Back to Connections' }).click();
    const card = page.locator(`#connection-${connectionId}`);
    expect(await card.locator('h2').textContent()).toBe('Okta (Northwind Builders)');
    const cardText = (await card.textContent()) ?? '';
    expect(cardText).toContain('Acts for Helen Park');
    expect(cardText).toContain('reminders every 2 days');
    expect(cardText).toContain('items go to each person’s manager');
    expect(await page.content()).not.toContain(firstToken);

    // The token works against /scim/v2; what it changes appears among the connection's SCIM changes.
    const scim = scimClient(s.url, firstToken);
    const made = await scim('POST', '/Users', { schemas: [CORE], userName: 'sam.rowe@northwind-builders.example', name: { givenName: 'Sam', familyName: 'Rowe' }, active: true });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const changed = await scim('PATCH', `/Users/${String(made.body.id)}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Site <b>Engineer</b>' }] });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await page.reload();
    await card.locator('details.scim-changes > summary').click();
    const changes = card.locator('table.changes tbody tr');
    expect(await changes.count()).toBe(2);
    expect(await changes.first().textContent()).toContain('Site <b>Engineer</b>'); // escaped, shown as typed
    expect(await card.locator('table.changes b').count()).toBe(0);
    expect(await card.locator('table.tokens tbody tr').first().textContent()).toMatch(/never|UTC/);
    await context.close();
  });

  it('2. JavaScript on: issues a token (it works), revokes it (401 from then on); both audited', async () => {
    const { context, page } = await signedIn(helen());
    await page.goto(`${s.url}/hr/connections`);
    const card = page.locator(`#connection-${connectionId}`);
    await card.getByText('Issue a token', { exact: true }).click();
    await card.getByLabel(/offboardings:read/).check();
    await card.getByRole('button', { name: 'Issue a token for Okta' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toBe('A new token for Okta');
    const second = (await page.getByLabel(/^Bearer token #/).inputValue()).trim();
    const secondId = Number(/#(\d+)/.exec((await page.locator('label[for="token-value"]').textContent()) ?? '')?.[1]);
    expect(second).toMatch(CONNECTION_TOKEN_PATTERN);
    expect(second).not.toBe(firstToken);
    const scim = scimClient(s.url, second);
    expect((await scim('GET', '/Users?filter=userName%20eq%20%22sam.rowe%40northwind-builders.example%22')).status).toBe(200);
    const [row] = await db().execute<{ scopes: string[]; tokenHash: string }>(sql`select scopes, token_hash as "tokenHash" from connection_tokens where id = ${secondId}`);
    expect(row).toEqual({ scopes: ['offboardings:read', 'scim'], tokenHash: sha256(second) });
    expect(await audits('connection.token-create')).toEqual([expect.objectContaining({ actorId: helen(), entityId: String(secondId) })]);

    await page.goto(`${s.url}/hr/connections`);
    expect(await page.content()).not.toContain(second);
    // The tokens' table: the new one lists its scopes and who made it.
    expect(await card.locator(`#token-${secondId}`).textContent()).toContain('Helen Park (web)');
    await card.getByRole('button', { name: `Revoke token #${secondId} of Okta` }).click();
    await page.waitForURL(`${s.url}/hr/connections`);
    expect(await banner(page)).toContain(`Token #${secondId} of Okta is revoked`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('banner');
    expect((await scim('GET', '/Users')).status).toBe(401);
    expect((await scimClient(s.url, firstToken)('GET', '/Users')).status).toBe(200);
    expect(await audits('connection.token-revoke')).toEqual([expect.objectContaining({ actorId: helen(), entityId: String(secondId) })]);
    expect(await card.locator(`#token-${secondId}`).getByRole('button').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await card.locator('details.scim-changes > summary').click();
    await screenshot(page, 'hr-connections');
    await context.close();
  });

  it('3. bad input: a clear answer, nothing changed', async () => {
    const { context, page } = await signedIn(helen());
    await page.goto(`${s.url}/hr/connections`);
    const csrf = await csrfOf(page);
    const good = {
      _csrf: csrf,
      name: 'Entra ID',
      company: 'Northwind Builders',
      adminUserId: String(helen()),
      reason: 'Left',
      remindEveryDays: '',
      escalateAfterDays: '',
      deadlineDays: '',
      deadlineAction: '',
      successor: 'none',
      scope: 'scim',
    };
    const nonce = () => randomUUID();
    const before = await counts();
    const [revokedToken] = await db().execute<{ id: number }>(sql`select id from connection_tokens where revoked_at is not null`);
    const [liveToken] = await db().execute<{ id: number }>(sql`select id from connection_tokens where revoked_at is null`);
    const cases: { what: string; path: string; fields: Record<string, string | string[]>; expect: RegExp; status: number }[] = [
      { what: 'empty name', path: '/hr/connections', fields: { ...good, name: '   ', requestId: nonce() }, expect: /Give the connection a name/, status: 400 },
      { what: 'unknown admin', path: '/hr/connections', fields: { ...good, adminUserId: '999999', requestId: nonce() }, expect: /not an active company directory admin/, status: 400 },
      { what: 'a non-admin as the admin', path: '/hr/connections', fields: { ...good, adminUserId: String(id['daniel.kim']), requestId: nonce() }, expect: /not an active company directory admin/, status: 400 },
      { what: 'unknown scope', path: '/hr/connections', fields: { ...good, scope: ['scim', 'root'], requestId: nonce() }, expect: /Unknown scope “root”/, status: 400 },
      { what: 'a policy out of range', path: '/hr/connections', fields: { ...good, remindEveryDays: '31', requestId: nonce() }, expect: /Reminders every is a whole number of days from 1 to 30/, status: 400 },
      { what: 'no nonce', path: '/hr/connections', fields: { ...good }, expect: /The form was incomplete/, status: 400 },
      { what: 'unknown scope on a new token', path: `/hr/connections/${connectionId}/tokens`, fields: { _csrf: csrf, scope: 'root', requestId: nonce() }, expect: /Unknown scope “root”/, status: 303 },
      { what: 'a token for an unknown connection', path: '/hr/connections/999999/tokens', fields: { _csrf: csrf, scope: 'scim', requestId: nonce() }, expect: /There is no connection “999999”/, status: 303 },
      { what: 'a revoked token revoked again', path: `/hr/connections/${connectionId}/tokens/${revokedToken!.id}/revoke`, fields: { _csrf: csrf, requestId: nonce() }, expect: /was already revoked/, status: 303 },
      { what: 'an unknown token', path: `/hr/connections/${connectionId}/tokens/999999/revoke`, fields: { _csrf: csrf, requestId: nonce() }, expect: /No connection token has the ID 999999 in connection/, status: 303 },
      { what: 'a token of another connection', path: `/hr/connections/999999/tokens/${liveToken!.id}/revoke`, fields: { _csrf: csrf, requestId: nonce() }, expect: /There is no connection/, status: 303 },
    ];
    for (const c of cases) {
      const res = await postForm(page, s.url, c.path, c.fields);
      expect(res.status(), c.what).toBe(c.status);
      const text = c.status === 303 ? await (await page.goto(`${s.url}/hr/connections`))!.text() : await res.text();
      expect(text, c.what).toMatch(c.expect);
      expect(text, c.what).toContain('Nothing was changed');
      expect(await counts(), c.what).toEqual(before);
    }
    // Another's CSRF token (Daniel's session's) with Helen's session: refused before anything is read.
    const daniel = await signedIn(id['daniel.kim']!);
    const danielsCsrf = await csrfOf(daniel.page);
    const forged = await postForm(page, s.url, '/hr/connections', { ...good, _csrf: danielsCsrf, requestId: nonce() });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('Nothing was changed');
    // Daniel (a manager, not an admin): the refusal other admin pages give, for the page and its forms.
    const refusedPage = await daniel.page.goto(`${s.url}/hr/connections`);
    expect(refusedPage?.status()).toBe(403);
    expect(await daniel.page.locator('h1').textContent()).toBe('Only for company directory admins');
    expect(await daniel.page.getByRole('link', { name: 'Connections' }).count()).toBe(0);
    const asDaniel = await postForm(daniel.page, s.url, `/hr/connections/${connectionId}/tokens/${liveToken!.id}/revoke`, { _csrf: danielsCsrf, requestId: nonce() });
    expect(asDaniel.status()).toBe(403);
    expect(await counts()).toEqual(before);
    // The create form sent twice (a double click): one connection; the second answer says why no token is shown.
    const twice = { ...good, requestId: nonce() };
    const [first, again] = [await postForm(page, s.url, '/hr/connections', twice), await postForm(page, s.url, '/hr/connections', twice)];
    expect(first.status()).toBe(200);
    expect(await first.text()).toMatch(/con_[A-Za-z0-9_-]{43}/);
    expect(await again.text()).toContain('This form was already sent');
    expect((await counts()).connections).toBe(before.connections + 1);
    await daniel.context.close();
    await context.close();
  });

  it('4. a person deprovisioned over SCIM cannot sign in: session ended, no sign-in link, old links refused', async () => {
    const scim = scimClient(s.url, firstToken);
    const create = async (userName: string, given: string, family: string, manager?: string) => {
      const r = await scim('POST', '/Users', {
        schemas: [CORE, ENTERPRISE],
        userName,
        name: { givenName: given, familyName: family },
        active: true,
        ...(manager ? { [ENTERPRISE]: { manager: { value: manager } } } : {}),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return String(r.body.id);
    };
    const maraId = await create('mara.lane@northwind-builders.example', 'Mara', 'Lane');
    const rexId = await create('rex.hale@northwind-builders.example', 'Rex', 'Hale', maraId);
    const [mara, rex] = [Number(maraId), Number(rexId)];
    // Open items, so neither is inactivated before the checks below (the item gate decides that).
    const fx = directoryFixtures(db());
    const project = await fx.project();
    await fx.rfi({ projectId: project, managerId: rex });
    await fx.rfi({ projectId: project, managerId: mara });
    await s.offboard(rex, helen());
    await waitForUserStatus(s.env.client, rex, (st) => st.stage === 'awaiting-reassignment');
    const [claim] = await db().select().from(offboardings).where(eq(offboardings.userId, rex));
    const actionLink = signActionLink(WEB_TEST_SECRET, { recipientId: mara, userId: rex, offboardingId: claim!.id, purpose: 'manage-items', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const oldSignIn = (await issueSignInToken(db(), mara)).token;
    const signedInMara = await signedIn(mara);
    // Before: the action link offers to continue as Mara (so the refusal below is the deprovisioning's).
    const before = await (await browser.newContext()).newPage();
    await before.goto(`${s.url}/link?t=${actionLink}`);
    expect(await before.getByRole('button', { name: 'Continue as Mara Lane' }).count()).toBe(1);
    await before.context().close();

    const off = await scim('PATCH', `/Users/${maraId}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    // Her open page: the next request finds no session (SCIM deleted her sessions) and asks her to sign in.
    await signedInMara.page.reload();
    await signedInMara.page.waitForURL(/\/signin/);
    expect(await signedInMara.page.locator('h1').textContent()).toBe('Sign in');
    expect(await signedInMara.page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    // The sign-in form: the same answer as for anyone; a link goes to an active person, none to her.
    const page = await (await browser.newContext()).newPage();
    for (const email of ['mara.lane@northwind-builders.example', 'daniel.kim@northwind-builders.example']) {
      await page.goto(`${s.url}/signin`);
      await page.getByLabel('Work email').fill(email);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.waitForURL(`${s.url}/signin/sent`);
      expect(await page.locator('h1').textContent()).toBe('Check your email');
    }
    await expect.poll(() => mailsAbout(s.h.sink, id['daniel.kim']!, 'sign-in-link').length, { timeout: budget(15_000) }).toBe(1);
    expect(mailsAbout(s.h.sink, mara, 'sign-in-link')).toEqual([]);
    // The sign-in link sent before: dead.
    const old = await page.goto(`${s.url}/signin/token?t=${oldSignIn}`);
    expect(old?.status()).toBe(400);
    expect(await page.locator('h1').textContent()).toBe('This sign-in link does not work');
    // The action link about Rex: refused, and a crafted "Continue" opens no session.
    await page.goto(`${s.url}/link?t=${actionLink}`);
    expect(await page.locator('h1').textContent()).toBe('This link no longer works');
    expect(await page.getByRole('button', { name: /^Continue as/ }).count()).toBe(0);
    await page.goto(`${s.url}/signin`); // the anonymous form token this browser may post with
    const crafted = await postForm(page, s.url, '/link', { _csrf: await csrfOf(page), t: actionLink });
    expect(crafted.status()).toBe(400);
    expect(await db().select().from(webSessions).where(eq(webSessions.userId, mara))).toEqual([]);
    await page.context().close();
    await signedInMara.context.close();
  });
});
