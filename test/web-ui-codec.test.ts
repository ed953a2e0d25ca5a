// Issue 26: the real Temporal Web UI (the dev server's, started with --ui-codec-endpoint as `npm start`
// starts it) in a real Chromium, with payload encryption on. Signed in to the web app as Helen Park, a
// company directory admin, the user workflow's page shows the decoded current details, the timer's
// summary and the input; signed out, or as a non-admin, it shows no plaintext and the codec answered
// 401 / 403. The dev server has no include-credentials setting, so the browser is set up as an
// operator would in the UI's Codec Server settings (docs/operations.md). Screenshots: docs/webui-codec-*.png.
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import { startWebServer, type WebServer } from '../client/web/server';
import { createMailer } from '../adapters/mail-transport';
import { dataConverterOf } from '../temporal/data-converter';
import { userWorkflowId } from '../workflows/contract';
import { launchBrowser, newContext, screenshot, signedInContext } from './helpers/browser';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures } from './helpers/directory-fixtures';
import { freePort } from './helpers/free-port';
import { InMemoryDirectory, inMemoryActivities } from './helpers/in-memory-activities';
import { type DevServerEnvironment, startDevServerEnvironment, workflowBundle } from './helpers/temporal';
import { WEB_TEST_SECRET } from './helpers/web-stack';
import { waitForUserStatus } from './helpers/workflow-harness';
import { WAIT_MS, budget } from './helpers/time-budget';

const UI_WAIT = WAIT_MS;
const key = randomBytes(32).toString('base64');

let env: DevServerEnvironment;
let browser: Browser;
let t: TestDatabase;
let web: WebServer;
let webUrl: string;
let helen: number;
let sam: number;
const mailer = createMailer({ smtpUrl: undefined, outboxDir: '/tmp/offboarding-test-outbox', mailFrom: 'Offboarding <o@example.com>', log: () => undefined });

beforeAll(async () => {
  const port = await freePort();
  // localhost for both: the Web UI's own URL is localhost, and the session cookie goes only to the same site.
  webUrl = `http://localhost:${port}`;
  [env, browser, t] = await Promise.all([startDevServerEnvironment({ ui: true, codecEndpoint: `${webUrl}/codec` }), launchBrowser(), createTestDatabase()]);
  const fx = directoryFixtures(t.db);
  helen = await fx.admin({ name: 'Helen Park', email: 'helen.park@example.com' });
  sam = await fx.user({ name: 'Sam Standard', email: 'sam@example.com' });
  web = await startWebServer({
    settings: {
      port,
      host: '127.0.0.1',
      publicUrl: webUrl,
      linkSecret: WEB_TEST_SECRET,
      auth: 'email-link',
      trustedHeader: 'X-Auth-Request-Email',
      trustedProxies: [],
      temporalUi: { url: env.uiUrl!, namespace: env.namespace },
      codec: { payloadKey: key, previousPayloadKeys: [], operators: [], requestsPerMinute: 100_000 },
    },
    db: t.db,
    temporal: env.client,
    taskQueue: 'unused',
    mailer,
    log: () => undefined,
  });
}, budget(180_000));
afterAll(async () => {
  await web?.close();
  await browser?.close();
  await env?.stop();
  await mailer.close();
  await t?.drop();
});

const pageOf = (workflowId: string): string => `${env.uiUrl}/namespaces/${env.namespace}/workflows/${encodeURIComponent(workflowId)}`;

/** The browser set up as in the Web UI's Codec Server settings: this endpoint, with credentials. */
async function withCodecSettings(context: BrowserContext): Promise<void> {
  await context.addInitScript(
    ([origin, endpoint]) => {
      if (location.origin !== origin) return;
      localStorage.setItem('endpoint', JSON.stringify(endpoint));
      localStorage.setItem('includeCredentials', 'true');
      localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    },
    [new URL(env.uiUrl!).origin, `${webUrl}/codec`] as const,
  );
}

/** The codec's answers to this page's decode requests. */
function codecStatuses(page: Page): number[] {
  const statuses: number[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(`${webUrl}/codec/decode`) && r.request().method() === 'POST') statuses.push(r.status());
  });
  return statuses;
}

/** The "Current Details" frame's text (see web-ui.test.ts), once it contains `text`; '' when it never does. */
async function currentDetails(page: Page, text: string, waitMs = UI_WAIT): Promise<string> {
  await page.getByText('User Metadata', { exact: true }).first().click({ timeout: UI_WAIT });
  let seen = '';
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    const frame = page.frame({ name: 'user-metadata-current-details' });
    seen = frame ? ((await frame.locator('main').textContent({ timeout: 1_000 }).catch(() => '')) ?? '') : '';
    if (seen.includes(text)) return seen;
    await page.waitForTimeout(250);
  }
  return seen;
}

