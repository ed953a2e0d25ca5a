// The team link of a batch's digest (issue 25), in a real browser against the real stack (a Temporal
// dev server, a worker with the real activities, PostgreSQL, an SMTP sink): one signed link per
// manager and batch opens "People leaving your team" for that batch; from there the manager acts on
// each of their people in it, and on nobody else. Each refusal proves nothing changed: the session
// rows, the items, the audit log and the workflows' accepted updates (docs/bad-input.md, rows 191–198).
import { and, eq, isNotNull, ne } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import { ACTION_LINK_MAX_SESSIONS } from '../client/web/action-link-uses';
import { sha256 } from '../client/web/keys';
import { auditLog, observations, offboardings, webActionLinkUses, webSessions } from '../db/schema';
import { signActionLink } from '../domain/action-links';
import { scanOpenItems } from '../domain/open-items';
import { signTeamLink, verifyTeamLink } from '../domain/team-links';
import { purgeExpiredWebRows } from '../domain/web-housekeeping';
import { batchWorkflowId, cancelBatchUpdate, userStatusQuery, userWorkflowId } from '../workflows/contract';
import { csrfOf, launchBrowser, newContext, postForm } from './helpers/browser';
import type { ReceivedMessage } from './helpers/smtp-sink';
import { budget } from './helpers/time-budget';
import { waitForValue } from './helpers/wait-until';
import { startWebStack, WEB_TEST_SECRET, type WebStack } from './helpers/web-stack';
import { policy, waitForUserStatus } from './helpers/workflow-harness';

let s: WebStack;
let browser: Browser;
let admin: number, mia: number, omar: number, sofia: number;
/** Mia's two people in the batch, Omar's one, and Mia's one offboarded outside the batch. */
let uma: number, leo: number, ola: number, pia: number;
const batchId = `team-${process.pid}`;

