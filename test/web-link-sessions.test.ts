// Sessions opened from an action link, in a real browser against the real stack: bound to the
// offboarding the link was for (they end with it, and a new offboarding of the same person does not
// revive them), and capped per link. Each refusal proves nothing changed: the session rows, the
// audit log and the workflow's history (docs/bad-input.md).
import { eq, ne, sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_LINK_MAX_SESSIONS } from '../client/web/action-link-uses';
import { sha256 } from '../client/web/keys';
import { auditLog, offboardings, webActionLinkUses, webSessions } from '../db/schema';
import { signActionLink } from '../domain/action-links';
import { stopSignal, userWorkflowId } from '../workflows/contract';
import { csrfOf, launchBrowser, newContext, postForm } from './helpers/browser';
import { startWebStack, WEB_TEST_SECRET, type WebStack } from './helpers/web-stack';
import { waitForUserStatus } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';

let s: WebStack;
let browser: Browser;
let admin: number, mia: number, uma: number, leo: number;

beforeAll(async () => {
  [s, browser] = await Promise.all([startWebStack(), launchBrowser()]);
  const f = s.h.fx;
  admin = await f.admin({ name: 'Ada Admin', email: 'ada@example.com' });
  mia = await f.user({ name: 'Mia Manager', email: 'mia@example.com' });
  uma = await f.user({ name: 'Uma Leaving', email: 'uma@example.com', managerId: mia });
  leo = await f.user({ name: 'Leo Leaving', email: 'leo@example.com', managerId: mia });
  const p = await f.project('Harbor Tower');
  for (const u of [uma, leo, mia]) await f.member(p, u);
  for (const u of [uma, leo]) await f.observation({ projectId: p, assigneeId: u });
  await Promise.all([s.offboard(uma, admin), s.offboard(leo, admin)]);
  for (const u of [uma, leo]) await waitForUserStatus(s.env.client, u, (st) => st.stage === 'awaiting-reassignment');
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const db = () => s.h.t.db;
const openClaim = async (userId: number) =>
  (await db().select().from(offboardings).where(eq(offboardings.userId, userId))).find((o) => o.endedAt === null)!;
const linkFor = (userId: number, offboardingId: number) =>
  signActionLink(WEB_TEST_SECRET, { recipientId: mia, userId, offboardingId, purpose: 'manage-items', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
/** How many updates the workflow's current run accepted: a refused request sends none. */
async function updatesAccepted(userId: number): Promise<number> {
  const history = await s.env.client.workflow.getHandle(userWorkflowId(userId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('a session from an action link', () => {
  it('ends with its offboarding, and a new offboarding of the same person does not revive it', async () => {
    const token = linkFor(uma, (await openClaim(uma)).id);
    // Two browsers continue from the link: one will post, the other look.
    const opened = [];
    for (let i = 0; i < 2; i++) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(`${s.url}/link?t=${token}`);
      await page.getByRole('button', { name: 'Continue as Mia Manager' }).click();
      await page.waitForURL(`${s.url}/people/${uma}`);
      opened.push({ context, page, csrf: await csrfOf(page) });
    }
    const linkSessions = await db().select().from(webSessions).where(eq(webSessions.via, 'action-link'));
    expect(linkSessions.map((r) => r.scopeUserId)).toEqual([uma, uma]);

    // Uma is removed from the offboarding, then offboarded again (the workflow ID is the same).
    const first = s.env.client.workflow.getHandle(userWorkflowId(uma));
    await first.signal(stopSignal, { kind: 'removed', by: admin });
    await first.result();
    await expect.poll(async () => (await db().select().from(offboardings).where(eq(offboardings.userId, uma)))[0]?.endedAt, { timeout: budget(30_000) }).not.toBeNull();
    await s.offboard(uma, admin);
    await waitForUserStatus(s.env.client, uma, (st) => st.stage === 'awaiting-reassignment');

    // Not the emails: the new offboarding's notice to the manager may be recorded meanwhile.
    const changes = async () => (await db().select().from(auditLog).where(ne(auditLog.entityType, 'notification'))).length;
    const audits = await changes();
    const accepted = await updatesAccepted(uma);
    // "Check again" from the page the first session had open: refused, nothing sent to the new offboarding.
    const [a, b] = opened;
    const res = await postForm(a!.page, s.url, `/people/${uma}/recheck`, { requestId: crypto.randomUUID(), _csrf: a!.csrf });
    expect(res.status()).toBe(403);
    expect(await updatesAccepted(uma)).toBe(accepted);
    expect(await changes()).toBe(audits);
    // The second one's page says why the session ended.
    await b!.page.goto(`${s.url}/people/${uma}`);
    await b!.page.waitForURL(`${s.url}/signin?ended=offboarding-ended`);
    expect(await b!.page.locator('#banner').textContent()).toContain('the offboarding the link was for has ended');
    expect(await db().select().from(webSessions).where(eq(webSessions.via, 'action-link'))).toEqual([]);
    for (const o of opened) await o.context.close();
  });

  it(`one link opens ${ACTION_LINK_MAX_SESSIONS} sessions at most; the next press is refused (429) and opens none`, async () => {
    const token = linkFor(leo, (await openClaim(leo)).id);
    const statuses: number[] = [];
    const press = async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(`${s.url}/link?t=${token}`);
      const r = await postForm(page, s.url, '/link', { t: token, _csrf: await csrfOf(page) });
      statuses.push(r.status());
      const body = await r.text();
      await context.close();
      return body;
    };
    for (let i = 0; i < ACTION_LINK_MAX_SESSIONS; i++) await press();
    const linkSessions = sql`${webSessions.via} = 'action-link' and ${webSessions.scopeUserId} = ${leo}`;
    const before = await db().select().from(webSessions).where(linkSessions);
    const last = await press();
    expect(statuses).toEqual([...Array<number>(ACTION_LINK_MAX_SESSIONS).fill(303), 429]);
    expect(last).toContain('This link has been used up');
    expect(await db().select().from(webSessions).where(linkSessions)).toEqual(before);
    expect(before).toHaveLength(ACTION_LINK_MAX_SESSIONS);
    const [uses] = await db().select().from(webActionLinkUses).where(eq(webActionLinkUses.linkHash, sha256(token)));
    expect(uses?.uses).toBe(ACTION_LINK_MAX_SESSIONS);
  });
});
