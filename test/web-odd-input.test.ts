// Odd input to every GET route of the web app (issue 21, item 9): control characters, NUL, a
// 10,000-character value, malformed percent-encoding, prototype names (`__proto__`, `constructor`…)
// and numbers spelled oddly, in every path segment and every query parameter the app reads (and some
// it does not), signed out, as a manager and as an admin. No answer may be a 5xx, nothing may be
// logged as an error, and nothing may change (GETs never do). The routes come from the Hono app
// itself and the parameter names from the web's source, so a new route or parameter is covered
// without touching this file.
import fs from 'node:fs';
import path from 'node:path';
import { ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../config/settings';
import { createWebApp } from '../client/web/app';
import { webKeys } from '../client/web/keys';
import { managerActions } from '../client/web/manager-actions';
import { issueSignInToken } from '../client/web/sign-in-tokens';
import { resolveUserRef } from '../domain/directory';
import { auditLog, offboardings } from '../db/schema';
import { userStatusQuery, userWorkflowId } from '../workflows/contract';
import { expectRefusal } from './helpers/refusals';
import { startWebStack, type WebStack } from './helpers/web-stack';
import { waitForUserStatus } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';

let s: WebStack;
let admin: number, mia: number, uma: number;
const BATCH = 'b-odd-input-1';

beforeAll(async () => {
  s = await startWebStack();
  const f = s.h.fx;
  admin = await f.admin({ name: 'Ada Admin', email: 'ada@example.com' });
  mia = await f.user({ name: 'Mia Manager', email: 'mia@example.com' });
  uma = await f.user({ name: 'Uma Leaving', email: 'uma@example.com', managerId: mia });
  const p = await f.project('Harbor Tower');
  await f.member(p, uma);
  await f.observation({ projectId: p, assigneeId: uma });
  await s.offboard(uma, admin, { batchId: BATCH });
  await waitForUserStatus(s.env.client, uma, (st) => st.stage === 'awaiting-reassignment');
}, budget(120_000));
afterAll(async () => {
  await s?.close();
});

/** The GET routes of the app, as Hono has them (middleware is registered as ALL, not GET). */
function getRoutes(): string[] {
  const operations = { db: async () => s.h.t.db, temporal: async () => s.env.client, taskQueue: s.taskQueue };
  const app = createWebApp({
    settings: s.settings,
    db: s.h.t.db,
    temporal: s.env.client,
    operations,
    mailer: s.h.mailer,
    actions: managerActions(operations),
    keys: webKeys(s.settings.linkSecret),
    log: () => undefined,
  });
  return [...new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path))];
}

/**
 * The query (or form) names each route's source file reads: c.req.query('x'), oneValue(…, 'x'),
 * allValues(…, 'x'), text('x', …), keyed by the routes the file registers. A route no file names
 * (registered some other way) is sent every name found.
 */
function parameterNames(): { byRoute: Map<string, string[]>; all: string[] } {
  const byRoute = new Map<string, string[]>();
  const all = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) {
        const source = fs.readFileSync(p, 'utf8');
        const names = [...source.matchAll(/(?:query|oneValue\([^,]+,|allValues\([^,]+,|text)\(?\s*'([A-Za-z_][\w-]*)'/g)].map((m) => m[1]!);
        for (const n of names) all.add(n);
        for (const m of source.matchAll(/app\.get\('([^']+)'/g)) byRoute.set(m[1]!, [...new Set(names)]);
      }
    }
  };
  walk(path.join(projectRoot, 'client', 'web'));
  return { byRoute, all: [...all] };
}

/** Already percent-encoded: what a browser or a script could put in a URL. */
const ODD_VALUES: readonly string[] = [
  ...[
    '\u0000',
    'a\u0000b',
    '\u0001\u0008\u001b[31m\u001f\u007f',
    '\r\nX-Injected: 1',
    '\t',
    'x'.repeat(10_000),
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '1e1',
    '0x12',
    '-1',
    '99999999999999999999',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "' or 1=1 --",
  ].map(encodeURIComponent),
  '%',
  '%ZZ',
  '%ED%A0%80',
  '%C0%AF',
];

/**
 * The values sent in each parameter alone (the kinds of odd: NUL, other control characters, length,
 * a prototype name, broken percent-encoding); every value also goes into all parameters at once and
 * into every path segment. Each value in each parameter alone was ~45,000 requests (4–5 minutes).
 */
const EACH_PARAMETER_VALUES: ReadonlySet<string> = new Set(
  [...['a\u0000b', '\u0001\u0008\u001b[31m\u001f\u007f', 'x'.repeat(10_000), '__proto__'].map(encodeURIComponent), '%ZZ'],
);

/** A well-formed value for each path parameter, so the odd one is the only odd thing in the URL. */
function baseline(param: string): string {
  if (param === 'userId') return String(uma);
  if (param === 'batchId') return BATCH;
  if (param === 'file') return 'app.css';
  return '1';
}

/** The route with each parameter filled: the odd value in `odd`, the baseline elsewhere. */
const fill = (route: string, odd?: { param: string; value: string }) =>
  route.replace(/:(\w+)/g, (_, p: string) => (odd?.param === p ? odd.value : baseline(p)));

/** Cookies of a session signed in as `userId` through a sign-in token, as the email link does. */
async function sessionCookies(userId: number): Promise<string> {
  const { token } = await issueSignInToken(s.h.t.db, userId);
  const page = await fetch(`${s.url}/signin/token?t=${token}`);
  const anonymous = page.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const signedIn = await fetch(`${s.url}/signin/token`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: s.url, cookie: anonymous.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, t: token }).toString(),
  });
  expect(signedIn.status).toBe(303);
  const session = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]);
  return [...anonymous, ...session].join('; ');
}

