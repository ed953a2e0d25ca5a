// Assignment Report downloads that never read (issue 21, item 5): over raw sockets that stop reading
// once the headers arrived, on a report of 80,000 items (~10 MB of CSV, more than the sockets'
// buffers hold). Only a few downloads run at once (the rest: 503 with Retry-After), none holds a
// database connection while its client does not read, so a manager's page still answers, and a
// stalled reader is cut off after the stall timeout, which frees its slot.
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, signedInContext } from './helpers/browser';
import { createBulkDirectory } from './helpers/bulk-directory';
import { rawRequest, type RawResponse } from './helpers/raw-http';
import { startWebStack, type WebStack } from './helpers/web-stack';
import { budget } from './helpers/time-budget';

const LIMITS = { maxConcurrent: 2, stallMs: 4_000 };
const LEAVERS = 16_000;
const ITEMS_EACH = 5;

let s: WebStack;
let browser: Browser;
let adminCookie: string, managerCookie: string;

const cookieHeader = async (context: BrowserContext) => (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

beforeAll(async () => {
  [s, browser] = await Promise.all([startWebStack({ csvDownloads: LIMITS }), launchBrowser()]);
  const dir = await createBulkDirectory(s.h.t.db, { users: LEAVERS, itemsPerUser: ITEMS_EACH });
  const manager = dir.successors[String(dir.leavers[0])]!;
  for (const [who, set] of [
    [dir.admin, (v: string) => (adminCookie = v)],
    [manager, (v: string) => (managerCookie = v)],
  ] as const) {
    const { context } = await signedInContext(browser, { db: s.h.t.db, url: s.url }, who);
    set(await cookieHeader(context));
    await context.close();
  }
}, budget(300_000));
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/** The connections of this database that are running the report's query (or holding its cursor). */
const reportQueriesRunning = async () =>
  (
    await s.h.t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like '%"userName"%' and state <> 'idle'`,
    )
  )[0]?.n ?? 0;

it('ten downloads that never read: two run, eight get 503 with Retry-After; a manager’s page still answers; the stalled two are cut off', async () => {
  const downloads: RawResponse[] = await Promise.all(
    Array.from({ length: 10 }, () =>
      rawRequest(s.url, { method: 'GET', path: '/hr/report.csv', headers: { Cookie: adminCookie } }, { stopReading: true, timeoutMs: 120_000 }),
    ),
  );
  try {
    const statuses = downloads.map((d) => d.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503, 503, 503, 503, 503, 503, 503]);
    for (const d of downloads.filter((x) => x.status === 503)) expect(d.headers['retry-after']).toMatch(/^\d+$/);
    const stalled = downloads.filter((d) => d.status === 200);

    // The two stall with their rows in a file, not on a connection: the pool serves everyone else.
    expect(await reportQueriesRunning()).toBe(0);
    const t0 = Date.now();
    const pages = await Promise.all(
      Array.from({ length: 12 }, () => fetch(`${s.url}/people`, { headers: { cookie: managerCookie }, signal: AbortSignal.timeout(20_000) })),
    );
    expect(pages.map((p) => p.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(Date.now() - t0).toBeLessThan(20_000);

    // Reading nothing for the stall timeout, they are cut off: the server ends their connections,
    // which a client that starts reading again finds closed before the report's end.
    await expect.poll(() => s.logs.filter((l) => l.includes('read nothing for')).length, { timeout: LIMITS.stallMs + 30_000 }).toBe(2);
    const received = await Promise.all(
      stalled.map(async (d) => {
        let bytes = 0;
        d.socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
        d.socket.resume();
        await Promise.race([d.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('a stalled download was not cut off')), 30_000))]);
        return bytes;
      }),
    );
    // The whole report is over 100 bytes an item; the sockets hold far less.
    for (const bytes of received) expect(bytes).toBeLessThan(LEAVERS * ITEMS_EACH * 100);
  } finally {
    for (const d of downloads) d.socket.destroy();
  }

  // Their slots are free again: a download that reads gets every row.
  await expect
    .poll(async () => {
      const r = await fetch(`${s.url}/hr/report.csv`, { headers: { cookie: adminCookie }, signal: AbortSignal.timeout(60_000) });
      return r.status === 200 ? (await r.text()).split('\r\n').length : r.status;
    }, { timeout: budget(60_000), interval: 1_000 })
    // The header, one line per item, and the empty string after the last CRLF.
    .toBe(LEAVERS * ITEMS_EACH + 2);
}, budget(300_000));