beforeAll(async () => {
  [s, browser] = await Promise.all([startWebStack(), launchBrowser()]);
  const f = s.h.fx;
  admin = await f.admin({ name: 'Ada Admin', email: 'ada@example.com' });
  mia = await f.user({ name: 'Mia Manager', email: 'mia@example.com' });
  omar = await f.user({ name: 'Omar Other', email: 'omar@example.com' });
  sofia = await f.user({ name: 'Sofia Successor', email: 'sofia@example.com' });
  uma = await f.user({ name: 'Uma <b>Leaving</b>', email: 'uma@example.com', managerId: mia });
  leo = await f.user({ name: 'Leo Leaving', email: 'leo@example.com', managerId: mia });
  ola = await f.user({ name: 'Ola Elsewhere', email: 'ola@example.com', managerId: omar });
  pia = await f.user({ name: 'Pia Apart', email: 'pia@example.com', managerId: mia });
  const p = await f.project('Harbor Tower');
  for (const u of [uma, leo, ola, pia, sofia]) await f.member(p, u);
  // Uma has two items, so one handed over leaves her waiting (and the batch running).
  for (const u of [uma, uma, leo, ola, pia]) await f.observation({ projectId: p, assigneeId: u });
  await startBatchWorkflow(s.env.client, s.taskQueue, { batchId, userIds: [uma, leo, ola], requestedBy: admin, reason: 'restructuring', effectiveAt: null, successors: {}, policy: policy() });
  await s.offboard(pia, admin);
  for (const u of [uma, leo, ola, pia]) await waitForUserStatus(s.env.client, u, (st) => st.stage === 'awaiting-reassignment');
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const db = () => s.h.t.db;
const kindOf = (m: ReceivedMessage) => m.parsed.headers.get('x-offboarding-kind');
const TEAM_LINK = /(http:\/\/127\.0\.0\.1:\d+\/team-link\?t=[A-Za-z0-9_.-]+)/g;

/** The "Action needed" digest the manager received for the batch. */
async function digestTo(email: string): Promise<ReceivedMessage> {
  const m = await waitForValue(
    `an action-needed digest to ${email}`,
    async () => s.h.sink.messages.find((x) => kindOf(x) === 'action-needed-digest' && x.envelope.to.includes(email)),
    (found) => found !== undefined,
    budget(60_000),
  );
  return m!;
}
const teamLinkOf = async (email: string) => [...((await digestTo(email)).parsed.text ?? '').matchAll(TEAM_LINK)].map((x) => x[1]!)[0]!;
const tokenOf = (url: string) => new URL(url).searchParams.get('t') ?? '';

/** How many updates a workflow's current run accepted: a refused request sends none. */
async function updatesAccepted(userId: number): Promise<number> {
  const history = await s.env.client.workflow.getHandle(userWorkflowId(userId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}
/** Everything a refusal must leave as it was. */
async function snapshot() {
  return {
    sessions: (await db().select().from(webSessions)).map((r) => ({ ...r, lastSeenAt: null, flash: null })),
    audit: (await db().select().from(auditLog).where(ne(auditLog.entityType, 'notification'))).length,
    items: await db().select().from(observations).orderBy(observations.id),
    updates: await Promise.all([uma, leo, ola, pia].map(updatesAccepted)),
  };
}

/** A fresh browser that pressed "Continue as Mia Manager" on the link and landed on the list. */
async function continueFrom(link: string, javaScript = true): Promise<Page> {
  const context = await newContext(browser, { javaScript });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: 'Continue as Mia Manager' }).click();
  await page.waitForURL(`${s.url}/people`);
  return page;
}

describe('the team link of a batch’s digest', () => {
  it('is one link per manager, bound to the manager and the batch, and no personal link per person', async () => {
    for (const [email, who] of [['mia@example.com', mia], ['omar@example.com', omar]] as const) {
      const m = await digestTo(email);
      const text = m.parsed.text ?? '';
      const html = typeof m.parsed.html === 'string' ? m.parsed.html : '';
      const links = [...text.matchAll(TEAM_LINK)].map((x) => x[1]!);
      expect(links).toHaveLength(1);
      expect(text).not.toContain('/link?t=');
      expect(html).not.toContain('/link?t=');
      expect(html).toContain(links[0]!.replaceAll('&', '&amp;'));
      expect(html).toContain('Open your team’s offboardings');
      // Names are escaped in the HTML part.
      if (who === mia) expect(html).toContain('Uma &lt;b&gt;Leaving&lt;/b&gt;');
      const v = verifyTeamLink(WEB_TEST_SECRET, tokenOf(links[0]!), new Date());
      expect(v.ok && v.claims.recipientId).toBe(who);
      expect(v.ok && v.claims.batchId).toBe(batchId);
    }
    // Exactly once: one Action-needed email per manager.
    expect(s.h.sink.messages.filter((m) => kindOf(m) === 'action-needed-digest').map((m) => m.envelope.to.join(',')).sort()).toEqual(['mia@example.com', 'omar@example.com']);
  });

  it('opens the batch’s people of the manager; she hands an item over (database and workflow)', async () => {
    const page = await continueFrom(await teamLinkOf('mia@example.com'));
    const [row] = await db().select().from(webSessions).where(isNotNull(webSessions.batchId));
    expect(row).toMatchObject({ userId: mia, via: 'action-link', batchId, scopeUserId: null, offboardingId: null });
    const listed = await page.locator('table.people tbody a').allTextContents();
    expect(listed.sort()).toEqual(['Leo Leaving', 'Uma <b>Leaving</b>']);

    await page.getByRole('link', { name: 'Uma <b>Leaving</b>' }).click();
    await page.waitForURL(`${s.url}/people/${uma}`);
    const [key] = (await scanOpenItems(db(), [uma])).map((i) => i.key).sort();
    const card = page.locator('article.item', { has: page.locator(`input[name="itemKey"][value="${key}"]`) }).first();
    await card.locator('select').selectOption(String(sofia));
    await card.getByRole('button', { name: /^Reassign/ }).click();
    await expect.poll(async () => page.locator('#banner').textContent(), { timeout: budget(30_000) }).toContain('reassigned to Sofia Successor');

    const [obs] = await db().select().from(observations).where(eq(observations.id, Number(key!.split(':')[1])));
    expect(obs?.assigneeId).toBe(sofia);
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.subjectUserId, uma), eq(auditLog.action, 'item.reassigned')));
    expect(audits.map((a) => a.actorId)).toEqual([mia]);
    const status = await s.env.client.workflow.getHandle(userWorkflowId(uma)).query(userStatusQuery);
    expect(status.pendingItems.map((i) => i.key)).not.toContain(key);
    expect(status.pendingItems).toHaveLength(1);
    expect(status.resolutions.map((r) => [r.itemKey, r.toUserId, r.byUserId])).toEqual([[key, sofia, mia]]);
    await page.context().close();
  });

  it('with JavaScript off: another manager’s person, a person outside the batch and HR’s pages are refused, and nothing changes', async () => {
    const page = await continueFrom(await teamLinkOf('mia@example.com'), false);
    const csrf = await csrfOf(page);
    const before = await snapshot();
    // Ola is in the batch but Omar's; Pia is Mia's but offboarded outside the batch.
    for (const [who, why] of [
      [ola, 'Only this person’s manager or a company directory admin can see this page.'],
      [pia, 'You signed in from a link about one batch of offboardings, and this person is not in it.'],
    ] as const) {
      const view = await page.goto(`${s.url}/people/${who}`);
      expect(view?.status()).toBe(403);
      expect(await page.locator('main').textContent()).toContain(why);
    }
    const [olaKey] = (await scanOpenItems(db(), [ola])).map((i) => i.key);
    const posts = [
      await postForm(page, s.url, `/people/${ola}/reassign`, { itemKey: olaKey!, toUserId: String(sofia), requestId: crypto.randomUUID(), _csrf: csrf }),
      await postForm(page, s.url, `/people/${pia}/recheck`, { requestId: crypto.randomUUID(), _csrf: csrf }),
      await postForm(page, s.url, `/hr/batches/${batchId}/cancel`, { requestId: crypto.randomUUID(), _csrf: csrf }),
    ];
    expect(posts.map((r) => r.status())).toEqual([403, 403, 403]);
    const hr = await page.goto(`${s.url}/hr/batches`);
    expect(hr?.status()).toBe(403);
    expect(await page.locator('main').textContent()).toContain('link about one batch');
    expect(await snapshot()).toEqual(before);
    await page.context().close();
  });

  it('a tampered, expired, personal or used-up link is refused and opens no session', async () => {
    const link = await teamLinkOf('mia@example.com');
    const token = tokenOf(link);
    const [payload = '', sig = ''] = token.split('.');
    const forOmar = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace(`"r":${mia}`, `"r":${omar}`)).toString('base64url');
    const expired = signTeamLink(WEB_TEST_SECRET, { recipientId: mia, batchId, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const [claim] = await db().select().from(offboardings).where(and(eq(offboardings.userId, uma), eq(offboardings.batchId, batchId)));
    const personal = signActionLink(WEB_TEST_SECRET, { recipientId: mia, userId: uma, offboardingId: claim!.id, purpose: 'manage-items', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const context = await newContext(browser, { javaScript: false });
    const page = await context.newPage();
    await page.goto(`${s.url}/signin`);
    const csrf = await csrfOf(page);
    const before = await snapshot();
    for (const [t, title] of [
      [`${forOmar}.${sig}`, 'This link is not valid'],
      [`${payload}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`, 'This link is not valid'],
      [expired, 'This link has expired'],
      [personal, 'This link is not valid'],
    ] as const) {
      const view = await page.goto(`${s.url}/team-link?t=${t}`);
      expect(view?.status(), title).toBe(400);
      expect(await page.locator('h1').textContent()).toBe(title);
      const post = await postForm(page, s.url, '/team-link', { t, _csrf: csrf });
      expect(post.status(), title).toBe(400);
    }
    expect(await snapshot()).toEqual(before);
    await context.close();

    // The link opens sessions up to its share (the tests above opened some), then it is used up.
    const [counted] = await db().select().from(webActionLinkUses).where(eq(webActionLinkUses.linkHash, sha256(token)));
    for (let i = counted?.uses ?? 0; i < ACTION_LINK_MAX_SESSIONS; i++) await (await continueFrom(link, false)).context().close();
    const more = await newContext(browser, { javaScript: false });
    const p = await more.newPage();
    await p.goto(link);
    const full = await snapshot();
    const r = await postForm(p, s.url, '/team-link', { t: token, _csrf: await csrfOf(p) });
    expect(r.status()).toBe(429);
    expect(await r.text()).toContain('This link has been used up');
    expect(await snapshot()).toEqual(full);
    await more.close();
  });

  it('ends when the batch ends: at the next request, by the housekeeping purge, and the link is refused', async () => {
    await db().delete(webSessions);
    // Omar's link: it has opened no session yet. Two sessions: one that comes back, one that never does.
    const link = await teamLinkOf('omar@example.com');
    const open = async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(link);
      await page.getByRole('button', { name: 'Continue as Omar Other' }).click();
      await page.waitForURL(`${s.url}/people`);
      return page;
    };
    const [back, away] = [await open(), await open()];
    expect(await back.locator('table.people tbody a').allTextContents()).toEqual(['Ola Elsewhere']);
    expect(await db().select().from(webSessions).where(eq(webSessions.batchId, batchId))).toHaveLength(2);

    await s.env.client.workflow.getHandle(batchWorkflowId(batchId)).executeUpdate(cancelBatchUpdate, { args: [{ by: admin }] });
    await expect
      .poll(async () => (await db().select().from(offboardings).where(eq(offboardings.batchId, batchId))).every((o) => o.endedAt !== null), { timeout: budget(60_000) })
      .toBe(true);

    await back.goto(`${s.url}/people/${ola}`);
    await back.waitForURL(`${s.url}/signin?ended=batch-ended`);
    expect(await back.locator('#banner').textContent()).toContain('the batch of offboardings the link was for has ended');
    // The other one never came back: the housekeeping purge ends it.
    expect(await db().select().from(webSessions).where(eq(webSessions.batchId, batchId))).toHaveLength(1);
    const purged = await purgeExpiredWebRows(db());
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect(await db().select().from(webSessions).where(eq(webSessions.batchId, batchId))).toEqual([]);
    // And the link opens nothing any more.
    const refused = await away.goto(link);
    expect(refused?.status()).toBe(400);
    expect(await away.locator('h1').textContent()).toBe('This batch has ended');
    await back.context().close();
    await away.context().close();
    // Pia's own offboarding (outside the batch) runs on.
    expect((await s.env.client.workflow.getHandle(userWorkflowId(pia)).query(userStatusQuery)).stage).toBe('awaiting-reassignment');
  });
});