/** Everything a request could change: the directory, the claims, the audit log, Uma's workflow. */
async function snapshot(): Promise<string> {
  const rows: Record<string, unknown> = {};
  for (const t of ['users', 'observations', 'offboardings', 'project_members']) rows[t] = await s.h.t.db.execute(sql.raw(`select * from ${t} order by 1`));
  rows.audit = (await s.h.t.db.select().from(auditLog).where(ne(auditLog.entityType, 'notification'))).length;
  rows.claims = (await s.h.t.db.select().from(offboardings)).length;
  const st = await s.env.client.workflow.getHandle(userWorkflowId(uma)).query(userStatusQuery);
  rows.workflow = { stage: st.stage, pending: st.pendingItems.map((i) => i.key), resolutions: st.resolutions.length };
  return JSON.stringify(rows);
}

/** What every answer must not be: a 5xx, or a page showing a built-in of Object ("function Object() { [native code] }"). */
async function badAnswers(urls: string[], cookie: string | undefined): Promise<string[]> {
  const bad: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      const r = await fetch(`${s.url}${url}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      const body = await r.text();
      // 503 with Retry-After is the CSV downloads' limit (two at once) saying "later", not a fault.
      const busy = r.status === 503 && r.headers.has('retry-after');
      if ((r.status >= 500 && !busy) || body.includes('[native code]')) bad.push(`${r.status} GET ${url.slice(0, 160)}`);
    }
  };
  // A few at a time: the machine is shared.
  await Promise.all(Array.from({ length: 4 }, worker));
  return bad;
}

const EXTRA_NAMES = ['__proto__', 'constructor', 'toString', 'not-read'];

describe('odd input to every GET route', () => {
  it('the routes and parameters are found (the lists below are not empty by accident)', () => {
    const routes = getRoutes();
    expect(routes).toEqual(expect.arrayContaining(['/static/:file', '/people/:userId', '/hr/directory', '/hr/report', '/hr/report.csv', '/hr/batches/:batchId']));
    const { byRoute } = parameterNames();
    expect(byRoute.get('/hr/directory')).toEqual(expect.arrayContaining(['q', 'company', 'project', 'after', 'at']));
    expect(byRoute.get('/hr/report')).toEqual(expect.arrayContaining(['user', 'tool', 'project', 'page']));
    expect(byRoute.get('/signin')).toEqual(expect.arrayContaining(['ended', 't']));
  });

  it('the cases of the issue: /static/constructor is 404; NUL in the search, the company or the report user is 400, nothing read', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) expect((await fetch(`${s.url}/static/${name}`)).status).toBe(404);
    const cookie = await sessionCookies(admin);
    const before = await snapshot();
    for (const url of ['/hr/directory?q=a%00b', '/hr/directory?company=%00', '/hr/report?user=a%00b%40example.com', '/hr/report.csv?user=%00', '/people?show=%1B%5B2J']) {
      const r = await fetch(`${s.url}${url}`, { headers: { cookie } });
      expect(r.status, url).toBe(400);
      expect(await r.text(), url).toContain('control character');
    }
    // The directory's form posts its filters too: a crafted POST with NUL in the search.
    const page = await fetch(`${s.url}/hr/directory`, { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const posted = await fetch(`${s.url}/hr/directory`, {
      method: 'POST',
      headers: { cookie, origin: s.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, q: 'a\u0000b', go: '1' }).toString(),
    });
    expect(posted.status).toBe(400);
    expect(await posted.text()).toContain('control character');
    expect(await snapshot()).toBe(before);
    expect(s.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('IDs spelled as the CLI refuses them (1e1, 0x12, +12, " 12", 12x, 012, past int4) name nobody on the web either', async () => {
    const spellings = [`${uma}e0`, `0x${uma.toString(16)}`, `+${uma}`, ` ${uma}`, `${uma} `, `${uma}x`, `0${uma}`, `${uma}.0`, '-1', '0', '2147483648', '99999999999'];
    const manager = await sessionCookies(mia);
    const hr = await sessionCookies(admin);
    expect((await fetch(`${s.url}/people/${uma}`, { headers: { cookie: manager } })).status).toBe(200);
    const before = await snapshot();
    for (const text of spellings) {
      const id = encodeURIComponent(text);
      expect((await fetch(`${s.url}/people/${id}`, { headers: { cookie: manager } })).status, `/people/${text}`).toBe(404);
      expect((await fetch(`${s.url}/hr/batches/${BATCH}/remove/${id}`, { headers: { cookie: hr } })).status, `remove/${text}`).toBe(404);
      expect((await fetch(`${s.url}/hr/report?project=${id}`, { headers: { cookie: hr } })).status, `report project ${text}`).toBe(400);
    }
    expect(await snapshot()).toBe(before);
    // The CLI's reading (offboard start/remove/reassign resolve users with it): INVALID_INPUT for each.
    for (const text of spellings) await expectRefusal(resolveUserRef(s.h.t.db, text), 'INVALID_INPUT');
    await expect(resolveUserRef(s.h.t.db, String(uma))).resolves.toMatchObject({ id: uma });
  });

  for (const who of ['signed out', 'a manager', 'an admin'] as const) {
    it(`${who}: no 5xx and no error logged, for odd path segments and query values; nothing changes`, async () => {
      const cookie = who === 'signed out' ? undefined : await sessionCookies(who === 'an admin' ? admin : mia);
      const { byRoute, all } = parameterNames();
      const urls: string[] = [];
      for (const route of getRoutes()) {
        const params = [...route.matchAll(/:(\w+)/g)].map((m) => m[1]!);
        const names = [...(byRoute.get(route) ?? all), ...EXTRA_NAMES];
        // A route this viewer cannot open (sent to sign in, refused) reads no parameter: every name at once is enough.
        const reached = (await fetch(`${s.url}${fill(route)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} })).status;
        const readsParameters = reached < 300 || reached === 400 || reached === 404;
        for (const value of ODD_VALUES) {
          for (const param of params) urls.push(fill(route, { param, value }));
          // One segment more than the route has: a 404, never a 5xx.
          urls.push(`${fill(route).replace(/\/$/, '')}/${value}`);
          if (readsParameters && EACH_PARAMETER_VALUES.has(value)) for (const name of names) urls.push(`${fill(route)}?${name}=${value}`);
          // Every name at once, and one name twice (an array where a string is expected).
          urls.push(`${fill(route)}?${names.map((n) => `${n}=${value}`).join('&')}`);
          urls.push(`${fill(route)}?page=${value}&page=2&q=${value}&q=`);
        }
      }
      const before = await snapshot();
      const errorsBefore = s.logs.filter((l) => l.startsWith('error')).length;
      expect(await badAnswers(urls, cookie)).toEqual([]);
      expect(s.logs.filter((l) => l.startsWith('error')).slice(errorsBefore)).toEqual([]);
      expect(await snapshot()).toBe(before);
      if (cookie) {
        // Still signed in: no odd input ended the session.
        const people = await fetch(`${s.url}/people`, { redirect: 'manual', headers: { cookie } });
        expect(people.status).toBe(200);
      }
    }, budget(600_000));
  }
});
