// One real Chromium per test file (Debian's, driven by playwright-core; no browser download). The
// global setup installs it once per run (system-packages.ts); a file that finds it missing fails and
// says why: browser tests never skip.
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { issueSignInToken } from '../../client/web/sign-in-tokens';
import { projectRoot } from '../../config/settings';
import type { Database } from '../../db/client';
import { CHROMIUM, requireSystemBinary } from './system-packages';
import { WAIT_MS } from './time-budget';


export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireSystemBinary(CHROMIUM),
    // Without these Chromium reaches for Google's hosts, which this machine's network refuses.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

/** A fresh context (its own cookies); `javaScript: false` for the no-JavaScript runs. */
export async function newContext(browser: Browser, options: { javaScript?: boolean; width?: number } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: options.width ?? 1100, height: 900 },
  });
  // Clicks, navigations and locator waits get the tests' budget, not Playwright's fixed 30 s.
  context.setDefaultTimeout(WAIT_MS);
  return context;
}

/**
 * A form POST with the page's cookies, as a crafted or repeated submit would send it: from the app's
 * own origin unless `headers` say otherwise, repeated fields as arrays, the 303 not followed.
 */
export function postForm(
  page: Page,
  baseUrl: string,
  path: string,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = { origin: baseUrl },
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return page.request.post(`${baseUrl}${path}`, {
    data: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    maxRedirects: 0,
  });
}

export const SCREENSHOT_DIR = path.join(projectRoot, 'test', 'screenshots');

/** Saves a full-page screenshot under test/screenshots/ (and returns its path). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const AXE = fs.readFileSync(path.join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown }[] };

/** axe-core (WCAG 2 A and AA) on the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: an injected <script> would be (rightly) blocked by the CSP.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * A browser context signed in as `userId` through a sign-in token, as the sign-in email's link does
 * (the email itself is tested elsewhere).
 */
export async function signedInContext(
  browser: Browser,
  web: { db: Database; url: string },
  userId: number,
  options: { javaScript?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  const { token } = await issueSignInToken(web.db, userId);
  await page.goto(`${web.url}/signin/token?t=${token}`);
  await page.getByRole('button', { name: /^Sign in as/ }).click();
  await page.waitForURL(`${web.url}/people`);
  return { context, page };
}

/** The CSRF token the page's forms carry. */
export const csrfOf = async (page: Page): Promise<string> => (await page.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
