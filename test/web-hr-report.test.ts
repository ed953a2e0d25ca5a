// HR's Inactive users and Assignment Report pages in a real browser (Debian's Chromium through
// playwright-core), against a real web server, Temporal dev server, worker, PostgreSQL and SMTP sink.
// Each step asserts the database and the workflow, not only the page (issue 14, scenarios 5 and 6):
//   5. Reactivate an inactivated user from Inactive users (JavaScript off): active again in the
//      database, the reactivation workflow completed, the people told. A non-admin's crafted POST
//      (valid session and CSRF token) is refused with 403 and changes nothing.
//   6. Download the CSV through the browser and parse it with an RFC 4180 parser (csv-parse): the
//      rows equal the report query; `=HYPERLINK(…)` arrives neutralised; a name with a comma, a quote
//      and a line break round-trips.
//   axe-core on both pages (JavaScript on); the bad inputs of docs/bad-input.md, each proving
//   that nothing changed.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reactivateUser } from '../client/operations';
import { REPORT_CSV_HEADER } from '../client/report-csv';
import { auditLog, offboardings, users } from '../db/schema';
import { assignmentReportRows, type ReportFilter, type ReportRow } from '../domain/assignment-report';
import { itemStatusWords, refusalOf, ROLE_LABELS, TOOL_LABELS } from '../workflows/contract';
import { csrfOf, launchBrowser, postForm, screenshot, seriousA11yViolations, signedInContext } from './helpers/browser';
import { startWebStack, type WebStack } from './helpers/web-stack';
import { mailsAbout, waitForUserStatus } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';

let s: WebStack;
let browser: Browser;
let ada: number, mia: number, liam: number, bea: number, quinn: number, rosa: number;
let tower: number, garage: number;
const QUINN = 'Quinn "Q" O’Neil, Jr.\nnight shift';
const EVIL = '=HYPERLINK("http://evil","x")';
const BATCH = 'b-2026-11-02-q3x';

beforeAll(async () => {
  [s, browser] = await Promise.all([startWebStack(), launchBrowser()]);
  const f = s.h.fx;
  ada = await f.admin({ name: 'Ada Admin', email: 'ada@example.com', company: 'Northwind Builders' });
  mia = await f.user({ name: 'Mia Manager', email: 'mia@example.com', company: 'Northwind Builders' });
  liam = await f.user({ name: 'Liam Leaving', email: 'liam@example.com', company: 'Apex Electrical', managerId: mia });
  bea = await f.user({ name: 'Bea Batch', email: 'bea@example.com', company: 'Northwind Builders', managerId: mia });
  quinn = await f.user({ name: QUINN, email: 'quinn@example.com', company: 'Northwind Builders' });
  rosa = await f.user({ name: 'Rosa Rivera', email: 'rosa@example.com', company: 'Apex Electrical' });
  tower = await f.project('Harbor View Tower');
  garage = await f.project('Riverside Garage');
  for (const u of [quinn, rosa, bea]) {
    await f.member(tower, u);
    await f.member(garage, u);
  }
  await s.h.t.db.execute(
    sql`insert into observations (project_id, number, title, status, assignee_id) values (${tower}, 'OBS-101', ${EVIL}, 'initiated', ${quinn})`,
  );
  await s.h.t.db.execute(
    sql`insert into defect_items (project_id, number, title, status, assigned_to_id) values (${garage}, 'PL-7', ${'Ceiling tile, "stained"'}, 'work_required', ${quinn})`,
  );
  await f.rfi({ projectId: tower, managerId: rosa });
  await f.submittal({ projectId: garage, approvers: [{ userId: rosa }] });
  await f.inspection({ projectId: garage, pocId: rosa });
  await s.h.t.db.execute(sql`insert into defect_items (project_id, number, title, status, assigned_to_id) values (${tower}, 'PL-8', '+1 dial tone', 'work_required', ${bea})`);
  // Liam is inactivated by a real offboarding (nothing open); Bea by a batch, as its rows record it.
  await s.offboard(liam, ada, { reason: 'End of contract' });
  expect((await waitForUserStatus(s.env.client, liam, (st) => st.result !== null)).result?.outcome).toBe('inactivated');
  const at = new Date('2026-11-02T09:30:00Z');
  await s.h.t.db.insert(offboardings).values({
    userId: bea,
    batchId: BATCH,
    workflowId: `offboarding-user-${bea}`,
    requestedBy: ada,
    startedAt: new Date('2026-10-30T08:00:00Z'),
    endedAt: at,
    outcome: 'inactivated',
  });
  await s.h.t.db
    .update(users)
    .set({ status: 'inactive', inactivatedAt: at, inactivatedBy: ada, inactivationReason: 'Project ended', inactivationWorkflowId: `offboarding-user-${bea}` })
    .where(eq(users.id, bea));
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const db = () => s.h.t.db;

/** Everything a refused action could have changed: the directory, the claims, items, the audit log (a reactivation writes one). */
async function snapshot(): Promise<string> {
  const rows: Record<string, unknown> = {};
  for (const t of ['users', 'offboardings', 'observations', 'defect_items', 'rfis']) rows[t] = await db().execute(sql.raw(`select * from ${t} order by 1`));
  rows.audit = (await db().select().from(auditLog).where(ne(auditLog.entityType, 'notification'))).length;
  return JSON.stringify(rows);
}

async function unchanged<T>(act: () => Promise<T>): Promise<T> {
  const before = await snapshot();
  const result = await act();
  expect(await snapshot()).toBe(before);
  return result;
}

/** Signed in as `userId` through a sign-in token. */
const signedIn = (userId: number, options: { javaScript?: boolean } = {}) => signedInContext(browser, { db: db(), url: s.url }, userId, options);

const post = (page: Page, path: string, form: Record<string, string>) => postForm(page, s.url, path, form);
const banner = async (page: Page) => (await page.locator('#banner').textContent())?.trim() ?? '';
const status = async (userId: number) => (await db().select({ status: users.status }).from(users).where(eq(users.id, userId)))[0]?.status;

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page), `axe on ${page.url()}`).toEqual([]);
}

