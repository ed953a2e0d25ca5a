// A flood of anonymous form bodies against a signed-in manager's page (issue 21, item 4): four
// parallel loops of `POST /hr/review` with 512 KB of `a=&a=&…` from nobody signed in, over loopback,
// while the manager's `GET /people` (200 offboardings of their reports) is timed. Each app is timed
// quiet and flooded, phase after phase, in one run: the p95 with and without the flood side by side.
//
// With BENCH_WEB_BEFORE=<git revision>, that revision's web app (bench/web-baseline.ts) is timed the
// same way on the same database, its phases alternating with the current app's.
//
//   npm run bench -- form-flood
//   BENCH_WEB_BEFORE=931c873 npm run bench -- form-flood
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { createWebApp } from '../client/web/app';
import type { WebDeps } from '../client/web/context';
import { sha256, webKeys } from '../client/web/keys';
import { managerActions } from '../client/web/manager-actions';
import { createMailer } from '../adapters/mail-transport';
import { freePort } from '../test/helpers/free-port';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';
import { type BenchApp, loadBaselineApp } from './web-baseline';

const OFFBOARDINGS = 200;
const FLOOD_LOOPS = 4;
const FLOOD_BYTES = 512 * 1024;
const PHASE_MS = 8_000;
const ROUNDS = 2;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function listen(app: BenchApp, port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: (req) => app.request(req), port, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The manager's page, timed one request after another for PHASE_MS, with or without the flood. */
async function phase(url: string, cookie: string, flood: boolean): Promise<{ times: number[]; floodRequests: number; floodMBps: number }> {
  const until = Date.now() + PHASE_MS;
  const body = 'a=&'.repeat(Math.floor(FLOOD_BYTES / 3));
  let floodRequests = 0;
  let floodBytes = 0;
  const loops = flood
    ? Array.from({ length: FLOOD_LOOPS }, async () => {
        while (Date.now() < until) {
          // Refused early, the server may close the connection mid-body: that is an answer too.
          await fetch(`${url}/hr/review`, { method: 'POST', body, headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' } })
            .then((r) => r.arrayBuffer())
            .catch(() => undefined);
          floodRequests++;
          floodBytes += body.length;
        }
      })
    : [];
  const times: number[] = [];
  const t0 = Date.now();
  while (Date.now() < until) {
    const start = performance.now();
    const r = await fetch(`${url}/people`, { headers: { cookie } });
    await r.text();
    if (r.status !== 200) throw new Error(`/people answered ${r.status}`);
    times.push(performance.now() - start);
  }
  await Promise.all(loops);
  return { times, floodRequests, floodMBps: floodBytes / 1e6 / ((Date.now() - t0) / 1000) };
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const { db, dir: dataDir } = await startBenchDatabase('flood', cleanups);
    await db.execute(sql`insert into users (id, name, email, company, directory_permission) values
      (1, 'Ada Admin', 'ada@bench.example', 'Bench', 'admin'), (2, 'Mia Manager', 'mia@bench.example', 'Bench', 'standard')`);
    await db.execute(sql`insert into users (id, name, email, company, manager_id)
      select g, 'Person ' || g, 'p' || g || '@bench.example', 'Bench', 2 from generate_series(3, ${OFFBOARDINGS + 2}::int) g`);
    await db.execute(sql`select setval('users_id_seq', (select max(id) from users))`);
    await db.execute(sql`insert into offboardings (user_id, workflow_id, requested_by, started_at)
      select g, 'offboarding-user-' || g, 1, now() - (g || ' minutes')::interval from generate_series(3, ${OFFBOARDINGS + 2}::int) g`);
    await db.execute(sql`analyze`);
    const sessionId = 'F'.repeat(43);
    await db.execute(sql`insert into web_sessions (id_hash, user_id, via, expires_at) values (${sha256(sessionId)}, 2, 'email-link', now() + interval '1 day')`);

    // The manager's list reads only the database: a Temporal connection that is never opened.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const operations = { db: async () => db, temporal: async () => client, taskQueue: 'flood-bench' };
    const secret = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
    const depsFor = (publicUrl: string): WebDeps => ({
      settings: { port: 0, host: '127.0.0.1', publicUrl, linkSecret: secret, auth: 'email-link', trustedHeader: 'X', trustedProxies: [] },
      db,
      temporal: client,
      operations,
      mailer: createMailer({ smtpUrl: undefined, outboxDir: path.join(dataDir, 'outbox'), mailFrom: 'Bench <b@bench.example>', log: () => undefined }),
      actions: managerActions(operations),
      keys: webKeys(secret),
      log: () => undefined,
    });
    // Each app on its own port; its public URL is that port's, so the flood's Origin passes.
    const apps: { name: string; url: string }[] = [];
    const currentPort = await freePort();
    const current = await listen(createWebApp(depsFor(`http://127.0.0.1:${currentPort}`)), currentPort);
    cleanups.unshift(current.close);
    apps.push({ name: 'this checkout', url: current.url });
    const beforeRevision = process.env.BENCH_WEB_BEFORE?.trim();
    if (beforeRevision) {
      const baseline = await loadBaselineApp(beforeRevision);
      cleanups.unshift(baseline.remove);
      const beforePort = await freePort();
      const served = await listen(baseline.createWebApp(depsFor(`http://127.0.0.1:${beforePort}`)), beforePort);
      cleanups.unshift(served.close);
      apps.push({ name: `${baseline.revision} (${baseline.commit})`, url: served.url });
    }

    const cookie = `offboarding_session=${sessionId}`;
    const results = new Map<string, { quiet: number[]; flood: number[]; floodRequests: number; mbps: number[] }>();
    for (const app of apps) results.set(app.name, { quiet: [], flood: [], floodRequests: 0, mbps: [] });
    for (const app of apps) await phase(app.url, cookie, false); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const app of apps) {
        const r = results.get(app.name)!;
        r.quiet.push(...(await phase(app.url, cookie, false)).times);
        const f = await phase(app.url, cookie, true);
        r.flood.push(...f.times);
        r.floodRequests += f.floodRequests;
        r.mbps.push(f.floodMBps);
      }
    }

    const ms = (t: number) => `${t.toFixed(1)} ms`;
    console.log(
      `\nform flood: GET /people (${OFFBOARDINGS} offboardings) timed for ${PHASE_MS / 1000} s per phase, ${ROUNDS} rounds, quiet and flooded phases ` +
        `alternating; flood = ${FLOOD_LOOPS} loops of anonymous POST /hr/review with ${FLOOD_BYTES / 1024} KB of a=&a=&…; load average ${os.loadavg()[0]?.toFixed(1)}\n`,
    );
    console.log('| app | samples quiet / flooded | p50 quiet | p50 flooded | p95 quiet | p95 flooded | p95 flooded/quiet | flood requests (MB/s offered) |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [name, r] of results) {
      const mbps = r.mbps.reduce((a, b) => a + b, 0) / r.mbps.length;
      console.log(
        `| ${name} | ${r.quiet.length} / ${r.flood.length} | ${ms(pct(r.quiet, 50))} | ${ms(pct(r.flood, 50))} | ${ms(pct(r.quiet, 95))} | ${ms(pct(r.flood, 95))} | ` +
          `${(pct(r.flood, 95) / pct(r.quiet, 95)).toFixed(2)}× | ${r.floodRequests} (${mbps.toFixed(1)}) |`,
      );
    }
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
