// Whether the sign-in answer's time tells if an email address exists (issue 21, item 6): `POST
// /signin` for addresses that belong to someone and for addresses nobody has, alternating request by
// request, in process (Hono's fetch: the app's own time, without the network). The medians (and p10,
// what "the fastest of a few tries" sees) side by side. Between samples, untimed: the rate-limit
// counters are cleared and the background work of the previous request is given time to finish.
//
// With BENCH_WEB_BEFORE=<git revision>, that revision's app (bench/web-baseline.ts) is timed the same
// way, its samples alternating with the current app's.
//
//   npm run bench -- sign-in-timing
//   BENCH_WEB_BEFORE=931c873 npm run bench -- sign-in-timing
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { createWebApp } from '../client/web/app';
import type { WebDeps } from '../client/web/context';
import { webKeys } from '../client/web/keys';
import { managerActions } from '../client/web/manager-actions';
import { createMailer } from '../adapters/mail-transport';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';
import { type BenchApp, loadBaselineApp } from './web-baseline';

const SAMPLES = 150;
const WARMUP = 10;
const PUBLIC_URL = 'http://localhost:3000';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** A signed-out browser of the app: its form cookie and CSRF token, from the sign-in page. */
async function browserOf(app: BenchApp): Promise<{ cookie: string; csrf: string }> {
  const r = await app.request('/signin');
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await r.text())?.[1];
  if (!cookie || !csrf) throw new Error('the sign-in page gave no form cookie or CSRF token');
  return { cookie, csrf };
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const { db, dir: dataDir } = await startBenchDatabase('sign-in', cleanups);
    await db.execute(sql`insert into users (name, email, company)
      select 'Person ' || g, 'p' || g || '@bench.example', 'Bench' from generate_series(1, 5000) g`);
    await db.execute(sql`analyze`);

    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const operations = { db: async () => db, temporal: async () => client, taskQueue: 'sign-in-bench' };
    const secret = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
    const deps: WebDeps = {
      settings: { port: 0, host: '127.0.0.1', publicUrl: PUBLIC_URL, linkSecret: secret, auth: 'email-link', trustedHeader: 'X', trustedProxies: [] },
      db,
      temporal: client,
      operations,
      mailer: createMailer({ smtpUrl: undefined, outboxDir: path.join(dataDir, 'outbox'), mailFrom: 'Bench <b@bench.example>', log: () => undefined }),
      actions: managerActions(operations),
      keys: webKeys(secret),
      log: () => undefined,
    };
    const apps: { name: string; app: BenchApp }[] = [{ name: 'this checkout', app: createWebApp(deps) }];
    const beforeRevision = process.env.BENCH_WEB_BEFORE?.trim();
    if (beforeRevision) {
      const baseline = await loadBaselineApp(beforeRevision);
      cleanups.unshift(baseline.remove);
      apps.push({ name: `${baseline.revision} (${baseline.commit})`, app: baseline.createWebApp(deps) });
    }

    const timed = await Promise.all(apps.map(async (a) => ({ ...a, browser: await browserOf(a.app), known: [] as number[], unknown: [] as number[] })));
    let n = 0;
    const signIn = async (t: (typeof timed)[number], email: string) => {
      await db.execute(sql`delete from web_rate_limits`);
      await sleep(20);
      const start = performance.now();
      const r = await t.app.request('/signin', {
        method: 'POST',
        headers: { origin: PUBLIC_URL, cookie: t.browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: t.browser.csrf, email }).toString(),
      });
      const ms = performance.now() - start;
      if (r.status !== 303) throw new Error(`${t.name}: POST /signin answered ${r.status}`);
      return ms;
    };
    const tokens = async () => (await db.execute<{ n: number }>(sql`select count(*)::int as n from web_sign_in_tokens`))[0]?.n ?? 0;
    /** Waits until the known address's token is written (work done after the answer), so no sample runs beside it. */
    const settled = async (expected: number) => {
      const until = Date.now() + 5_000;
      while ((await tokens()) < expected && Date.now() < until) await sleep(5);
    };
    let expectedTokens = await tokens();
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      for (const t of timed) {
        // A different person each time (each gets one token), and an address nobody has; which goes
        // first alternates, and each waits for the other's work to finish.
        const knownOne = async () => {
          const ms = await signIn(t, `p${(n++ % 5000) + 1}@bench.example`);
          await settled(++expectedTokens);
          return ms;
        };
        const unknownOne = () => signIn(t, `nobody${i}@bench.example`);
        let known: number;
        let unknown: number;
        if (i % 2 === 0) {
          known = await knownOne();
          unknown = await unknownOne();
        } else {
          unknown = await unknownOne();
          known = await knownOne();
        }
        if (i >= WARMUP) {
          t.known.push(known);
          t.unknown.push(unknown);
        }
      }
    }
    await sleep(500);

    const ms = (x: number) => `${x.toFixed(2)} ms`;
    console.log(`\nsign-in timing: ${SAMPLES} POST /signin each for known and unknown addresses, alternating which goes first, each after the other's token is written, after ${WARMUP} warm-up; load average ${os.loadavg()[0]?.toFixed(1)}\n`);
    console.log('| app | median known | median unknown | known/unknown | p10 known | p10 unknown | p10 known/unknown |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const t of timed) {
      const [mk, mu, pk, pu] = [pct(t.known, 50), pct(t.unknown, 50), pct(t.known, 10), pct(t.unknown, 10)];
      console.log(`| ${t.name} | ${ms(mk)} | ${ms(mu)} | ${(mk / mu).toFixed(2)}× | ${ms(pk)} | ${ms(pu)} | ${(pk / pu).toFixed(2)}× |`);
    }
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