/** The report query's rows for a filter, all of them (what the CSV must equal). */
async function reportRows(filter: ReportFilter = {}): Promise<ReportRow[]> {
  const out: ReportRow[] = [];
  for await (const rows of assignmentReportRows(db(), filter)) out.push(...rows);
  return out;
}

/** A report row as a spreadsheet must read it: text, and a formula-looking text cell behind an apostrophe. */
const expectedCells = (r: ReportRow) =>
  [r.userId, r.userName, r.userStatus, TOOL_LABELS[r.tool], r.projectId, r.projectName, r.number, r.title, ROLE_LABELS[r.role], itemStatusWords(r.status), r.key].map((v) =>
    v === null ? '' : typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v),
  );

describe('Inactive users: reactivate (scenario 5)', () => {
  it('lists when, by whom, why and from which batch; axe finds nothing serious', async () => {
    const { context, page } = await signedIn(ada);
    await page.getByRole('link', { name: 'Inactive users' }).click();
    await page.waitForURL(`${s.url}/hr/inactive`);
    const liamRow = page.locator(`tr#user-${liam}`);
    const beaRow = page.locator(`tr#user-${bea}`);
    expect(await liamRow.textContent()).toContain('End of contract');
    expect(await liamRow.textContent()).toContain('by Ada Admin');
    expect(await liamRow.locator('td.batch').textContent()).toBe('none');
    const [liamRowDb] = await db().select().from(users).where(eq(users.id, liam));
    expect(await liamRow.textContent()).toContain(`${liamRowDb!.inactivatedAt!.getUTCFullYear()}`);
    expect(await beaRow.textContent()).toContain('2 Nov 2026, 09:30 UTC');
    expect(await beaRow.textContent()).toContain('Project ended');
    expect(await beaRow.getByRole('link', { name: BATCH }).getAttribute('href')).toBe(`/hr/batches/${BATCH}`);
    await expectAccessible(page);
    await screenshot(page, 'web-hr-inactive');
    await context.close();
  });

  it('with JavaScript off: Reactivate with a reason makes the user active and completes the reactivation workflow', async () => {
    const { context, page } = await signedIn(ada, { javaScript: false });
    await page.goto(`${s.url}/hr/inactive`);
    const row = page.locator(`tr#user-${liam}`);
    // The reason field has a label one can see (not only a placeholder), tied to the field.
    const label = row.locator('label', { hasText: 'Reason to reactivate' });
    expect(await label.isVisible()).toBe(true);
    expect(await label.getAttribute('for')).toBe(await row.getByRole('textbox').getAttribute('id'));
    await row.getByRole('textbox', { name: 'Reason to reactivate Liam Leaving', exact: true }).fill('Contract renewed');
    await row.getByRole('button', { name: 'Reactivate Liam Leaving' }).click();
    await page.waitForURL(`${s.url}/hr/inactive?page=1`);
    expect(await banner(page)).toContain('Liam Leaving is active again');
    expect(await page.locator('#banner').getAttribute('class')).toContain('ok');
    expect(await page.locator(`tr#user-${liam}`).count()).toBe(0);
    // The database: active, the inactivation fields cleared, the reactivation audited as Ada's.
    const [row2] = await db().select().from(users).where(eq(users.id, liam));
    expect(row2).toMatchObject({ status: 'active', inactivatedAt: null, inactivatedBy: null, inactivationReason: null });
    const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.action, 'user.reactivated'), eq(auditLog.subjectUserId, liam)));
    expect(audit?.actorId).toBe(ada);
    expect((audit?.after as { reason: string }).reason).toBe('Contract renewed');
    expect(audit?.requestId).toMatch(new RegExp(`^web:${ada}:[0-9a-f-]{36}$`));
    // The workflow: started by the web; it completes once the notice is sent (the page answered as
    // soon as the reactivation was recorded).
    const handle = s.env.client.workflow.getHandle(audit!.workflowId!);
    expect(audit!.workflowId).toMatch(new RegExp(`^reactivation-user-${liam}-`));
    expect(await handle.result()).toMatchObject({ userId: liam });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    await expect.poll(() => mailsAbout(s.h.sink, liam, 'reactivated').length, { timeout: budget(15_000) }).toBeGreaterThanOrEqual(1);
    // The banner was shown once.
    await page.reload();
    expect(await page.locator('#banner').count()).toBe(0);
    await context.close();
  });

  it('a double submit of Reactivate reactivates once, and both answers are green', async () => {
    await db()
      .update(users)
      .set({ status: 'inactive', inactivatedAt: new Date(), inactivatedBy: ada, inactivationReason: 'again' })
      .where(eq(users.id, liam));
    const { context, page } = await signedIn(ada);
    await page.goto(`${s.url}/hr/inactive`);
    const form = { _csrf: await csrfOf(page), reason: 'Back for the winter', requestId: crypto.randomUUID(), page: '1' };
    const [a, b] = await Promise.all([post(page, `/hr/inactive/${liam}/reactivate`, form), post(page, `/hr/inactive/${liam}/reactivate`, form)]);
    expect([a.status(), b.status()]).toEqual([303, 303]);
    expect(await status(liam)).toBe('active');
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.action, 'user.reactivated'), eq(auditLog.requestId, `web:${ada}:${form.requestId}`)));
    expect(audits).toHaveLength(1);
    // Sent again after both answered: the first one's answer, not "already active".
    expect((await post(page, `/hr/inactive/${liam}/reactivate`, form)).status()).toBe(303);
    await page.goto(`${s.url}/hr/inactive`);
    expect(await banner(page)).toContain('Liam Leaving is active again');
    await context.close();
  });

  it('a non-admin is refused the pages, and a crafted POST with a valid session and CSRF token: 403, nothing changed', async () => {
    const { context, page } = await signedIn(mia);
    // The menu does not offer HR's pages, and opening them says why.
    expect(await page.getByRole('link', { name: 'Inactive users' }).count()).toBe(0);
    for (const path of ['/hr/inactive', '/hr/report', '/hr/report.csv']) {
      const r = await page.goto(`${s.url}${path}`);
      expect(r?.status(), path).toBe(403);
      expect(await page.locator('h1').textContent()).toContain('Only for company directory admins');
    }
    const token = await csrfOf(page);
    expect(token).not.toBe('');
    const r = await unchanged(() => post(page, `/hr/inactive/${bea}/reactivate`, { _csrf: token, reason: 'I want her back', requestId: crypto.randomUUID(), page: '1' }));
    expect(r.status()).toBe(403);
    expect(await status(bea)).toBe('inactive');
    // Sent to the workflow directly (past the web's gate), the activity refuses Mia too.
    const direct = await unchanged(() =>
      reactivateUser({ db: () => Promise.resolve(db()), temporal: () => Promise.resolve(s.env.client), taskQueue: s.taskQueue }, mia, { id: bea, name: 'Bea Batch', status: 'inactive' }, 'I want her back').catch(
        (e: unknown) => e,
      ),
    );
    expect(refusalOf(direct)?.code).toBe('PERMISSION_DENIED');
    expect(await status(bea)).toBe('inactive');
    await context.close();
  });
});

