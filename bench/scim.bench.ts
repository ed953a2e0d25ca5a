// SCIM lookup benchmark (issue 23): `GET /scim/v2/Users?filter=userName eq "…"` — what Okta sends
// before every create — at 50,000 users, over HTTP to the web app (token check, rate limit, filter →
// SQL, the user, and the offboarding-states read the extension needs, which asks Temporal for running
// intakes), next to the same lookup as a plain SQL query, in the same process and run. Printed:
// p50/p95 of each, sequentially, and the ratio.
//
//   npm run bench -- scim
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { startWebServer } from '../client/web/server';
import { loadSettings } from '../config/settings';
import { users } from '../db/schema';
import { createConnection } from '../domain/connections';
import { createMailer } from '../adapters/mail-transport';
import { freePort } from '../test/helpers/free-port';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';

const USERS = 50_000;
const LOOKUPS = 300;
const COMPANY = 'Northwind Builders';

const percentile = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))] ?? NaN;
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function timed(n: number, once: (i: number) => Promise<void>): Promise<{ p50: number; p95: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await once(i);
    latencies.push(performance.now() - s);
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const { db, dir } = await startBenchDatabase('scim', cleanups);
    const server = await startDevServer({ cliPath: await requireTemporalCli(loadSettings()), port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const temporal = new Client({ connection, namespace: server.namespace });

    const t0 = performance.now();
    const [admin] = await db.insert(users).values({ name: 'Helen Park', email: 'helen@example.com', company: COMPANY, directoryPermission: 'admin' }).returning({ id: users.id });
    await db.execute(sql`
      insert into users (name, email, company, scim_user_name, external_id, scim_connection_id)
      select 'Person ' || g, 'person' || g || '@northwind.example', ${COMPANY}, 'person' || g || '@northwind.example', 'ext-' || g, null
        from generate_series(1, ${USERS}) g`);
    await db.execute(sql`analyze users`);
    const { token } = await createConnection(db, { name: 'Okta', company: COMPANY, policy: { reason: 'Left', successor: 'none' }, adminUserId: admin!.id, createdBy: 'bench' });
    console.log(`directory: ${USERS} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const mailer = createMailer({ smtpUrl: undefined, outboxDir: `${dir}/outbox`, mailFrom: 'o <o@example.com>', log: () => undefined });
    cleanups.unshift(() => mailer.close());
    const web = await startWebServer({
      settings: {
        port: await freePort(),
        host: '127.0.0.1',
        publicUrl: 'http://127.0.0.1:3999',
        linkSecret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
        auth: 'email-link',
        trustedHeader: 'X-Auth-Request-Email',
        trustedProxies: [],
        scim: { requestsPerMinute: 1_000_000 },
      },
      db,
      temporal,
      taskQueue: 'bench-scim',
      mailer,
      log: () => undefined,
    });
    cleanups.unshift(() => web.close());

    const who = (i: number) => `person${1 + ((i * 7919) % USERS)}@northwind.example`;
    const overHttp = async (i: number) => {
      const r = await fetch(`${web.url}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${who(i)}"`)}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await r.json()) as { totalResults?: number };
      if (r.status !== 200 || body.totalResults !== 1) throw new Error(`HTTP ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
    };
    const plainSql = async (i: number) => {
      const rows = await db.execute(sql`select * from users u where u.company = ${COMPANY} and u.scim_deleted_at is null and lower(coalesce(u.scim_user_name, u.email)) = lower(${who(i)})`);
      if (rows.length !== 1) throw new Error('not found');
    };
    // Warm both paths, then measure them in turn, in one run.
    await timed(20, overHttp);
    await timed(20, plainSql);
    const http = await timed(LOOKUPS, overHttp);
    const plain = await timed(LOOKUPS, plainSql);
    console.log(`GET /scim/v2/Users?filter=userName eq "…" at ${USERS} users: p50 ${ms(http.p50)}, p95 ${ms(http.p95)} (${LOOKUPS} lookups)`);
    console.log(`the same lookup as plain SQL:                     p50 ${ms(plain.p50)}, p95 ${ms(plain.p95)}`);
    console.log(`ratio SCIM / SQL at p95: ${(http.p95 / plain.p95).toFixed(1)}×`);
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
