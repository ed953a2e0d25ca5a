// Issue 17: what ops see in the real Temporal Web UI (the dev server's, on a free port), looked at
// with a real browser (Debian's Chromium through playwright-core, as the web app's tests do). A batch
// runs a user to "awaiting reassignment" with three items on the in-memory activities; the user's
// page must show the current details with the three keys and its activities named, and, once
// one item is reassigned, the details must show two. In a batch the reminders are the batch's (one
// digest per manager, issue 25): its timeline names the timer ("digests: reminder 1 in 2 days"). The screenshots land in test/screenshots/
// (docs/webui-*.png are copies of them).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import { batchWorkflowId, reassignItemUpdate, userWorkflowId } from '../workflows/contract';
import { launchBrowser, screenshot } from './helpers/browser';
import { InMemoryDirectory, inMemoryActivities } from './helpers/in-memory-activities';
import { type DevServerEnvironment, startDevServerEnvironment } from './helpers/temporal';
import { createWorker, waitForUserStatus } from './helpers/workflow-harness';
import { WAIT_MS, budget } from './helpers/time-budget';

let env: DevServerEnvironment;
let browser: Browser;
beforeAll(async () => {
  [env, browser] = await Promise.all([startDevServerEnvironment({ ui: true }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const UI_WAIT = WAIT_MS;

const pageOf = (workflowId: string): string => `${env.uiUrl}/namespaces/${env.namespace}/workflows/${encodeURIComponent(workflowId)}`;

/**
 * The "Current Details" of the workflow's User Metadata tab, once they contain `text`. The Web UI
 * renders the Markdown in an iframe of its own, and reads it when the page loads (the user presses R
 * to refresh), so each call loads the page afresh.
 */
async function currentDetails(page: Page, workflowId: string, text: string): Promise<string> {
  await page.goto(pageOf(workflowId));
  await page.getByText('User Metadata', { exact: true }).first().click({ timeout: UI_WAIT });
  // Read from the frame itself: the Web UI sizes the iframe after it renders, so waiting for the text
  // to be "visible" through a frame locator sometimes outlasts the content being there.
  let seen = '';
  const until = Date.now() + UI_WAIT;
  while (Date.now() < until) {
    const frame = page.frame({ name: 'user-metadata-current-details' });
    seen = frame ? ((await frame.locator('main').textContent({ timeout: 1_000 }).catch(() => '')) ?? '') : '';
    if (seen.includes(text)) return seen;
    await page.waitForTimeout(250);
  }
  throw new Error(`the current details of ${workflowId} did not show ${JSON.stringify(text)} within ${UI_WAIT} ms; they read:\n${seen}`);
}

/** The screenshots taken, for the log (docs/webui-*.png are copies). */
const shots: string[] = [];
afterAll(() => {
  if (shots.length > 0) console.log(`[web-ui] screenshots: ${shots.join(', ')}`);
});

describe('the Temporal Web UI', () => {
  it('shows a user’s current details and named timers, and follows a reassignment', async () => {
    const dir = new InMemoryDirectory({ firstUserId: 100 });
    const admin = dir.addUser({ name: 'Ada Admin', admin: true });
    const manager = dir.addUser({ name: 'Max Manager', projectIds: [1, 2] });
    const leaver = dir.addUser({ name: 'Lee Leaver', managerId: manager, projectIds: [1, 2] });
    const colleague = dir.addUser({ name: 'Col League', projectIds: [1, 2] });
    const second = dir.addUser({ name: 'Sec Ond', managerId: manager, projectIds: [1] });
    const keys = [
      dir.addItem({ tool: 'rfi', role: 'manager', holderId: leaver, projectId: 1, title: 'Slab pour sequence' }),
      dir.addItem({ tool: 'defect', role: 'assigned-to', holderId: leaver, projectId: 2, title: 'Cracked tile, level 3' }),
      dir.addItem({ tool: 'observation', role: 'assignee', holderId: leaver, projectId: 1, title: 'Guard rail missing' }),
    ];
    dir.addItem({ tool: 'defect', role: 'assigned-to', holderId: second, projectId: 1, title: 'Door frame' });

    const { worker, taskQueue } = await createWorker(env, inMemoryActivities(dir));
    await worker.runUntil(async () => {
      const batchId = `webui-${process.pid}`;
      await startBatchWorkflow(env.client, taskQueue, {
        batchId,
        userIds: [leaver, second],
        requestedBy: admin,
        reason: 'restructuring',
        effectiveAt: null,
        successors: {},
        policy: {},
      });
      await waitForUserStatus(env.client, leaver, (s) => s.stage === 'awaiting-reassignment' && s.pendingItems.length === 3);
      await waitForUserStatus(env.client, second, (s) => s.stage === 'awaiting-reassignment');

      // Tall enough for the whole page: the Web UI scrolls inside its own panel, not the window.
      const context = await browser.newContext({ viewport: { width: 1400, height: 1500 } });
      const page = await context.newPage();
      const user = userWorkflowId(leaver);

      // A person's main steps run as local activities (issue 25): the timeline names them by type, the
      // Event History by their summary (activity tasks and timers are named by summary in both).
      await page.goto(pageOf(user));
      await page.getByText('beginOffboarding', { exact: false }).first().waitFor({ timeout: UI_WAIT });
      shots.push(await screenshot(page, 'webui-user-timeline'));
      await page.setViewportSize({ width: 1900, height: 1500 });
      await page.getByText('Event History', { exact: false }).first().click({ timeout: UI_WAIT });
      await page.getByText(`claim user ${leaver} for batch`, { exact: false }).first().waitFor({ timeout: UI_WAIT });
      shots.push(await screenshot(page, 'webui-user-history'));
      await page.setViewportSize({ width: 1400, height: 1500 });

      let md = await currentDetails(page, user, 'Awaiting reassignment: 3 open items');
      for (const key of keys) expect(md).toContain(key);
      expect(md).toContain(`the manager, user ${manager}, and the directory admins`);
      // Its batch reminds the manager (one digest for all their people), so no reminder timer of its own.
      expect(md).not.toContain('Next: reminder');
      for (const name of ['Lee Leaver', 'Max Manager', 'Ada Admin', '@']) expect(md).not.toContain(name);
      shots.push(await screenshot(page, 'webui-user-details'));

      await env.client.workflow.getHandle(user).executeUpdate(reassignItemUpdate, { args: [{ itemKey: keys[1]!, toUserId: colleague, by: manager }] });
      md = await currentDetails(page, user, 'Awaiting reassignment: 2 open items');
      expect(md).toContain(keys[0]);
      expect(md).toContain(keys[2]);
      expect(md).not.toContain(keys[1]);
      expect(md).toContain(`Resolved: 1 — 1 reassigned (to user ${colleague}: 1).`);
      shots.push(await screenshot(page, 'webui-user-details-after'));

      // The batch's page: counts by stage, the window, the oldest wait, who started it.
      md = await currentDetails(page, batchWorkflowId(batchId), 'Running: 2 users');
      expect(md).toMatch(/awaiting reassignment\s+2/);
      expect(md).toContain('Window: 2 running');
      expect(md).toMatch(/Oldest wait: user \d+, awaiting reassignment since/);
      expect(md).toContain(`started by user ${admin}`);
      shots.push(await screenshot(page, 'webui-batch-details'));
      await page.goto(pageOf(batchWorkflowId(batchId)));
      await page.getByText(`validate batch ${batchId}`, { exact: false }).first().waitFor({ timeout: UI_WAIT });
      await page.getByText('digests: reminder 1', { exact: false }).first().waitFor({ timeout: UI_WAIT });
      shots.push(await screenshot(page, 'webui-batch-timeline'));
      await context.close();
    });
  }, budget(300_000));
});