describe('Inactive users: bad input (docs/bad-input.md rows), each changing nothing', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ({ context, page } = await signedIn(ada));
    await page.goto(`${s.url}/hr/inactive`);
  });
  afterAll(async () => {
    await context?.close();
  });

  const refusedWith = async (path: string, form: Record<string, string>, code: string, words: RegExp) => {
    const r = await unchanged(() => post(page, path, { _csrf: '', ...form }));
    expect(r.status()).toBe(303);
    expect(r.headers().location).toBe('/hr/inactive?page=1');
    await page.goto(`${s.url}/hr/inactive`);
    const text = await banner(page);
    expect(await page.locator('#banner').getAttribute('class')).toContain('error');
    expect(text).toContain(`(${code})`);
    expect(text).toMatch(words);
  };

  it('reactivate without a reason (the form requires one; a crafted POST): INVALID_INPUT', async () => {
    const token = await csrfOf(page);
    expect(await page.locator(`tr#user-${bea} input[name="reason"]`).getAttribute('required')).not.toBeNull();
    await refusedWith(`/hr/inactive/${bea}/reactivate`, { _csrf: token, reason: '   ', requestId: crypto.randomUUID(), page: '1' }, 'INVALID_INPUT', /Give a reason for reactivating Bea Batch/);
    expect(await status(bea)).toBe('inactive');
  });

  it('reactivate an unknown or tampered user ID: USER_NOT_FOUND', async () => {
    const token = await csrfOf(page);
    await refusedWith(`/hr/inactive/999999/reactivate`, { _csrf: token, reason: 'back', requestId: crypto.randomUUID(), page: '1' }, 'USER_NOT_FOUND', /no user “999999”/);
    await refusedWith(`/hr/inactive/${bea}x/reactivate`, { _csrf: token, reason: 'back', requestId: crypto.randomUUID(), page: '1' }, 'USER_NOT_FOUND', /no user/);
    await refusedWith(`/hr/inactive/0x${bea.toString(16)}/reactivate`, { _csrf: token, reason: 'back', requestId: crypto.randomUUID(), page: 'abc' }, 'USER_NOT_FOUND', /no user/);
    expect(await status(bea)).toBe('inactive');
  });

  it('reactivate someone already active: USER_ALREADY_ACTIVE', async () => {
    const token = await csrfOf(page);
    await refusedWith(`/hr/inactive/${rosa}/reactivate`, { _csrf: token, reason: 'back', requestId: crypto.randomUUID(), page: '1' }, 'USER_ALREADY_ACTIVE', /Rosa Rivera .* is already active/);
  });

  it('a reason with a control character or over 500 characters: INVALID_INPUT', async () => {
    const token = await csrfOf(page);
    await refusedWith(`/hr/inactive/${bea}/reactivate`, { _csrf: token, reason: 'back\u001b[31m', requestId: crypto.randomUUID(), page: '1' }, 'INVALID_INPUT', /control character U\+001B/);
    await refusedWith(`/hr/inactive/${bea}/reactivate`, { _csrf: token, reason: 'x'.repeat(501), requestId: crypto.randomUUID(), page: '1' }, 'INVALID_INPUT', /at most 500/);
  });

  it('pages of 50, newest first', async () => {
    await db().execute(sql`insert into users (name, email, company, status, inactivated_at, inactivation_reason)
      select 'Paged ' || lpad(g::text, 2, '0'), 'paged' || g || '@example.com', 'Acme', 'inactive', now() - (g || ' hours')::interval, 'paging'
        from generate_series(1, 55) g`);
    await page.goto(`${s.url}/hr/inactive`);
    expect(await page.locator('table.inactive tbody tr').count()).toBe(50);
    expect(await page.locator('table.inactive tbody tr').first().textContent()).toContain('Paged 01');
    await page.getByRole('link', { name: 'Next' }).click();
    expect(await page.locator('table.inactive tbody tr').count()).toBe(6); // 55 + Bea = 56
    expect(await page.locator('main').textContent()).toContain('Page 2 of 2');
    expect(await page.locator(`tr#user-${bea}`).count()).toBe(1);
    await db().execute(sql`update users set status = 'active', inactivated_at = null, inactivation_reason = null where email like 'paged%@example.com'`);
  });
});

