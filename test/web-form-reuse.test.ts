// A form's nonce (requestId) is bound to what the form does, in a real browser against the real
// stack: posted again for another item, another person or another kind of action it is refused
// ("This form was already used — reload the page") and nothing changes — the directory's rows, the
// audit log and the workflow's state; the same form again stays one change with the same banner.
import { eq, ne, sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_ALREADY_USED } from '../client/web/form-uses';
import { auditLog } from '../db/schema';
import { userStatusQuery, userWorkflowId } from '../workflows/contract';
import { csrfOf, launchBrowser, postForm, signedInContext } from './helpers/browser';
import { startWebStack, type WebStack } from './helpers/web-stack';
import { waitForUserStatus } from './helpers/workflow-harness';

let s: WebStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let uma: number, sam: number, tia: number;
let obs1: string, obs2: string;

beforeAll(async () => {
  [s, browser] = await Promise.all([startWebStack(), launchBrowser()]);
  const f = s.h.fx;
  const admin = await f.admin({ name: 'Ada Admin', email: 'ada@example.com' });
  const mia = await f.user({ name: 'Mia Manager', email: 'mia@example.com' });
  uma = await f.user({ name: 'Uma Leaving', email: 'uma@example.com', managerId: mia });
  sam = await f.user({ name: 'Sam Staying', email: 'sam@example.com' });
  tia = await f.user({ name: 'Tia Staying', email: 'tia@example.com' });
  const p = await f.project('Harbor Tower');
  for (const u of [uma, sam, tia, mia]) await f.member(p, u);
  obs1 = `observation:${await f.observation({ projectId: p, assigneeId: uma })}:assignee`;
  obs2 = `observation:${await f.observation({ projectId: p, assigneeId: uma })}:assignee`;
  await f.observation({ projectId: p, assigneeId: uma });
  await s.offboard(uma, admin);
  await waitForUserStatus(s.env.client, uma, (st) => st.stage === 'awaiting-reassignment');
  ({ context, page } = await signedInContext(browser, { db: s.h.t.db, url: s.url }, mia));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await s?.close();
});

const db = () => s.h.t.db;

/** Everything an action could change: the items, the claims, the audit log (not emails), the workflow. */
async function snapshot(): Promise<string> {
  const rows: Record<string, unknown> = {};
  for (const t of ['users', 'observations', 'offboardings']) rows[t] = await db().execute(sql.raw(`select * from ${t} order by 1`));
  rows.audit = (await db().select().from(auditLog).where(ne(auditLog.entityType, 'notification'))).length;
  const st = await s.env.client.workflow.getHandle(userWorkflowId(uma)).query(userStatusQuery);
  rows.workflow = { stage: st.stage, pending: st.pendingItems.map((i) => i.key), resolutions: st.resolutions.length };
  const history = await s.env.client.workflow.getHandle(userWorkflowId(uma)).fetchHistory();
  rows.updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
  return JSON.stringify(rows);
}

/** Posts a form of Uma's page and returns the banner the page then shows. */
async function submit(path: string, form: Record<string, string>): Promise<string> {
  await page.goto(`${s.url}/people/${uma}`);
  const r = await postForm(page, s.url, `/people/${uma}${path}`, { ...form, _csrf: await csrfOf(page) });
  expect(r.status()).toBe(303);
  await page.goto(`${s.url}/people/${uma}`);
  return (await page.locator('#banner').textContent())?.trim() ?? '';
}

describe('a form’s request ID', () => {
  const requestId = crypto.randomUUID();
  let first = '';
  const reassigned = async (itemKey: string) =>
    (await db().select().from(auditLog).where(eq(auditLog.action, 'item.reassigned'))).filter((r) => (r.after as { itemKey?: string }).itemKey === itemKey);

  it('does its action once', async () => {
    first = await submit('/reassign', { itemKey: obs1, toUserId: String(sam), requestId });
    expect(first).toMatch(/reassigned to Sam Staying/);
  });

  const reuses: [string, string, () => Record<string, string>][] = [
    ['another item', '/reassign', () => ({ itemKey: obs2, toUserId: String(sam), requestId })],
    ['another person taking over', '/reassign', () => ({ itemKey: obs1, toUserId: String(tia), requestId })],
    ['another kind (close)', '/close', () => ({ itemKey: obs2, note: '', requestId })],
    ['another kind (check again)', '/recheck', () => ({ requestId })],
    ['another kind (hand everything over)', '/hand-over-all', () => ({ toUserId: String(tia), requestId })],
  ];
  for (const [name, path, form] of reuses) {
    it(`is refused for ${name}, and nothing changes`, async () => {
      const before = await snapshot();
      expect(await submit(path, form())).toBe(`✖ ${FORM_ALREADY_USED} (FORM_ALREADY_USED)`);
      expect(await snapshot()).toBe(before);
    });
  }

  it('sent again with the same action: the same banner, still one change', async () => {
    const before = await snapshot();
    expect(await submit('/reassign', { itemKey: obs1, toUserId: String(sam), requestId })).toBe(first);
    expect(await snapshot()).toBe(before);
    expect(await reassigned(obs1)).toHaveLength(1);
    expect(await reassigned(obs2)).toHaveLength(0);
  });
});

describe('HR’s forms’ request IDs', () => {
  let hr: { context: BrowserContext; page: Page };
  let ivy: number, ian: number;
  beforeAll(async () => {
    const f = s.h.fx;
    const ada = await f.admin({ name: 'Hana HR', email: 'hana@example.com' });
    const gone = { status: 'inactive' as const, inactivatedAt: new Date(), inactivatedBy: ada, inactivationReason: 'Project ended' };
    ivy = await f.user({ name: 'Ivy Inactive', email: 'ivy@example.com', ...gone });
    ian = await f.user({ name: 'Ian Inactive', email: 'ian@example.com', ...gone });
    hr = await signedInContext(browser, { db: s.h.t.db, url: s.url }, ada);
  });
  afterAll(async () => {
    await hr?.context.close();
  });

  const statusOf = async (id: number) => (await db().execute<{ status: string }>(sql`select status from users where id = ${id}`))[0]?.status;

  it('Reactivate: another person with a used request ID is refused and stays inactive; the same again acts once', async () => {
    const requestId = crypto.randomUUID();
    const reactivate = async (id: number) => {
      await hr.page.goto(`${s.url}/hr/inactive`);
      const r = await postForm(hr.page, s.url, `/hr/inactive/${id}/reactivate`, { requestId, reason: 'Back on the project', _csrf: await csrfOf(hr.page) });
      expect(r.status()).toBe(303);
      await hr.page.goto(`${s.url}${r.headers().location ?? '/hr/inactive'}`);
      return (await hr.page.locator('#banner').textContent())?.trim() ?? '';
    };
    expect(await reactivate(ivy)).toMatch(/Ivy Inactive is active again/);
    const audit = (await db().select().from(auditLog).where(eq(auditLog.action, 'user.reactivated'))).length;
    expect(await reactivate(ian)).toBe(`✖ ${FORM_ALREADY_USED} (FORM_ALREADY_USED)`);
    expect(await statusOf(ian)).toBe('inactive');
    expect(await reactivate(ivy)).toMatch(/Ivy Inactive is active again/);
    expect((await db().select().from(auditLog).where(eq(auditLog.action, 'user.reactivated'))).length).toBe(audit);
    expect(await statusOf(ivy)).toBe('active');
  });
});
