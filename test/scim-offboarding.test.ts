// Issue 23 end to end: the real web app (SCIM at /scim/v2), worker, Temporal dev server, PostgreSQL,
// SMTP sink and a real browser. A connection is created; Okta's sequence provisions 5 people with a
// manager; two are deactivated 10 s apart and become ONE batch; the manager gets the email, hands the
// items over in the browser, both are inactivated; SCIM says active:false throughout. One more
// deactivation followed by active:true before it completes: removed from the batch, never
// inactivated. A revoked token and another connection's token are refused and change nothing.
import { and, eq, inArray, like } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, offboardings, users } from '../db/schema';
import { createConnection, createConnectionToken, revokeConnectionToken } from '../domain/connections';
import { launchBrowser, signedInContext } from './helpers/browser';
import { directoryFixtures } from './helpers/directory-fixtures';
import { CORE, ENTERPRISE, OFFBOARDING_EXT, PATCH, scimClient } from './helpers/scim-client';
import { budget } from './helpers/time-budget';
import { waitForValue } from './helpers/wait-until';
import { startWebStack, type WebStack } from './helpers/web-stack';
import { mailsAbout } from './helpers/workflow-harness';

const COMPANY = 'Northwind Builders';
// Longer than the 10 s between the two deactivations, short enough for a test.
const WINDOW_MS = 15_000;
let s: WebStack;
let browser: Browser;
const db = () => s.h.t.db;

beforeAll(async () => {
  [s, browser] = await Promise.all([startWebStack({ settings: { intakeWindowMs: WINDOW_MS, scim: { requestsPerMinute: 100_000 } } }), launchBrowser()]);
}, budget(240_000));
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const claimsOf = (ids: number[]) => db().select().from(offboardings).where(inArray(offboardings.userId, ids));
const statusOf = async (id: number) => (await db().select({ status: users.status }).from(users).where(eq(users.id, id)))[0]?.status;