describe('the Assignment Report (scenario 6)', () => {
  it('shows open items by user, tool and project with filters and paging; axe finds nothing serious', async () => {
    const { context, page } = await signedIn(ada);
    await page.getByRole('link', { name: 'Assignment Report' }).click();
    await page.waitForURL(`${s.url}/hr/report`);
    const all = await reportRows();
    expect(await page.locator('main').textContent()).toContain(`${all.length} open items`);
    expect(await page.locator('table.report tbody tr').count()).toBe(all.length);
    // The formula is shown as the text it is, escaped like every name.
    expect(await page.locator('table.report').textContent()).toContain(EVIL);
    expect(await page.locator('table.report').textContent()).toContain('Bea Batch (inactive)');
    await expectAccessible(page);
    await screenshot(page, 'web-hr-report');
    // Filters, as a person uses them.
    await page.getByLabel('Tool').selectOption({ label: TOOL_LABELS.defect });
    await page.getByLabel('Project').selectOption({ label: 'Riverside Garage' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/tool=defect/);
    const filtered = await reportRows({ tool: 'defect', projectId: garage });
    expect(filtered).toHaveLength(1);
    expect(await page.locator('table.report tbody tr').count()).toBe(1);
    expect(await page.locator('table.report').textContent()).toContain('PL-7');
    await page.getByLabel('User').fill('rosa@example.com');
    await page.getByLabel('Tool').selectOption({ value: '' });
    await page.getByLabel('Project').selectOption({ value: '' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/user=rosa/);
    expect(await page.locator('main').textContent()).toContain('3 open items of Rosa Rivera');
    await expectAccessible(page);
    await context.close();
  });

  it('pages of 100 rows on screen', async () => {
    await db().execute(sql`insert into observations (project_id, number, title, status, assignee_id)
      select ${tower}, 'OBS-P' || g, 'Paged observation ' || g, 'initiated', ${rosa} from generate_series(1, 150) g`);
    try {
      const { context, page } = await signedIn(ada, { javaScript: false });
      await page.goto(`${s.url}/hr/report?user=${rosa}`);
      expect(await page.locator('table.report tbody tr').count()).toBe(100);
      expect(await page.locator('main').textContent()).toContain('Page 1 of 2');
      await page.getByRole('link', { name: 'Next' }).click();
      expect(page.url()).toContain(`user=${rosa}`);
      expect(await page.locator('table.report tbody tr').count()).toBe(53);
      const onScreen = await page.locator('table.report tbody tr td:nth-child(4)').allTextContents();
      const expected = (await reportRows({ userId: rosa })).slice(100);
      expect(onScreen.map((t) => t.split(' · ')[0])).toEqual(expected.map((r) => r.number));
      await context.close();
    } finally {
      await db().execute(sql`update observations set status = 'closed' where number like 'OBS-P%'`);
    }
  });

  it('Download CSV through the browser: RFC 4180, the rows of the report query, formulas neutralised, names round-trip', async () => {
    const { context, page } = await signedIn(ada);
    await page.goto(`${s.url}/hr/report`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const today = new Date().toISOString().slice(0, 10);
    expect(download.suggestedFilename()).toBe(`assignment-report-${today}.csv`);
    const file = fs.readFileSync(await download.path(), 'utf8');
    // A byte-order mark first, so that Excel reads the names as UTF-8.
    expect(file.startsWith('\uFEFF')).toBe(true);
    const text = file.slice(1);
    // CRLF after every record; the line break inside Quinn's name stays a bare LF inside quotes.
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[0]).toBe(REPORT_CSV_HEADER.join(','));
    const records = parse(text, { record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false });
    expect(records[0]).toEqual(REPORT_CSV_HEADER);
    const all = await reportRows();
    expect(all.length).toBeGreaterThan(5);
    expect(records.slice(1)).toEqual(all.map(expectedCells));
    const evil = records.find((r) => r[7]?.includes('HYPERLINK'));
    expect(evil?.[7]).toBe(`'${EVIL}`);
    expect(records.find((r) => r[6] === 'PL-8')?.[7]).toBe(`'+1 dial tone`);
    expect(records.filter((r) => r[1] === QUINN)).toHaveLength(2);
    expect(records.find((r) => r[6] === 'PL-7')?.[7]).toBe('Ceiling tile, "stained"');
    // Words, as on the page, not the tools' codes: HR reads the file in a spreadsheet.
    expect(records.find((r) => r[6] === 'PL-7')?.[9]).toBe('work required');
    expect(records.slice(1).filter((r) => /_/.test(r[9] ?? ''))).toEqual([]);
    expect(await page.locator('table.report').textContent()).toContain('work required');
    // The headers, and no Content-Length: the body is streamed.
    const r = await page.request.get(`${s.url}/hr/report.csv?tool=observation`);
    expect(r.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers()['content-disposition']).toBe(`attachment; filename="assignment-report-${today}.csv"`);
    expect(r.headers()['content-length']).toBeUndefined();
    expect(r.headers()['transfer-encoding']).toBe('chunked');
    const observations = parse(await r.text(), { record_delimiter: '\r\n', bom: true });
    expect(observations.slice(1)).toEqual((await reportRows({ tool: 'observation' })).map(expectedCells));
    await context.close();
  });

  it('a filtered download with JavaScript off carries the same filters', async () => {
    const { context, page } = await signedIn(ada, { javaScript: false });
    await page.goto(`${s.url}/hr/report?user=${quinn}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const records = parse(fs.readFileSync(await download.path(), 'utf8'), { record_delimiter: '\r\n', bom: true });
    expect(records.slice(1)).toEqual((await reportRows({ userId: quinn })).map(expectedCells));
    expect(records.slice(1).map((r) => r[1])).toEqual([QUINN, QUINN]);
    await context.close();
  });
});

describe('Assignment Report: bad filters (docs/bad-input.md rows) answer 400 with the reason and no rows', () => {
  it.each([
    ['a malformed tool', 'tool=spreadsheet', /“spreadsheet” is not a tool/],
    ['a malformed project', 'project=1%3B drop table users', /is not a project ID/],
    ['an unknown project', 'project=999999', /No project has the ID 999999/],
    ['a malformed user', 'user=0x0A', /"0x0A" is not a user ID \(digits, like 42\) or an email address/],
    ['an unknown user', 'user=nobody@example.com', /No user has the ID or email "nobody@example.com"/],
  ])('%s', async (_what, q, words) => {
    const { context, page } = await signedIn(ada);
    await unchanged(async () => {
      const r = await page.goto(`${s.url}/hr/report?${q}`);
      expect(r?.status()).toBe(400);
      expect(await page.locator('#filter-problem').textContent()).toMatch(words);
      expect(await page.locator('table').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Download CSV' }).count()).toBe(0);
      const csv = await page.request.get(`${s.url}/hr/report.csv?${q}`);
      expect(csv.status()).toBe(400);
      expect(csv.headers()['content-type']).toContain('text/plain');
      expect(await csv.text()).toMatch(words);
    });
    await context.close();
  });
});
