// One real Chromium per test file (Debian's, driven by playwright-core; no browser download). When
// /usr/bin/chromium is missing, it is installed with apt-get, and the test says so: browser tests
// never skip.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { issueSignInToken } from '../../client/web/sign-in-tokens';
import { projectRoot } from '../../config/settings';
import type { Database } from '../../db/client';

export const CHROMIUM = '/usr/bin/chromium';

function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  console.warn(`[browser tests] ${CHROMIUM} is missing: installing Debian's chromium with apt-get (a minute or two)`);
  execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'ignore',
    timeout: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get install chromium did not provide ${CHROMIUM}`);
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without these Chromium reaches for Google's hosts, which this machine's network refuses.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

/** A fresh context (its own cookies); `javaScript: false` for the no-JavaScript runs. */
export function newContext(browser: Browser, options: { javaScript?: boolean; width?: number } = {}): Promise<BrowserContext> {
  return browser.newContext({
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: options.width ?? 1100, height: 900 },
  });
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