describe('a layoff from the identity provider', () => {
  it('provisions, gathers two deactivations into one batch, hands over in the browser, and honours a rescind', async () => {
    const helen = await directoryFixtures(db()).admin({ name: 'Helen Park', email: 'helen.park@northwind.example', company: COMPANY });
    const made = await createConnection(db(), { name: 'Okta', company: COMPANY, policy: { reason: 'Terminated in Okta', successor: 'none' }, adminUserId: helen, createdBy: 'test' });
    const scim = scimClient(s.url, made.token);

    // ---- Okta provisions 5 people: a lookup before each create; the manager first ---------------------
    async function provision(userName: string, given: string, family: string, managerId?: string): Promise<number> {
      const lookup = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      expect(lookup.body).toMatchObject({ totalResults: 0 });
      const created = await scim('POST', '/Users', {
        schemas: managerId ? [CORE, ENTERPRISE] : [CORE],
        userName,
        name: { givenName: given, familyName: family },
        emails: [{ primary: true, value: userName, type: 'work' }],
        active: true,
        ...(managerId ? { [ENTERPRISE]: { manager: { value: managerId } } } : {}),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return Number(created.body.id);
    }
    const mo = await provision('mo.reed@northwind.example', 'Mo', 'Reed');
    const [ann, ben, cat, dee] = [
      await provision('ann.lee@northwind.example', 'Ann', 'Lee', String(mo)),
      await provision('ben.ito@northwind.example', 'Ben', 'Ito', String(mo)),
      await provision('cat.ruiz@northwind.example', 'Cat', 'Ruiz', String(mo)),
      await provision('dee.shaw@northwind.example', 'Dee', 'Shaw', String(mo)),
    ] as [number, number, number, number];
    expect((await db().select({ managerId: users.managerId }).from(users).where(inArray(users.id, [ann, ben, cat, dee]))).map((u) => u.managerId)).toEqual([mo, mo, mo, mo]);
    // Their work in the tools: each leaver holds two defects on the project Mo and Dee are on too.
    const fx = directoryFixtures(db());
    const tower = await fx.project('Harbor Tower');
    for (const u of [mo, ann, ben, cat, dee]) await fx.member(tower, u);
    for (const u of [ann, ben, cat, ann, ben]) await fx.defect({ projectId: tower, assignedToId: u });

    // ---- two deactivations 10 s apart: one batch -------------------------------------------------------
    const deactivate = (id: number) => scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect((await deactivate(ann)).body.active).toBe(false);
    await new Promise((r) => setTimeout(r, 10_000));
    expect((await deactivate(ben)).body.active).toBe(false);
    const claims = await waitForValue('both claimed', () => claimsOf([ann, ben]), (c) => c.length === 2, 90_000, 500);
    expect(new Set(claims.map((c) => c.batchId)).size).toBe(1);
    const batchId = claims[0]!.batchId!;
    expect(claims.every((c) => c.requestedBy === helen)).toBe(true);
    for (const id of [ann, ben]) {
      const shown = await waitForValue(`user ${id} shown waiting`, () => scim('GET', `/Users/${id}`), (a) => (a.body[OFFBOARDING_EXT] as { stage?: string } | undefined)?.stage === 'awaiting-reassignment', 60_000, 500);
      expect(shown.body).toMatchObject({ active: false, [OFFBOARDING_EXT]: { batchId } });
    }
    // Mo hears about both in one digest, and hands everything to Dee in the browser.
    const [toMo] = await waitForValue('the email to Mo', async () => mailsAbout(s.h.sink, ann, 'action-needed-digest'), (m) => m.length === 1, 60_000, 500);
    expect(mailsAbout(s.h.sink, ben, 'action-needed-digest')).toEqual([toMo]);
    const { context, page } = await signedInContext(browser, { db: db(), url: s.url }, mo);
    for (const leaver of [ann, ben]) {
      await page.goto(`${s.url}/people/${leaver}`);
      await page.locator('#to-all').selectOption(String(dee));
      await page.getByRole('button', { name: 'Reassign all they can take' }).click();
      await page.waitForLoadState();
    }
    await context.close();
    await waitForValue('both inactivated', async () => [await statusOf(ann), await statusOf(ben)], (st) => st.every((x) => x === 'inactive'), 90_000, 500);
    for (const id of [ann, ben]) {
      const after = await scim('GET', `/Users/${id}`);
      expect(after.body).toMatchObject({ active: false, [OFFBOARDING_EXT]: { stage: 'inactivated', batchId } });
    }

    // ---- a revoked token and another connection's token: refused, nothing changed ---------------------
    // Sent before Cat's deactivation below, whose window passes meanwhile: the check that nothing came
    // of them a whole window later then costs no wait of its own.
    const second = await createConnectionToken(db(), made.connection.id, 'test');
    await revokeConnectionToken(db(), second.info.id);
    const other = await createConnection(db(), { name: 'Other', company: 'Globex', policy: { reason: 'Left', successor: 'none' }, adminUserId: helen, createdBy: 'test' });
    const scimChanges = async () => (await db().select().from(auditLog).where(and(eq(auditLog.subjectUserId, dee), like(auditLog.action, 'scim.%')))).length;
    const auditBefore = await scimChanges();
    const revoked = await scimClient(s.url, second.token)('PATCH', `/Users/${dee}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(revoked.status).toBe(401);
    const foreign = await scimClient(s.url, other.token)('PATCH', `/Users/${dee}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(foreign.status).toBe(404);
    const refusedAt = Date.now();

    // ---- one more deactivation, rescinded (active:true) while it runs: removed, never inactivated ------
    expect((await deactivate(cat)).body.active).toBe(false);
    const catClaim = await waitForValue('Cat claimed', () => claimsOf([cat]), (c) => c.length === 1, 90_000, 500);
    expect(catClaim[0]?.batchId).not.toBe(batchId);
    const on = await scim('PATCH', `/Users/${cat}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    await waitForValue('Cat removed', () => claimsOf([cat]), (c) => c[0]?.outcome === 'removed', 60_000, 500);
    expect(await statusOf(cat)).toBe('active');
    expect((await scim('GET', `/Users/${cat}`)).body.active).toBe(true);

    // A whole window after the refused requests (Cat's took most of it): nothing came of them.
    await new Promise((r) => setTimeout(r, Math.max(0, refusedAt + WINDOW_MS + 2_000 - Date.now())));
    expect(await claimsOf([dee])).toEqual([]);
    const [deeNow] = await db().select().from(users).where(eq(users.id, dee));
    expect(deeNow).toMatchObject({ status: 'active', deprovisionedAt: null });
    expect(await scimChanges()).toBe(auditBefore);
  }, budget(600_000));
});