describe('the Temporal Web UI with the codec server', () => {
  it('decodes for Helen Park (a directory admin), and shows no plaintext signed out or to a non-admin', async () => {
    const dir = new InMemoryDirectory({ firstUserId: 100 });
    const admin = dir.addUser({ name: 'Ada Admin', admin: true });
    const manager = dir.addUser({ name: 'Max Manager', projectIds: [1, 2] });
    const leaver = dir.addUser({ name: 'Lee Leaver', managerId: manager, projectIds: [1, 2] });
    const keys = [
      dir.addItem({ tool: 'rfi', role: 'manager', holderId: leaver, projectId: 1, title: 'Slab pour sequence' }),
      dir.addItem({ tool: 'defect', role: 'assigned-to', holderId: leaver, projectId: 2, title: 'Cracked tile, level 3' }),
      dir.addItem({ tool: 'observation', role: 'assignee', holderId: leaver, projectId: 1, title: 'Guard rail missing' }),
    ];
    const dataConverter = dataConverterOf({ payloadKey: key })!;
    const client = new Client({ connection: env.connection, namespace: env.namespace, dataConverter });
    const taskQueue = `codec-ui-${process.pid}`;
    const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue, workflowBundle: workflowBundle(), activities: inMemoryActivities(dir), dataConverter });
    await worker.runUntil(async () => {
      await startBatchWorkflow(client, taskQueue, {
        batchId: `codec-ui-${process.pid}`,
        userIds: [leaver],
        requestedBy: admin,
        reason: 'restructuring-codec-ui',
        effectiveAt: null,
        successors: {},
        policy: {},
      });
      await waitForUserStatus(client, leaver, (s) => s.stage === 'awaiting-reassignment' && s.pendingItems.length === 3);
      const user = userWorkflowId(leaver);

      // Signed in as Helen Park: the details, the timer's summary and the input, decoded.
      const signedIn = await signedInContext(browser, { db: t.db, url: webUrl }, helen);
      await withCodecSettings(signedIn.context);
      const page = await signedIn.context.newPage();
      await page.setViewportSize({ width: 1400, height: 1500 });
      const helenStatuses = codecStatuses(page);
      await page.goto(pageOf(user));
      await page.getByText('restructuring-codec-ui', { exact: false }).first().waitFor({ timeout: UI_WAIT });
      await screenshot(page, 'webui-codec-decoded-timeline');
      // The summary of the local activity that began the offboarding is in the Event History (issue 25).
      await page.getByText('Event History', { exact: false }).first().click({ timeout: UI_WAIT });
      await page.getByText(`claim user ${leaver} for batch`, { exact: false }).first().waitFor({ timeout: UI_WAIT });
      const md = await currentDetails(page, 'Awaiting reassignment: 3 open items');
      expect(md).toContain('Awaiting reassignment: 3 open items');
      for (const k of keys) expect(md).toContain(k);
      await screenshot(page, 'webui-codec-decoded-details');
      expect(helenStatuses.length).toBeGreaterThan(0);
      expect(helenStatuses.every((s) => s === 200)).toBe(true);
      await signedIn.context.close();

      // Signed out, then as a non-admin: the same page, nothing decoded.
      for (const who of ['signed-out', 'non-admin'] as const) {
        const context = who === 'signed-out' ? await newContext(browser) : (await signedInContext(browser, { db: t.db, url: webUrl }, sam)).context;
        await withCodecSettings(context);
        const p = await context.newPage();
        await p.setViewportSize({ width: 1400, height: 1500 });
        const statuses = codecStatuses(p);
        await p.goto(pageOf(user));
        await p.getByText('Input', { exact: true }).first().waitFor({ state: 'attached', timeout: UI_WAIT });
        await expect.poll(() => statuses.length, { timeout: UI_WAIT }).toBeGreaterThan(0);
        await p.getByText('Event History', { exact: false }).first().click({ timeout: UI_WAIT });
        await p.getByText('beginOffboarding', { exact: false }).first().waitFor({ timeout: UI_WAIT });
        const history = (await p.locator('body').textContent()) ?? '';
        const details = await currentDetails(p, 'open items', 5_000);
        const body = `${(await p.locator('body').textContent()) ?? ''}\n${history}`;
        for (const plain of [`claim user ${leaver}`, 'restructuring-codec-ui', 'open items', ...keys]) {
          expect(body, `${who}: ${plain}`).not.toContain(plain);
          expect(details, `${who}: ${plain}`).not.toContain(plain);
        }
        expect(new Set(statuses), who).toEqual(new Set([who === 'signed-out' ? 401 : 403]));
        await screenshot(p, `webui-codec-${who}`);
        await context.close();
      }
    });
  }, budget(400_000));
});
